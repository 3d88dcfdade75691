// A small RFC 6455 WebSocket client over node:https, for the agent's tunnel.
// Node 20 has no WebSocket global, and the agent must trust the cluster's own CA; the client side of
// the protocol is small (masked frames out, unmasked in, ping/pong, close), so no dependency is added.
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

export interface WsConnectOptions {
  url: string;
  protocol: string;
  headers?: Record<string, string>;
  caPem?: string;
  insecureSkipVerify?: boolean;
  timeoutMs?: number;
  /** Aborts the handshake (the agent stopping while the control plane does not answer). */
  signal?: AbortSignal;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { cont: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** Events: 'message' (data: Buffer, binary: boolean), 'close' (code: number, reason: string). */
export class WsConnection extends EventEmitter {
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentOp = 0;
  private closed = false;

  constructor(
    private readonly socket: Duplex,
    head: Buffer,
  ) {
    super();
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('close', () => this.onClosed(1006, 'connection lost'));
    socket.on('error', () => this.onClosed(1006, 'connection error'));
    if (head.length) queueMicrotask(() => this.onData(head));
  }

  get open(): boolean {
    return !this.closed;
  }

  /** True while the socket's write buffer is over its high-water mark (wait for 'drain'). */
  get congested(): boolean {
    return (this.socket as Duplex & { writableNeedDrain?: boolean }).writableNeedDrain === true;
  }

  onDrain(fn: () => void): void {
    this.socket.once('drain', fn);
  }

  send(data: Uint8Array | string): void {
    if (this.closed) return;
    const binary = typeof data !== 'string';
    this.write(binary ? OP.binary : OP.text, binary ? data : Buffer.from(data));
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    const body = Buffer.alloc(2 + Buffer.byteLength(reason));
    body.writeUInt16BE(code, 0);
    body.write(reason, 2);
    this.write(OP.close, body);
    this.closed = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.emit('close', code, reason);
  }

  /** Drops the connection without a close handshake (the peer sees 1006). */
  terminate(): void {
    this.socket.destroy();
  }

  private write(op: number, payload: Uint8Array): void {
    const len = payload.byteLength;
    const head = Buffer.alloc(len < 126 ? 6 : len < 65536 ? 8 : 14);
    head[0] = 0x80 | op;
    let at = 2;
    if (len < 126) head[1] = 0x80 | len;
    else if (len < 65536) {
      head[1] = 0x80 | 126;
      head.writeUInt16BE(len, 2);
      at = 4;
    } else {
      head[1] = 0x80 | 127;
      head.writeBigUInt64BE(BigInt(len), 2);
      at = 10;
    }
    const mask = randomBytes(4);
    mask.copy(head, at);
    const body = Buffer.from(payload);
    maskInPlace(body, mask);
    this.socket.write(Buffer.concat([head, body]));
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      if (this.buf.length < 2) return;
      const fin = (this.buf[0] & 0x80) !== 0;
      const op = this.buf[0] & 0x0f;
      const masked = (this.buf[1] & 0x80) !== 0;
      let len = this.buf[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        at = 10;
      }
      const maskKey = masked ? this.buf.subarray(at, at + 4) : undefined;
      if (masked) at += 4;
      if (this.buf.length < at + len) return;
      const payload = Buffer.from(this.buf.subarray(at, at + len));
      if (maskKey) maskInPlace(payload, maskKey);
      this.buf = this.buf.subarray(at + len);
      this.onFrame(fin, op, payload);
    }
  }

  private onFrame(fin: boolean, op: number, payload: Buffer): void {
    if (op === OP.ping) return this.write(OP.pong, payload);
    if (op === OP.pong) return;
    if (op === OP.close) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      const reason = payload.length > 2 ? payload.subarray(2).toString() : '';
      if (!this.closed) {
        this.write(OP.close, payload.subarray(0, 2));
        this.socket.end();
      }
      this.onClosed(code, reason);
      return;
    }
    if (op !== OP.cont) this.fragmentOp = op;
    this.fragments.push(payload);
    if (!fin) return;
    const data = this.fragments.length === 1 ? this.fragments[0] : Buffer.concat(this.fragments);
    this.fragments = [];
    this.emit('message', data, this.fragmentOp === OP.binary);
  }

  private onClosed(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.emit('close', code, reason);
  }
}

/** XORs with the 4-byte key, a 32-bit word at a time where aligned (bulk port-forward data goes through here). */
function maskInPlace(b: Buffer, mask: Uint8Array): void {
  const head = (4 - (b.byteOffset & 3)) & 3;
  let i = 0;
  for (; i < Math.min(head, b.length); i++) b[i] ^= mask[i & 3];
  const words = (b.length - i) >> 2;
  if (words > 0) {
    const m = new Uint8Array([
      mask[i & 3],
      mask[(i + 1) & 3],
      mask[(i + 2) & 3],
      mask[(i + 3) & 3],
    ]);
    const key = new Uint32Array(m.buffer)[0];
    const view = new Uint32Array(b.buffer, b.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w] ^= key;
    i += words * 4;
  }
  for (; i < b.length; i++) b[i] ^= mask[i & 3];
}

/** Opens the WebSocket; rejects with the server's Status message when the upgrade is refused. */
export function connectWs(opts: WsConnectOptions): Promise<WsConnection> {
  const key = randomBytes(16).toString('base64');
  const url = new URL(opts.url);
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  url.protocol = secure ? 'https:' : 'http:';
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(url, {
      method: 'GET',
      ca: opts.caPem,
      rejectUnauthorized: !opts.insecureSkipVerify,
      headers: {
        ...opts.headers,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': key,
        'sec-websocket-protocol': opts.protocol,
      },
      timeout: opts.timeoutMs ?? 15_000,
      signal: opts.signal,
    });
    req.on('timeout', () =>
      req.destroy(
        new Error(`no answer to the tunnel upgrade within ${(opts.timeoutMs ?? 15_000) / 1000}s`),
      ),
    );
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        let message = body.trim();
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? message;
        } catch {
          // not a Status
        }
        reject(new Error(`tunnel upgrade refused: HTTP ${res.statusCode}: ${message}`));
      });
    });
    req.on('upgrade', (res, socket, head) => {
      const expected = createHash('sha1')
        .update(key + GUID)
        .digest('base64');
      if (res.headers['sec-websocket-accept'] !== expected) {
        socket.destroy();
        return reject(new Error('tunnel upgrade: bad Sec-WebSocket-Accept'));
      }
      socket.setNoDelay(true);
      socket.setTimeout(0);
      resolve(new WsConnection(socket, head));
    });
    req.end();
  });
}
