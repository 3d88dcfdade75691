// The SPDY/3.1 subset kubectl's port-forward speaks inside its WebSocket (pure): a frame reader that
// reassembles frames split over messages, frame writers, and header blocks (name/value pairs).
// k8s: moby/spdystream spdy/{types,read,write}.go, as used by client-go tools/portforward.

export const SpdyType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;
export const FLAG_FIN = 0x01;
export const RST_PROTOCOL_ERROR = 1;
export const RST_CANCEL = 5;

export type SpdyFrame =
  | { control: true; type: number; flags: number; data: Uint8Array }
  | { control: false; streamId: number; flags: number; data: Uint8Array };

/** Accumulates WebSocket messages (kubectl writes each frame field separately) and yields whole frames. */
export class SpdyFrameReader {
  private buf: Uint8Array = new Uint8Array(0);

  push(bytes: Uint8Array): SpdyFrame[] {
    if (this.buf.byteLength === 0) this.buf = bytes;
    else {
      const b = new Uint8Array(this.buf.byteLength + bytes.byteLength);
      b.set(this.buf);
      b.set(bytes, this.buf.byteLength);
      this.buf = b;
    }
    const out: SpdyFrame[] = [];
    while (this.buf.byteLength >= 8) {
      const v = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
      const len = v.getUint32(4) & 0xffffff;
      if (this.buf.byteLength < 8 + len) break;
      const data = this.buf.slice(8, 8 + len);
      const flags = this.buf[4];
      if (this.buf[0] & 0x80) out.push({ control: true, type: v.getUint16(2), flags, data });
      else out.push({ control: false, streamId: v.getUint32(0) & 0x7fffffff, flags, data });
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
}

function control(type: number, flags: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.byteLength);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0x8003); // control bit + version 3
  v.setUint16(2, type);
  v.setUint32(4, body.byteLength);
  out[4] = flags;
  out.set(body, 8);
  return out;
}

export function dataFrame(streamId: number, payload: Uint8Array, fin = false): Uint8Array {
  const out = new Uint8Array(8 + payload.byteLength);
  const v = new DataView(out.buffer);
  v.setUint32(0, streamId & 0x7fffffff);
  v.setUint32(4, payload.byteLength);
  out[4] = fin ? FLAG_FIN : 0;
  out.set(payload, 8);
  return out;
}

export function synReplyFrame(streamId: number, headerBlock: Uint8Array): Uint8Array {
  const body = new Uint8Array(4 + headerBlock.byteLength);
  new DataView(body.buffer).setUint32(0, streamId & 0x7fffffff);
  body.set(headerBlock, 4);
  return control(SpdyType.SYN_REPLY, 0, body);
}

export function rstStreamFrame(streamId: number, status: number): Uint8Array {
  const body = new Uint8Array(8);
  const v = new DataView(body.buffer);
  v.setUint32(0, streamId & 0x7fffffff);
  v.setUint32(4, status);
  return control(SpdyType.RST_STREAM, 0, body);
}

export function goAwayFrame(lastStreamId: number, status = 0): Uint8Array {
  const body = new Uint8Array(8);
  const v = new DataView(body.buffer);
  v.setUint32(0, lastStreamId & 0x7fffffff);
  v.setUint32(4, status);
  return control(SpdyType.GOAWAY, 0, body);
}

/** SYN_STREAM body: stream id, associated id, priority, slot, then the compressed header block. */
export function parseSynStream(data: Uint8Array): { streamId: number; headerBlock: Uint8Array } {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { streamId: v.getUint32(0) & 0x7fffffff, headerBlock: data.subarray(10) };
}

export function parseRstStream(data: Uint8Array): { streamId: number; status: number } {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    streamId: v.getUint32(0) & 0x7fffffff,
    status: data.byteLength >= 8 ? v.getUint32(4) : 0,
  };
}

/** An uncompressed header block: u32 count, then u32-length-prefixed names and values. */
export function encodeHeaderBlock(headers: Record<string, string>): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const u32 = (n: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [k, val] of entries) {
    const kb = enc.encode(k.toLowerCase());
    const vb = enc.encode(val);
    parts.push(u32(kb.byteLength), kb, u32(vb.byteLength), vb);
  }
  return concatBytes(parts);
}

/** Parses a header block if `buf` holds a whole one; answers its length too (undefined: need more). */
export function decodeHeaderBlock(
  buf: Uint8Array,
): { headers: Record<string, string>; length: number } | undefined {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dec = new TextDecoder();
  if (buf.byteLength < 4) return undefined;
  const count = v.getUint32(0);
  let at = 4;
  const headers: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    if (buf.byteLength < at + 4) return undefined;
    const kl = v.getUint32(at);
    if (buf.byteLength < at + 4 + kl + 4) return undefined;
    const key = dec.decode(buf.subarray(at + 4, at + 4 + kl));
    at += 4 + kl;
    const vl = v.getUint32(at);
    if (buf.byteLength < at + 4 + vl) return undefined;
    headers[key] = dec.decode(buf.subarray(at + 4, at + 4 + vl));
    at += 4 + vl;
  }
  return { headers, length: at };
}

/**
 * Server → client header compression without a compressor: the zlib header once, then each block as
 * a non-final stored deflate block followed by an empty stored block (the sync-flush marker, without
 * which Go's flate reader fails on the second block). Go's zlib.NewReaderDict accepts a stream that
 * does not ask for the dictionary.
 */
export class StoredHeaderWriter {
  private started = false;

  wrap(raw: Uint8Array): Uint8Array {
    const parts: Uint8Array[] = [];
    if (!this.started) {
      parts.push(new Uint8Array([0x78, 0x01]));
      this.started = true;
    }
    for (let at = 0; at < raw.byteLength || at === 0; at += 0xffff) {
      const chunk = raw.subarray(at, Math.min(raw.byteLength, at + 0xffff));
      const len = chunk.byteLength;
      parts.push(
        new Uint8Array([0x00, len & 0xff, len >> 8, ~len & 0xff, (~len >> 8) & 0xff]),
        chunk,
      );
      if (raw.byteLength === 0) break;
    }
    parts.push(new Uint8Array([0x00, 0x00, 0x00, 0xff, 0xff]));
    return concatBytes(parts);
  }
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
