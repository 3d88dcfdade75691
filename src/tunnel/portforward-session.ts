// One `kubectl port-forward` WebSocket inside the NodeTunnel DO: SPDY streams in, tunnel frames out.
// Each local connection arrives as a pair of SPDY streams (error, data) sharing a requestid; the data
// stream becomes one tunnel session (DIAL to the pod's port). Failures of one connection reset that
// connection only; only a failed dial writes on the error stream (which ends kubectl's whole session,
// as it does against a kubelet).
// k8s: staging/src/k8s.io/apiserver/pkg/util/proxy/streamtunnel.go and
// pkg/kubelet/cri/streaming/portforward/httpstream.go (stream pairing by requestID).
import { FrameType, frame, text, type DialRequest, type Frame } from './frames';
import { HeaderInflater } from './spdy-inflate';
import {
  dataFrame,
  encodeHeaderBlock,
  FLAG_FIN,
  goAwayFrame,
  parseRstStream,
  parseSynStream,
  RST_CANCEL,
  rstStreamFrame,
  SpdyFrameReader,
  SpdyType,
  StoredHeaderWriter,
  synReplyFrame,
  type SpdyFrame,
} from './spdy';

export interface PortForwardTarget {
  namespace: string;
  pod: string;
  podUid: string;
  podIP: string;
}

export interface PortForwardHooks {
  newSid(): number;
  register(sid: number, session: PortForwardSession | undefined): void;
  /** False when the connection's queue overflowed (the caller then resets it). */
  toAgent(sid: number, f: Frame): boolean;
  endUpstream(sid: number): void;
  /** Tells the agent to drop a connection now (bypassing its credit queue). */
  resetAgent(sid: number): void;
}

interface Pair {
  requestId: string;
  port: number;
  errorStream?: number;
  dataStream?: number;
  sid?: number;
}

