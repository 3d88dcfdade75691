// Inflates kubectl's SPDY header blocks: one zlib stream per connection, compressed with the SPDY/3
// dictionary and sync-flushed after each block. The inflater is the runtime's own zlib (workerd's
// DecompressionStream), which takes no preset dictionary, so the dictionary is fed in front of the
// client's deflate data as a stored block: back-references into the dictionary then resolve exactly
// as with inflateSetDictionary, and the dictionary's own 1,423 output bytes are dropped.
import { SPDY3_DICTIONARY, SPDY3_DICTIONARY_ID } from './spdy-dictionary';
import { concatBytes, decodeHeaderBlock } from './spdy';

export class HeaderInflater {
  private writer: WritableStreamDefaultWriter<Uint8Array>;
  private reader: ReadableStreamDefaultReader<Uint8Array>;
  private out: Uint8Array = new Uint8Array(0);
  private skip = SPDY3_DICTIONARY.byteLength;
  private zlibHeaderSeen = false;

  constructor() {
    const ds = new DecompressionStream('deflate-raw');
    this.writer = ds.writable.getWriter();
    this.reader = ds.readable.getReader();
    const len = SPDY3_DICTIONARY.byteLength;
    void this.writer
      .write(
        concatBytes([
          new Uint8Array([0x00, len & 0xff, len >> 8, ~len & 0xff, (~len >> 8) & 0xff]),
          SPDY3_DICTIONARY,
        ]),
      )
      .catch(() => undefined);
  }

  /** Inflates one SYN_STREAM header block and parses its name/value pairs. */
  async headers(compressed: Uint8Array): Promise<Record<string, string>> {
    let input = compressed;
    if (!this.zlibHeaderSeen) {
      if (input.byteLength < 2 || (input[0] & 0x0f) !== 8)
        throw new Error('SPDY header block is not a zlib stream');
      const fdict = (input[1] & 0x20) !== 0;
      if (fdict) {
        const id = new DataView(input.buffer, input.byteOffset + 2, 4).getUint32(0);
        if (id !== SPDY3_DICTIONARY_ID)
          throw new Error(`SPDY header block asks for an unknown dictionary ${id.toString(16)}`);
      }
      input = input.subarray(fdict ? 6 : 2);
      this.zlibHeaderSeen = true;
    }
    void this.writer.write(input.slice()).catch(() => undefined);
    for (;;) {
      if (this.skip === 0) {
        const block = decodeHeaderBlock(this.out);
        if (block) {
          this.out = this.out.slice(block.length);
          return block.headers;
        }
      }
      const { value, done } = await this.reader.read();
      if (done) throw new Error('SPDY header stream ended');
      let chunk = value;
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.byteLength);
        this.skip -= n;
        chunk = chunk.subarray(n);
      }
      if (chunk.byteLength) this.out = concatBytes([this.out, chunk]);
    }
  }

  close(): void {
    void this.writer.abort().catch(() => undefined);
  }
}
