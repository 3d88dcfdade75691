// The tunnel's pure parts: our framing, per-session credit and its caps, the SPDY subset kubectl's
// port-forward speaks (frames split across messages, header blocks both ways, the SPDY/3 dictionary),
// and the v5 exit Status kubectl turns into "command terminated with exit code N".
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeFrames,
  encodeFrames,
  frame,
  FrameType,
  INITIAL_WINDOW,
  windowBytes,
  windowFrame,
} from '../../src/tunnel/frames';
import { Upstream, MAX_BUFFERED, STALL_MS } from '../../src/tunnel/upstream';
import { exitStatus, failureStatus } from '../../src/tunnel/exit-status';
import {
  dataFrame,
  decodeHeaderBlock,
  encodeHeaderBlock,
  SpdyFrameReader,
  StoredHeaderWriter,
  synReplyFrame,
} from '../../src/tunnel/spdy';
import { SPDY3_DICTIONARY } from '../../src/tunnel/spdy-dictionary';
import { HeaderInflater } from '../../src/tunnel/spdy-inflate';
import { words } from '../../src/agent/runtimes/fake-shell';

describe('tunnel framing', () => {
  it('round-trips several frames in one message and refuses a truncated one', () => {
    const msg = encodeFrames([
      frame(FrameType.OPEN, 7, 0, '{"a":1}'),
      frame(FrameType.DATA, 0xfffffffe, 2, new Uint8Array([1, 2, 3])),
      windowFrame(7, 65536),
    ]);
    const [open, data, win] = decodeFrames(msg);
    expect(open).toMatchObject({ type: FrameType.OPEN, sid: 7 });
    expect(new TextDecoder().decode(open.payload)).toBe('{"a":1}');
    expect(data).toMatchObject({ type: FrameType.DATA, sid: 0xfffffffe, chan: 2 });
    expect([...data.payload]).toEqual([1, 2, 3]);
    expect(windowBytes(win)).toBe(65536);
    expect(() => decodeFrames(msg.subarray(0, msg.length - 1))).toThrow(/truncated/);
  });
});

describe('per-session credit', () => {
  const data = (n: number) => frame(FrameType.DATA, 1, 0, new Uint8Array(n));

  it('sends within the window, splits a frame at the credit edge, and queues the rest until granted', () => {
    const up = new Upstream();
    expect(up.push(data(INITIAL_WINDOW - 10), 0)).toHaveLength(1);
    const partial = up.push(data(30), 0);
    expect(partial.map((f) => f.payload.byteLength)).toEqual([10]);
    expect(up.queued).toBe(20);
    expect(up.push(frame(FrameType.EOF, 1), 0)).toEqual([]); // order kept: EOF waits behind the data
    const later = up.grant(100, 1);
    expect(later.map((f) => f.type)).toEqual([FrameType.DATA, FrameType.EOF]);
    expect(up.queued).toBe(0);
  });

  it('an unread session overflows its cap or stalls; nothing else is involved', () => {
    const up = new Upstream();
    up.push(data(INITIAL_WINDOW), 0);
    for (let i = 0; i < 9; i++) up.push(data(1024 * 1024), 0);
    expect(up.queued).toBeGreaterThan(MAX_BUFFERED);
    expect(up.overflowing).toBe(true);
    const slow = new Upstream();
    slow.push(data(INITIAL_WINDOW + 1), 1000);
    expect(slow.stalled(1000 + STALL_MS - 1)).toBe(false);
    expect(slow.stalled(1000 + STALL_MS + 1)).toBe(true);
  });
});

describe('exec exit Status', () => {
  it('carries the exit code as kubectl parses it', () => {
    expect(exitStatus(0)).toEqual({ metadata: {}, status: 'Success' });
    expect(exitStatus(3)).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    expect(exitStatus(300).details!.causes[0].message).toBe('255');
    expect(failureStatus('boom')).toMatchObject({
      status: 'Failure',
      reason: 'InternalError',
      code: 500,
      message: 'boom',
    });
  });
});

describe('SPDY subset', () => {
  it('the dictionary is the SPDY/3 one kubectl names by DICTID 0xe3c6a7c2', () => {
    expect(SPDY3_DICTIONARY.byteLength).toBe(1423);
    let a = 1;
    let b = 0;
    for (const x of SPDY3_DICTIONARY) {
      a = (a + x) % 65521;
      b = (b + a) % 65521;
    }
    expect((((b << 16) | a) >>> 0).toString(16)).toBe('e3c6a7c2');
  });

  it('reassembles frames that arrive a field at a time', () => {
    const f = dataFrame(3, new Uint8Array([9, 8, 7]), true);
    const r = new SpdyFrameReader();
    const got = [...f].flatMap((byte) => r.push(new Uint8Array([byte])));
    expect(got).toEqual([
      { control: false, streamId: 3, flags: 1, data: new Uint8Array([9, 8, 7]) },
    ]);
  });

  it('our stored-block header blocks inflate with zlib, block after block (sync-flush marker)', () => {
    const w = new StoredHeaderWriter();
    const first = w.wrap(encodeHeaderBlock({}));
    const second = w.wrap(encodeHeaderBlock({ Port: '8080' }));
    // One zlib stream across both blocks, as Go's reader keeps it per connection.
    const out = zlib.inflateSync(Buffer.concat([first, second]), {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
      dictionary: Buffer.from(SPDY3_DICTIONARY),
    });
    const a = decodeHeaderBlock(out)!;
    expect(a.headers).toEqual({});
    expect(decodeHeaderBlock(out.subarray(a.length))!.headers).toEqual({ port: '8080' });
    const reply = synReplyFrame(1, first);
    expect(reply.subarray(0, 4)).toEqual(new Uint8Array([0x80, 0x03, 0x00, 0x02]));
  });

  it('inflates client header blocks compressed with the dictionary, keeping state between blocks', async () => {
    // zlib with the SPDY dictionary and a sync flush per block: what spdystream sends.
    const deflate = zlib.createDeflate({ dictionary: Buffer.from(SPDY3_DICTIONARY) });
    const compress = (h: Record<string, string>) =>
      new Promise<Buffer>((resolve) => {
        const parts: Buffer[] = [];
        const onData = (d: Buffer) => parts.push(d);
        deflate.on('data', onData);
        deflate.write(Buffer.from(encodeHeaderBlock(h)));
        deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          deflate.off('data', onData);
          resolve(Buffer.concat(parts));
        });
      });
    const inflater = new HeaderInflater();
    const one = await compress({ streamtype: 'error', port: '8080', requestid: '0' });
    expect(one[1] & 0x20).toBe(0x20); // FDICT, then the dictionary's Adler-32
    expect([...one.subarray(2, 6)]).toEqual([0xe3, 0xc6, 0xa7, 0xc2]);
    expect(await inflater.headers(one)).toEqual({
      streamtype: 'error',
      port: '8080',
      requestid: '0',
    });
    expect(
      await inflater.headers(await compress({ streamtype: 'data', port: '8080', requestid: '0' })),
    ).toEqual({ streamtype: 'data', port: '8080', requestid: '0' });
    inflater.close();
    deflate.destroy();
  });
});

describe('fake shell words', () => {
  it('splits on blanks and honours quotes', () => {
    expect(words(`echo 'a b' "c d" e`)).toEqual(['echo', 'a b', 'c d', 'e']);
  });
});
