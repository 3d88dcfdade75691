// NodeTunnel: one Durable Object per node. It holds the agent's one outbound WebSocket and accepts
// kubectl's streaming WebSockets for that node's pods, relaying between them in-process.
//
// The agent's socket and exec/attach sockets use the hibernation API: all routing lives in tags and
// attachments, so an idle tunnel costs nothing and survives the object leaving memory. Liveness of the
// tunnel is the agent's "ping" answered by setWebSocketAutoResponse (no wake-up, no storage write).
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../server/env';
import { ApiError, statusResponse } from '../server/errors';
import {
  decodeFrames,
  encodeFrames,
  frame,
  FrameType,
  json,
  PING_TEXT,
  PONG_TEXT,
  text,
  windowBytes,
  windowFrame,
  type Frame,
  type OpenRequest,
} from './frames';
import { failureStatus, type StreamStatus } from './exit-status';
import { Upstream } from './upstream';
import { Channel, firstChannel, PORTFORWARD_PROTOCOL, V5_PROTOCOL } from './v5';
import { PortForwardSession, type PortForwardTarget } from './portforward-session';

/** Headers the API Worker sets when it hands a request over (never taken from the client). */
export const STREAM_HEADER = 'x-edgeplane-stream';
export const NODE_HEADER = 'x-edgeplane-node';
export const OPEN_HEADER = 'x-edgeplane-open';

interface AgentAttachment {
  role: 'agent';
  node: string;
  epoch: number;
  since: number;
}

interface SessionAttachment {
  role: 'k';
  sid: number;
  kind: 'exec' | 'attach';
  node: string;
  epoch: number;
}

type Attachment = AgentAttachment | SessionAttachment;

const TICK_MS = 1000;

