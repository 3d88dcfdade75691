// The agent's end of the node tunnel: one outbound WebSocket to the API, kept open with heartbeats and
// reopened with backoff, carrying every exec, attach and port-forward session of this node.
// No inbound port: the control plane reaches pods only through this connection.
import {
  decodeFrames,
  encodeFrames,
  frame,
  FrameType,
  json,
  PING_TEXT,
  PONG_TEXT,
  TUNNEL_PROTOCOL,
  type DialRequest,
  type Frame,
  type OpenRequest,
} from '../../tunnel/frames';
import type { Runtime } from '../runtime';
import { ExecSession } from './exec-session';
import { PortSession } from './port-session';
import { connectWs, type WsConnection } from './ws-client';

export interface TunnelOptions {
  server: string;
  token: string;
  caPem?: string;
  insecureSkipVerify?: boolean;
  nodeName: string;
  runtime: Runtime;
  log: (message: string) => void;
  /** A `kubectl logs -f` started on one of this node's pods. */
  onFollow?: (podUid: string) => void;
  /** Heartbeat period; the DO answers without waking (setWebSocketAutoResponse). */
  pingMs?: number;
}

const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

interface Session {
  onFrame(f: Frame): void;
  abort(): void;
}

export class TunnelClient {
  private ws: WsConnection | undefined;
  private stopped = false;
  private readonly sessions = new Map<number, Session>();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly stopping = new AbortController();
  connected = false;

  constructor(private readonly opts: TunnelOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.wake?.();
    this.ws?.close(1001, 'agent stopping');
    this.dropSessions();
    await this.loop;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        const ws = await connectWs({
          url: `${this.opts.server.replace(/\/$/, '')}/edgeplane/v1/nodes/${encodeURIComponent(this.opts.nodeName)}/tunnel`,
          protocol: TUNNEL_PROTOCOL,
          headers: { authorization: `Bearer ${this.opts.token}` },
          caPem: this.opts.caPem,
          insecureSkipVerify: this.opts.insecureSkipVerify,
          signal: this.stopping.signal,
        });
        if (this.stopped) {
          ws.close(1001, 'agent stopping');
          break;
        }
        attempt = 0;
        this.opts.log('tunnel connected');
        await this.serve(ws);
        if (!this.stopped) this.opts.log('tunnel closed; reconnecting');
      } catch (err) {
        if (!this.stopped)
          this.opts.log(`tunnel: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (this.stopped) break;
      // Exponential backoff with jitter, so a control-plane restart is not met by every agent at once.
      const ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** attempt++);
      await new Promise<void>((r) => {
        const t = setTimeout(r, ceiling / 2 + Math.random() * (ceiling / 2));
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }

  private serve(ws: WsConnection): Promise<void> {
    this.ws = ws;
    this.connected = true;
    const pingMs = this.opts.pingMs ?? 20_000;
    let lastPong = Date.now();
    const heartbeat = setInterval(() => {
      // Three missed answers: the path is dead even if TCP has not noticed.
      if (Date.now() - lastPong > pingMs * 3) return ws.terminate();
      ws.send(PING_TEXT);
    }, pingMs);
    heartbeat.unref();
    ws.on('message', (data: Buffer, binary: boolean) => {
      if (!binary) {
        if (data.toString() === PONG_TEXT) lastPong = Date.now();
        return;
      }
      let frames: Frame[];
      try {
        frames = decodeFrames(data);
      } catch (err) {
        this.opts.log(`tunnel: ${(err as Error).message}; reconnecting`);
        return ws.terminate();
      }
      for (const f of frames) this.onFrame(f);
    });
    return new Promise((resolve) => {
      ws.once('close', () => {
        clearInterval(heartbeat);
        this.connected = false;
        if (this.ws === ws) this.ws = undefined;
        // Sessions cannot outlive their tunnel: the DO already told their clients the tunnel dropped.
        this.dropSessions();
        resolve();
      });
    });
  }

  private send = (frames: Frame[]): void => {
    this.ws?.send(encodeFrames(frames));
  };

  private onFrame(f: Frame): void {
    if (f.type === FrameType.OPEN) {
      const s = new ExecSession(
        f.sid,
        json<OpenRequest>(f.payload),
        this.opts.runtime,
        this.send,
        (sid) => this.sessions.delete(sid),
      );
      this.sessions.set(f.sid, s);
      void s.start();
      return;
    }
    if (f.type === FrameType.FOLLOW) {
      this.opts.onFollow?.(json<{ podUid: string }>(f.payload).podUid);
      return;
    }
    if (f.type === FrameType.DIAL) {
      const s = new PortSession(
        f.sid,
        json<DialRequest>(f.payload),
        this.opts.runtime,
        this.send,
        (sid) => this.sessions.delete(sid),
      );
      this.sessions.set(f.sid, s);
      s.start();
      return;
    }
    const s = this.sessions.get(f.sid);
    if (s) s.onFrame(f);
    else if (f.type !== FrameType.RESET && f.type !== FrameType.WINDOW)
      this.send([frame(FrameType.RESET, f.sid, 0, 'no such session on the agent')]);
  }

  private dropSessions(): void {
    for (const s of [...this.sessions.values()]) s.abort();
    this.sessions.clear();
  }
}