export class PortForwardSession {
  private readonly reader = new SpdyFrameReader();
  private readonly inflater = new HeaderInflater();
  private readonly headerWriter = new StoredHeaderWriter();
  private readonly pairs = new Map<string, Pair>();
  private readonly byStream = new Map<number, Pair>();
  private readonly bySid = new Map<number, Pair>();
  private chain: Promise<void> = Promise.resolve();
  private lastStream = 0;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly target: PortForwardTarget,
    private readonly hooks: PortForwardHooks,
  ) {}

  start(): void {
    // Since compatibility date 2026-03-17 binary messages arrive as Blobs unless asked otherwise.
    (this.ws as WebSocket & { binaryType: string }).binaryType = 'arraybuffer';
    this.ws.addEventListener('message', (e) => {
      if (typeof e.data === 'string') return;
      const bytes = new Uint8Array(e.data as ArrayBuffer);
      // Header inflation is asynchronous; frames are handled strictly in order.
      this.chain = this.chain
        .then(() => this.onBytes(bytes))
        .catch((err: unknown) => this.fail(err instanceof Error ? err.message : String(err)));
    });
    this.ws.addEventListener('close', () => this.shutdown());
    this.ws.addEventListener('error', () => this.shutdown());
  }

  private async onBytes(bytes: Uint8Array): Promise<void> {
    for (const f of this.reader.push(bytes)) await this.onFrame(f);
  }

  private async onFrame(f: SpdyFrame): Promise<void> {
    if (!f.control) return this.onData(f.streamId, f.flags, f.data);
    switch (f.type) {
      case SpdyType.SYN_STREAM:
        return this.onSynStream(f.data);
      case SpdyType.RST_STREAM: {
        const { streamId } = parseRstStream(f.data);
        const pair = this.byStream.get(streamId);
        if (pair && pair.dataStream === streamId) this.dropPair(pair, true);
        return;
      }
      case SpdyType.PING:
        // spdystream pings every 10 s (tunneling_dialer.go PingPeriod) and expects its frame back.
        this.send(concatControl(SpdyType.PING, f.data));
        return;
      case SpdyType.GOAWAY:
        this.ws.close(1000, '');
        this.shutdown();
        return;
    }
    // SETTINGS, HEADERS, WINDOW_UPDATE: spdystream enforces no flow control; nothing to do.
  }

  private async onSynStream(data: Uint8Array): Promise<void> {
    const { streamId, headerBlock } = parseSynStream(data);
    const headers = await this.inflater.headers(headerBlock);
    this.lastStream = Math.max(this.lastStream, streamId);
    this.send(synReplyFrame(streamId, this.headerWriter.wrap(encodeHeaderBlock({}))));
    const requestId = headers.requestid ?? String(streamId);
    const port = Number(headers.port);
    let pair = this.pairs.get(requestId);
    if (!pair) this.pairs.set(requestId, (pair = { requestId, port }));
    this.byStream.set(streamId, pair);
    if (headers.streamtype === 'error') pair.errorStream = streamId;
    else if (headers.streamtype === 'data') pair.dataStream = streamId;
    else return this.send(rstStreamFrame(streamId, 1));
    if (pair.errorStream === undefined || pair.dataStream === undefined || pair.sid !== undefined)
      return;
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      return this.dialFailed(pair, `invalid port "${headers.port ?? ''}": must be 1-65535`);
    pair.sid = this.hooks.newSid();
    this.bySid.set(pair.sid, pair);
    this.hooks.register(pair.sid, this);
    const dial: DialRequest = { ...this.target, port };
    this.hooks.toAgent(pair.sid, frame(FrameType.DIAL, pair.sid, 0, JSON.stringify(dial)));
  }

  private onData(streamId: number, flags: number, data: Uint8Array): void {
    const pair = this.byStream.get(streamId);
    if (!pair || pair.dataStream !== streamId || pair.sid === undefined) return; // the error stream carries nothing upstream
    if (
      data.byteLength &&
      !this.hooks.toAgent(pair.sid, frame(FrameType.DATA, pair.sid, 0, data))
    ) {
      return this.reset(pair.sid, 'stream buffer overflow: the pod did not read fast enough');
    }
    if (flags & FLAG_FIN) this.hooks.toAgent(pair.sid, frame(FrameType.EOF, pair.sid, 0));
  }

  /** Frames from the agent for one of this session's connections. */
  fromAgent(f: Frame): void {
    const pair = this.bySid.get(f.sid);
    if (!pair || pair.dataStream === undefined) return;
    switch (f.type) {
      case FrameType.DATA:
        this.send(dataFrame(pair.dataStream, f.payload));
        break;
      case FrameType.EOF:
        // kubectl finishes a connection once its error stream hits EOF too.
        this.send(dataFrame(pair.dataStream, new Uint8Array(0), true));
        if (pair.errorStream !== undefined)
          this.send(dataFrame(pair.errorStream, new Uint8Array(0), true));
        this.forget(pair);
        break;
      case FrameType.DIAL_ERR:
        this.dialFailed(pair, text(f.payload));
        break;
      case FrameType.RESET:
        this.dropPair(pair, false);
        break;
    }
  }

  private dialFailed(pair: Pair, message: string): void {
    if (pair.errorStream !== undefined) {
      this.send(dataFrame(pair.errorStream, new TextEncoder().encode(message)));
      this.send(dataFrame(pair.errorStream, new Uint8Array(0), true));
    }
    if (pair.dataStream !== undefined)
      this.send(dataFrame(pair.dataStream, new Uint8Array(0), true));
    this.forget(pair);
  }

  /** The DO reset this connection (stall or overflow): cancel its data stream, leave the others. */
  reset(sid: number, _why: string): void {
    const pair = this.bySid.get(sid);
    if (pair) this.dropPair(pair, true);
  }

  private dropPair(pair: Pair, tellAgent: boolean): void {
    if (pair.sid !== undefined && tellAgent) this.hooks.resetAgent(pair.sid);
    if (pair.dataStream !== undefined) this.send(rstStreamFrame(pair.dataStream, RST_CANCEL));
    if (pair.errorStream !== undefined)
      this.send(dataFrame(pair.errorStream, new Uint8Array(0), true));
    this.forget(pair);
  }

  private forget(pair: Pair): void {
    this.pairs.delete(pair.requestId);
    if (pair.dataStream !== undefined) this.byStream.delete(pair.dataStream);
    if (pair.errorStream !== undefined) this.byStream.delete(pair.errorStream);
    if (pair.sid !== undefined) {
      this.bySid.delete(pair.sid);
      this.hooks.register(pair.sid, undefined);
      this.hooks.endUpstream(pair.sid);
    }
  }

  /** The agent's tunnel went away: every connection is gone; kubectl prints "lost connection to pod". */
  lostAgent(why: string): void {
    this.fail(why);
  }

  private fail(why: string): void {
    if (this.closed) return;
    this.send(goAwayFrame(this.lastStream));
    try {
      this.ws.close(1011, why.slice(0, 120));
    } catch {
      // already closed
    }
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const pair of [...this.pairs.values()]) {
      if (pair.sid !== undefined) this.hooks.resetAgent(pair.sid);
      this.forget(pair);
    }
    this.inflater.close();
  }

  private send(bytes: Uint8Array): void {
    if (this.closed) return;
    try {
      this.ws.send(bytes);
    } catch {
      this.shutdown();
    }
  }
}

function concatControl(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.byteLength);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0x8003);
  v.setUint16(2, type);
  v.setUint32(4, body.byteLength);
  out.set(body, 8);
  return out;
}