export class NodeTunnel extends DurableObject<Env> {
  private readonly ups = new Map<number, Upstream>();
  /** Port-forward connections by sid; their kubectl socket uses the standard API, so they live in memory. */
  private readonly forwards = new Map<number, PortForwardSession>();
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
  }

  override async fetch(req: Request): Promise<Response> {
    const node = req.headers.get(NODE_HEADER) ?? '';
    switch (req.headers.get(STREAM_HEADER)) {
      case 'agent':
        return this.acceptAgent(node);
      case 'status':
        return Response.json(this.describe(node));
      case 'close':
        this.closeAgent(req.headers.get(OPEN_HEADER) ?? 'closed by the control plane');
        return new Response(null, { status: 204 });
      case 'follow': {
        this.agent()?.send(
          encodeFrames([frame(FrameType.FOLLOW, 0, 0, req.headers.get(OPEN_HEADER) ?? '{}')]),
        );
        return new Response(null, { status: 204 });
      }
      case 'exec':
      case 'attach':
        return this.acceptSession(
          node,
          JSON.parse(req.headers.get(OPEN_HEADER) ?? '{}') as OpenRequest,
        );
      case 'portforward':
        return this.acceptPortForward(
          node,
          JSON.parse(req.headers.get(OPEN_HEADER) ?? '{}') as PortForwardTarget,
        );
    }
    return new Response('unknown stream kind', { status: 400 });
  }

  /** What the node lifecycle and `edgeplane` tooling may read: is an agent connected, and its last heartbeat. */
  private describe(node: string) {
    const agent = this.agent();
    if (!agent) return { node, connected: false };
    const att = agent.deserializeAttachment() as AgentAttachment;
    return {
      node,
      connected: true,
      since: att.since,
      lastPing: this.ctx.getWebSocketAutoResponseTimestamp(agent)?.getTime() ?? null,
    };
  }

  private agent(): WebSocket | undefined {
    let best: WebSocket | undefined;
    let epoch = -1;
    for (const ws of this.ctx.getWebSockets('agent')) {
      const att = ws.deserializeAttachment() as AgentAttachment | null;
      if (att && att.epoch > epoch && ws.readyState === WebSocket.OPEN) {
        best = ws;
        epoch = att.epoch;
      }
    }
    return best;
  }

  private acceptAgent(node: string): Response {
    const previous = this.ctx.getWebSockets('agent');
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, ['agent']);
    const epoch = Date.now() * 1000 + Math.floor(Math.random() * 1000);
    server.serializeAttachment({
      role: 'agent',
      node,
      epoch,
      since: Date.now(),
    } satisfies AgentAttachment);
    // Exactly one tunnel per node: a reconnecting agent replaces its old socket, whose sessions end.
    for (const old of previous) {
      this.endSessionsOf(
        old.deserializeAttachment() as AgentAttachment,
        'the node agent reconnected',
      );
      try {
        old.close(1012, 'replaced by a newer tunnel');
      } catch {
        // already closing
      }
    }
    return new Response(null, {
      status: 101,
      webSocket: client,
      headers: { 'Sec-WebSocket-Protocol': 'edgeplane.tunnel.v1' },
    });
  }

  /** Cuts the agent's tunnel and every session through it (revocation): 1008, policy violation. */
  private closeAgent(why: string): void {
    for (const ws of this.ctx.getWebSockets('agent')) {
      this.endSessionsOf(ws.deserializeAttachment() as AgentAttachment, why);
      try {
        ws.close(1008, why);
      } catch {
        // already closing
      }
    }
  }

  private noTunnel(node: string): Response {
    const message = `node ${node} has no tunnel connected: its agent is not running or cannot reach the control plane`;
    return statusResponse(new ApiError(503, 'ServiceUnavailable', message));
  }

  private newSid(): number {
    for (;;) {
      const sid = 1 + Math.floor(Math.random() * 0xfffffffe);
      if (!this.forwards.has(sid) && this.ctx.getWebSockets(`sid:${sid}`).length === 0) return sid;
    }
  }

  private acceptSession(node: string, open: OpenRequest): Response {
    const agent = this.agent();
    if (!agent) return this.noTunnel(node);
    const { epoch } = agent.deserializeAttachment() as AgentAttachment;
    const sid = this.newSid();
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, ['k', `sid:${sid}`]);
    server.serializeAttachment({
      role: 'k',
      sid,
      kind: open.kind,
      node,
      epoch,
    } satisfies SessionAttachment);
    agent.send(encodeFrames([frame(FrameType.OPEN, sid, 0, JSON.stringify(open))]));
    // k8s: apiserver pkg/util/proxy/websocket.go: an empty message on the lowest writable channel says "connected".
    server.send(new Uint8Array([firstChannel(open)]));
    return new Response(null, {
      status: 101,
      webSocket: client,
      headers: { 'Sec-WebSocket-Protocol': V5_PROTOCOL },
    });
  }

  private acceptPortForward(node: string, target: PortForwardTarget): Response {
    if (!this.agent()) return this.noTunnel(node);
    const { 0: client, 1: server } = new WebSocketPair();
    // The standard API, not hibernation: the SPDY header inflater's state lives in memory for the session.
    server.accept();
    const session = new PortForwardSession(server, target, {
      newSid: () => this.newSid(),
      register: (sid, s) => (s ? this.forwards.set(sid, s) : this.forwards.delete(sid)),
      toAgent: (sid, f) => this.toAgent(sid, f),
      endUpstream: (sid) => this.ups.delete(sid),
      resetAgent: (sid) => {
        this.ups.delete(sid);
        this.agent()?.send(
          encodeFrames([frame(FrameType.RESET, sid, 0, 'the client closed the connection')]),
        );
      },
    });
    session.start();
    return new Response(null, {
      status: 101,
      webSocket: client,
      headers: { 'Sec-WebSocket-Protocol': PORTFORWARD_PROTOCOL },
    });
  }

  /** Queues a frame for the agent within the session's credit; false when the session overflowed. */
  private toAgent(sid: number, f: Frame): boolean {
    const agent = this.agent();
    if (!agent) return false;
    let up = this.ups.get(sid);
    if (!up) this.ups.set(sid, (up = new Upstream()));
    const ready = up.push(f, Date.now());
    if (ready.length) agent.send(encodeFrames(ready));
    if (up.waitingSince) this.startTicker();
    return !up.overflowing;
  }

  /** While anything waits for credit, a timer keeps the object in memory and resets stalled sessions. */
  private startTicker(): void {
    this.ticker ??= setInterval(() => {
      const now = Date.now();
      let waiting = false;
      for (const [sid, up] of this.ups) {
        if (up.stalled(now))
          this.resetSession(
            sid,
            'the container side stopped reading for 30s; the stream was reset',
          );
        else if (up.waitingSince) waiting = true;
      }
      if (!waiting) {
        if (this.ticker !== undefined) clearInterval(this.ticker);
        this.ticker = undefined;
      }
    }, TICK_MS);
  }

  /** Ends one session on both sides, leaving every other session of the node alone. */
  private resetSession(sid: number, why: string): void {
    this.ups.delete(sid);
    this.agent()?.send(encodeFrames([frame(FrameType.RESET, sid, 0, why)]));
    const pf = this.forwards.get(sid);
    if (pf) return pf.reset(sid, why);
    for (const ws of this.ctx.getWebSockets(`sid:${sid}`)) this.finish(ws, failureStatus(why));
  }

  private finish(ws: WebSocket, status: StreamStatus): void {
    const att = ws.deserializeAttachment() as SessionAttachment | null;
    if (att) this.ups.delete(att.sid);
    try {
      ws.send(concat(Channel.error, new TextEncoder().encode(JSON.stringify(status))));
      ws.close(1000, '');
    } catch {
      // kubectl went away first
    }
  }

  private endSessionsOf(agent: AgentAttachment | null, why: string): void {
    if (!agent) return;
    for (const ws of this.ctx.getWebSockets('k')) {
      const att = ws.deserializeAttachment() as SessionAttachment | null;
      if (att && att.epoch === agent.epoch)
        this.finish(ws, failureStatus(`${why}; the session on node ${att.node} ended`));
    }
    for (const pf of new Set(this.forwards.values())) pf.lostAgent(why);
  }

  override async webSocketMessage(ws: WebSocket, message: ArrayBuffer | string): Promise<void> {
    const att = ws.deserializeAttachment() as Attachment | null;
    if (!att) return;
    if (att.role === 'agent') {
      if (typeof message === 'string') return;
      let frames: Frame[];
      try {
        frames = decodeFrames(new Uint8Array(message));
      } catch (err) {
        ws.close(1002, (err as Error).message);
        return;
      }
      this.fromAgent(ws, frames);
      return;
    }
    if (typeof message === 'string') return; // v5 is binary only
    this.fromKubectl(att, new Uint8Array(message));
  }

  private fromAgent(agent: WebSocket, frames: Frame[]): void {
    const replies: Frame[] = [];
    const now = Date.now();
    for (const f of frames) {
      if (f.type === FrameType.WINDOW) {
        const up = this.ups.get(f.sid);
        if (up) {
          const ready = up.grant(windowBytes(f), now);
          replies.push(...ready);
        }
        continue;
      }
      const pf = this.forwards.get(f.sid);
      if (pf) {
        pf.fromAgent(f);
        if (f.type === FrameType.DATA) replies.push(windowFrame(f.sid, f.payload.byteLength));
        continue;
      }
      const ws = this.ctx.getWebSockets(`sid:${f.sid}`)[0];
      if (!ws) {
        if (f.type !== FrameType.RESET && f.type !== FrameType.EXIT)
          replies.push(frame(FrameType.RESET, f.sid, 0, 'no such session'));
        continue;
      }
      switch (f.type) {
        case FrameType.DATA:
          try {
            ws.send(concat(f.chan, f.payload));
          } catch {
            // kubectl's socket is closing; its close handler resets the session
          }
          replies.push(windowFrame(f.sid, f.payload.byteLength));
          break;
        case FrameType.EXIT:
          this.finish(ws, json<StreamStatus>(f.payload));
          break;
        case FrameType.RESET:
          this.finish(ws, failureStatus(text(f.payload)));
          break;
      }
    }
    if (replies.length) agent.send(encodeFrames(replies));
  }

  private fromKubectl(att: SessionAttachment, msg: Uint8Array): void {
    if (msg.byteLength === 0) return;
    const ch = msg[0];
    let f: Frame | undefined;
    if (ch === Channel.stdin) f = frame(FrameType.DATA, att.sid, 0, msg.slice(1));
    else if (ch === Channel.close && msg.byteLength >= 2) f = frame(FrameType.EOF, att.sid, msg[1]);
    else if (ch === Channel.resize) f = frame(FrameType.RESIZE, att.sid, 0, msg.slice(1));
    if (f && !this.toAgent(att.sid, f))
      this.resetSession(
        att.sid,
        'stream buffer overflow: the container did not read its input fast enough',
      );
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    const att = ws.deserializeAttachment() as Attachment | null;
    if (!att) return;
    if (att.role === 'agent') {
      this.endSessionsOf(
        att,
        `the tunnel to node ${att.node} closed (${code}${reason ? ` ${reason}` : ''})`,
      );
      return;
    }
    // kubectl left: the agent ends an exec (kills it) or detaches an attach. After an EXIT the agent
    // has forgotten the session already and ignores this.
    this.ups.delete(att.sid);
    this.agent()?.send(
      encodeFrames([frame(FrameType.RESET, att.sid, 0, 'the client closed the stream')]),
    );
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.webSocketClose(ws, 1006, 'error');
  }
}

export function concat(first: number, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(rest.byteLength + 1);
  out[0] = first;
  out.set(rest, 1);
  return out;
}
