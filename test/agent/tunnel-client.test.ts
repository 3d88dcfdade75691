// The agent's tunnel client: it stops at once even while the control plane accepts the connection
// but never answers the upgrade, and it redials after the tunnel drops.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { TunnelClient } from '../../src/agent/tunnel/tunnel-client';
import { FakeRuntime } from '../../src/agent/runtimes/fake';

const closers: (() => void)[] = [];
afterAll(() => closers.forEach((c) => c()));

describe('agent tunnel client', () => {
  it('stop() returns promptly while an upgrade hangs', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closers.push(() => silent.close());
    const logs: string[] = [];
    const t = new TunnelClient({
      server: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      token: 't',
      nodeName: 'n1',
      runtime: new FakeRuntime(),
      log: (m) => logs.push(m),
    });
    t.start();
    await new Promise((r) => setTimeout(r, 300));
    const at = Date.now();
    await t.stop();
    expect(Date.now() - at).toBeLessThan(1000);
  });

  it('sends the node credential, and redials after the server drops the tunnel', async () => {
    const server = http.createServer();
    const wss = new WebSocketServer({
      noServer: true,
      handleProtocols: () => 'edgeplane.tunnel.v1',
    });
    const seen: string[] = [];
    server.on('upgrade', (req, socket, head) => {
      seen.push(`${req.url} ${req.headers.authorization}`);
      wss.handleUpgrade(req, socket, head, (ws: { terminate(): void }) => {
        if (seen.length === 1) setTimeout(() => ws.terminate(), 100);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => server.close());
    const t = new TunnelClient({
      server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: 'cred',
      nodeName: 'n1',
      runtime: new FakeRuntime(),
      log: () => undefined,
    });
    t.start();
    const until = Date.now() + 5000;
    while (seen.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await t.stop();
    expect(seen.slice(0, 2)).toEqual([
      '/edgeplane/v1/nodes/n1/tunnel Bearer cred',
      '/edgeplane/v1/nodes/n1/tunnel Bearer cred',
    ]);
  });
});
