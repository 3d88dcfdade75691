// The NodeTunnel Durable Object inside workerd, driven through the API Worker with raw WebSockets
// (the agent's side and kubectl's side): relay of an exec with its exit Status and close 1000, a
// node without tunnel answering 503 before any upgrade, and a reconnecting agent replacing the old
// tunnel, whose sessions end with an error.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import { testEnv } from './helpers';
import {
  decodeFrames,
  encodeFrames,
  frame,
  FrameType,
  type Frame,
  type OpenRequest,
} from '../../src/tunnel/frames';
import { exitStatus } from '../../src/tunnel/exit-status';

const auth = { Authorization: `Bearer ${testEnv.ADMIN_TOKEN}` };

interface Socket {
  ws: WebSocket;
  messages: Uint8Array[];
  closed: Promise<{ code: number; reason: string }>;
  next(pred: (m: Uint8Array) => boolean): Promise<Uint8Array>;
}

function wrap(ws: WebSocket): Socket {
  (ws as WebSocket & { binaryType: string }).binaryType = 'arraybuffer';
  const messages: Uint8Array[] = [];
  const waiters: (() => void)[] = [];
  ws.accept();
  ws.addEventListener('message', (e) => {
    if (typeof e.data !== 'string') messages.push(new Uint8Array(e.data as ArrayBuffer));
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.addEventListener('close', (e) => r({ code: e.code, reason: e.reason })),
  );
  return {
    ws,
    messages,
    closed,
    async next(pred) {
      for (;;) {
        const i = messages.findIndex(pred);
        if (i >= 0) return messages.splice(i, 1)[0];
        await new Promise<void>((r) => waiters.push(r));
      }
    },
  };
}

async function connectAgent(node: string): Promise<Socket> {
  const res = await SELF.fetch(`https://edgeplane.test/edgeplane/v1/nodes/${node}/tunnel`, {
    headers: { ...auth, Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'edgeplane.tunnel.v1' },
  });
  expect(res.status).toBe(101);
  return wrap(res.webSocket!);
}

async function boundPod(node: string): Promise<string> {
  const c = apiClient();
  const ns = await freshNamespace(c);
  await c.create(
    'pods',
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: ns },
      spec: { nodeName: node, containers: [{ name: 'app', image: 'x' }] },
    },
    { namespace: ns },
  );
  return ns;
}

const execUrl = (ns: string) =>
  `https://edgeplane.test/api/v1/namespaces/${ns}/pods/p/exec?command=sh&command=-c&command=x&container=app&stdin=true&stdout=true&stderr=true`;
const openExec = (ns: string) =>
  SELF.fetch(execUrl(ns), {
    headers: { ...auth, Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' },
  });
const agentFrames = async (agent: Socket, type: number): Promise<Frame> =>
  decodeFrames(await agent.next((m) => decodeFrames(m).some((f) => f.type === type))).find(
    (f) => f.type === type,
  )!;

describe('NodeTunnel', () => {
  it('relays an exec: OPEN to the agent, stdin and its close signal up, stdout and the exit Status down, then close 1000', async () => {
    const node = `n-${crypto.randomUUID().slice(0, 8)}`;
    const agent = await connectAgent(node);
    const ns = await boundPod(node);
    const res = await openExec(ns);
    expect(res.status).toBe(101);
    expect(res.headers.get('Sec-WebSocket-Protocol')).toBe('v5.channel.k8s.io');
    const k = wrap(res.webSocket!);
    const open = await agentFrames(agent, FrameType.OPEN);
    const req = JSON.parse(new TextDecoder().decode(open.payload)) as OpenRequest;
    expect(req).toMatchObject({
      kind: 'exec',
      namespace: ns,
      pod: 'p',
      container: 'app',
      command: ['sh', '-c', 'x'],
      stdin: true,
      stdout: true,
      stderr: true,
      tty: false,
    });
    expect([...(await k.next(() => true))]).toEqual([1]); // "connected" on the first writable channel

    k.ws.send(new Uint8Array([0, 0x68, 0x69]));
    k.ws.send(new Uint8Array([255, 0]));
    const stdin = await agentFrames(agent, FrameType.DATA);
    expect([...stdin.payload]).toEqual([0x68, 0x69]);
    expect((await agentFrames(agent, FrameType.EOF)).chan).toBe(0);

    agent.ws.send(
      encodeFrames([
        frame(FrameType.DATA, open.sid, 1, 'out'),
        frame(FrameType.EXIT, open.sid, 0, JSON.stringify(exitStatus(3))),
      ]),
    );
    expect(new TextDecoder().decode(await k.next((m) => m[0] === 1 && m.length > 1))).toBe(
      '\x01out',
    );
    const status = JSON.parse(
      new TextDecoder().decode((await k.next((m) => m[0] === 3)).subarray(1)),
    );
    expect(status).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    expect((await k.closed).code).toBe(1000);
    // The DO granted the stdout bytes back to the agent.
    expect((await agentFrames(agent, FrameType.WINDOW)).sid).toBe(open.sid);
    agent.ws.close(1000, 'done');
  });

  it('a node without a tunnel answers 503 before any upgrade', async () => {
    const ns = await boundPod(`n-${crypto.randomUUID().slice(0, 8)}`);
    const res = await openExec(ns);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      reason: 'ServiceUnavailable',
      code: 503,
    });
    expect(((await (await openExec(ns)).json()) as { message: string }).message).toMatch(
      /^node n-\w+ has no tunnel connected/,
    );
  });

  it("a reconnecting agent replaces the old tunnel, and the old tunnel's sessions end with an error", async () => {
    const node = `n-${crypto.randomUUID().slice(0, 8)}`;
    const first = await connectAgent(node);
    const ns = await boundPod(node);
    const k = wrap((await openExec(ns)).webSocket!);
    await agentFrames(first, FrameType.OPEN);
    const second = await connectAgent(node);
    expect((await first.closed).code).toBe(1012);
    const status = JSON.parse(
      new TextDecoder().decode((await k.next((m) => m[0] === 3)).subarray(1)),
    );
    expect(status).toMatchObject({ status: 'Failure', reason: 'InternalError' });
    expect(status.message).toContain('the node agent reconnected');
    // New sessions go to the new tunnel.
    const again = wrap((await openExec(ns)).webSocket!);
    expect((await agentFrames(second, FrameType.OPEN)).type).toBe(FrameType.OPEN);
    again.ws.close(1000, '');
    second.ws.close(1000, '');
  });
});
