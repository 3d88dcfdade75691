// The tunnel's own framing between a NodeTunnel Durable Object and its node agent (pure, both sides).
//
// One binary WebSocket message carries one or more frames:
//   [u8 type][u32 sid][u8 chan][u32 len][len bytes of payload]      (big-endian)
// sid names a session (an exec, an attach, or one port-forward connection). Control frames carry
// small JSON or text payloads. Credit (WINDOW) is in bytes of DATA payload, per session and direction.

export const FrameType = {
  /** DO → agent: start a session; payload JSON OpenRequest. */
  OPEN: 1,
  /** Either way: bytes on a channel (exec: 0 stdin, 1 stdout, 2 stderr; port-forward: 0). */
  DATA: 2,
  /** Either way: no more bytes on this channel (stdin close, TCP half-close). */
  EOF: 3,
  /** Either way: the receiver of this frame may send u32 more bytes of DATA for the session. */
  WINDOW: 4,
  /** Agent → DO: the session ended; payload JSON metav1.Status (exit code inside). */
  EXIT: 5,
  /** Either way: abort the session; payload is a reason text. */
  RESET: 6,
  /** DO → agent: terminal size, payload JSON {"Width":w,"Height":h}. */
  RESIZE: 7,
  /** DO → agent: connect to a port inside the pod; payload JSON DialRequest. */
  DIAL: 8,
  /** Agent → DO: the dial connected. */
  DIAL_OK: 9,
  /** Agent → DO: the dial failed; payload is the error text. */
  DIAL_ERR: 10,
  /** DO → agent: someone follows this pod's logs; payload JSON {podUid}. Ship its output at once. */
  FOLLOW: 11,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Credit each side starts with for each session, and the most DATA a single frame carries. */
export const INITIAL_WINDOW = 1024 * 1024;
export const MAX_DATA_FRAME = 32 * 1024;
/** The application heartbeat the DO answers without waking (setWebSocketAutoResponse). */
export const PING_TEXT = 'ping';
export const PONG_TEXT = 'pong';
export const TUNNEL_PROTOCOL = 'edgeplane.tunnel.v1';

export interface Frame {
  type: FrameType;
  sid: number;
  chan: number;
  payload: Uint8Array;
}

export interface OpenRequest {
  kind: 'exec' | 'attach';
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface DialRequest {
  namespace: string;
  pod: string;
  podUid: string;
  podIP: string;
  port: number;
}

const HEADER = 10;
const enc = new TextEncoder();
const dec = new TextDecoder();

export function frame(
  type: FrameType,
  sid: number,
  chan = 0,
  payload: Uint8Array | string = new Uint8Array(0),
): Frame {
  return { type, sid, chan, payload: typeof payload === 'string' ? enc.encode(payload) : payload };
}

export function windowFrame(sid: number, bytes: number): Frame {
  const p = new Uint8Array(4);
  new DataView(p.buffer).setUint32(0, bytes);
  return frame(FrameType.WINDOW, sid, 0, p);
}

export function windowBytes(f: Frame): number {
  return f.payload.byteLength >= 4
    ? new DataView(f.payload.buffer, f.payload.byteOffset, 4).getUint32(0)
    : 0;
}

export function encodeFrames(frames: Frame[]): Uint8Array {
  let size = 0;
  for (const f of frames) size += HEADER + f.payload.byteLength;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const f of frames) {
    view.setUint8(at, f.type);
    view.setUint32(at + 1, f.sid);
    view.setUint8(at + 5, f.chan);
    view.setUint32(at + 6, f.payload.byteLength);
    out.set(f.payload, at + HEADER);
    at += HEADER + f.payload.byteLength;
  }
  return out;
}

/** Throws on a truncated message: a peer speaking another framing is a protocol error, not data. */
export function decodeFrames(msg: Uint8Array): Frame[] {
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const out: Frame[] = [];
  let at = 0;
  while (at < msg.byteLength) {
    if (msg.byteLength - at < HEADER) throw new Error('truncated tunnel frame header');
    const len = view.getUint32(at + 6);
    if (msg.byteLength - at - HEADER < len) throw new Error('truncated tunnel frame payload');
    out.push({
      type: view.getUint8(at) as FrameType,
      sid: view.getUint32(at + 1),
      chan: view.getUint8(at + 5),
      payload: msg.subarray(at + HEADER, at + HEADER + len),
    });
    at += HEADER + len;
  }
  return out;
}

export const text = (p: Uint8Array) => dec.decode(p);
export const json = <T>(p: Uint8Array) => JSON.parse(dec.decode(p)) as T;
