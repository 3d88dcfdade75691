// The agent's own WebSocket client against the `ws` server: frames of every length class round-trip
// (masking by words must equal masking by bytes at any buffer offset), text pings, close codes, and a
// refused upgrade reports the server's Status message.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { connectWs } from '../../src/agent/tunnel/ws-client';

let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer();
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (p: Set<string>) =>
      p.has('edgeplane.tunnel.v1') ? 'edgeplane.tunnel.v1' : false,
  });
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/refuse') {
      const body = JSON.stringify({ kind: 'Status', message: 'node credential required' });
      socket.end(
        `HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(
      req,
      socket,
      head,
      (ws: {
        on: (e: string, f: (data: Buffer, binary: boolean) => void) => void;
        send: (d: Buffer, o: { binary: boolean }) => void;
        close: (code: number, reason: string) => void;
      }) => {
        ws.on('message', (data: Buffer, binary: boolean) => {
          if (!binary && data.toString() === 'bye') return ws.close(4001, 'asked to');
          ws.send(data, { binary });
        });
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => server.close());

describe('agent WebSocket client', () => {
  it('round-trips binary messages of every length class and text', async () => {
    const ws = await connectWs({ url: `${url}/echo`, protocol: 'edgeplane.tunnel.v1' });
    const sizes = [0, 1, 3, 125, 126, 127, 1000, 65535, 65536, 1024 * 1024 + 3];
    const got: Buffer[] = [];
    ws.on('message', (d: Buffer, binary: boolean) =>
      got.push(binary ? d : Buffer.from(`text:${d.toString()}`)),
    );
    const sent = sizes.map((n) => randomBytes(n + 1).subarray(1)); // odd offsets into the buffer
    for (const s of sent) ws.send(s);
    ws.send('ping');
    await until(() => got.length === sizes.length + 1);
    for (let i = 0; i < sizes.length; i++)
      expect(Buffer.compare(got[i], sent[i]), `size ${sizes[i]}`).toBe(0);
    expect(got[sizes.length].toString()).toBe('text:ping');
    const closed = new Promise<number>((r) => ws.once('close', (code: number) => r(code)));
    ws.send('bye');
    expect(await closed).toBe(4001);
  });

  it('a refused upgrade rejects with the status', async () => {
    await expect(
      connectWs({ url: `${url}/refuse`, protocol: 'edgeplane.tunnel.v1' }),
    ).rejects.toThrow('tunnel upgrade refused: HTTP 403: node credential required');
  });
});

async function until(fn: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
