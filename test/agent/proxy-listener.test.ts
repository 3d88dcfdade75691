// The proxy's parts without an API: round-robin choice, one listener's forwarding, and the host lock fallback.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostLock, probeReusePort } from '../../src/agent/proxy/host-sharing';
import { ServiceListener } from '../../src/agent/proxy/listener';
import { RoundRobin } from '../../src/agent/proxy/round-robin';
import type { Backend } from '../../src/agent/proxy/rules';

const b = (ip: string, port = 80): Backend => ({ ip, port });

describe('round robin', () => {
  it('rotates over the backends and skips the ones a connection already failed on', () => {
    const rr = new RoundRobin();
    rr.update([b('127.0.0.10'), b('127.0.0.11'), b('127.0.0.12')]);
    expect([1, 2, 3, 4].map(() => rr.pick()!.ip)).toEqual([
      '127.0.0.10',
      '127.0.0.11',
      '127.0.0.12',
      '127.0.0.10',
    ]);
    expect(rr.pick(undefined, new Set(['127.0.0.11:80', '127.0.0.12:80']))!.ip).toBe('127.0.0.10');
    expect(
      rr.pick(undefined, new Set(['127.0.0.10:80', '127.0.0.11:80', '127.0.0.12:80'])),
    ).toBeUndefined();
  });

  it('answers nothing without backends, and keeps its place across an update', () => {
    const rr = new RoundRobin();
    expect(rr.pick()).toBeUndefined();
    rr.update([b('127.0.0.10'), b('127.0.0.11')]);
    rr.pick();
    rr.update([b('127.0.0.10'), b('127.0.0.11'), b('127.0.0.12')]);
    expect(rr.pick()!.ip).toBe('127.0.0.11');
  });

  it('keeps a client on one backend under ClientIP affinity until the timeout or until the backend leaves', () => {
    let now = 0;
    const rr = new RoundRobin(() => now);
    rr.update([b('127.0.0.10'), b('127.0.0.11')], 10);
    const first = rr.pick('127.0.0.1')!.ip;
    expect([1, 2, 3].map(() => rr.pick('127.0.0.1')!.ip)).toEqual([first, first, first]);
    expect(rr.pick('127.0.0.5')!.ip).not.toBe(first);
    now += 11_000;
    // Expired: the client takes the rotation's turn again, so the rotation moves on.
    const fresh = rr.pick('127.0.0.1')!.ip;
    expect(rr.pick()!.ip).not.toBe(fresh);
    const stuck = rr.pick('127.0.0.1')!.ip;
    expect(stuck).toBe(fresh);
    rr.update(
      [b('127.0.0.10'), b('127.0.0.11')].filter((x) => x.ip !== stuck),
      10,
    );
    expect(rr.pick('127.0.0.1')!.ip).not.toBe(stuck);
  });
});

// ---- One listener, with real sockets on loopback ----

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function tcpServer(
  host: string,
  onSocket: (s: net.Socket) => void,
  opts: net.ServerOpts = {},
): Promise<number> {
  const server = net.createServer(opts, onSocket);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  cleanup.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return new Promise((resolve) =>
    server.listen({ host, port: 0 }, () => resolve((server.address() as net.AddressInfo).port)),
  );
}

async function proxyTo(
  pick: (clientIp: string | undefined, tried: ReadonlySet<string>) => Backend | undefined,
) {
  const listener = new ServiceListener({ host: '127.0.0.20', port: 0, reusePort: false, pick });
  await listener.listen();
  cleanup.push(() => listener.close(false));
  return { listener, port: listener.address()!.port };
}

function connect(port: number, host = '127.0.0.20', allowHalfOpen = false): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, allowHalfOpen }, () => resolve(s));
    s.once('error', reject);
    cleanup.push(() => void s.destroy());
  });
}

const readAll = (s: net.Socket) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });

describe('service listener', () => {
  it('passes a half-close on: the client ends its side and still receives the whole answer', async () => {
    // The backend answers only after the request side is closed, as `nc -N` or an rsh-style protocol would need.
    const port = await tcpServer(
      '127.0.0.21',
      (s) => {
        const got: Buffer[] = [];
        s.on('data', (c: Buffer) => got.push(c));
        s.on('end', () => s.end(`got ${Buffer.concat(got).length} bytes`));
      },
      { allowHalfOpen: true },
    );
    const { port: front } = await proxyTo(() => b('127.0.0.21', port));
    const client = await connect(front, '127.0.0.20', true);
    client.end('hello world');
    expect((await readAll(client)).toString()).toBe('got 11 bytes');
  });

  it('carries 16 MiB both ways intact', async () => {
    const port = await tcpServer('127.0.0.21', (s) => s.pipe(s));
    const { port: front } = await proxyTo(() => b('127.0.0.21', port));
    const client = await connect(front, '127.0.0.20', true);
    const payload = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 4) payload.writeUInt32LE(i, i);
    const echoed = readAll(client);
    client.end(payload);
    expect((await echoed).equals(payload)).toBe(true);
  });

  it('dials the next endpoint when one refuses, before the client sends anything anywhere', async () => {
    const port = await tcpServer('127.0.0.22', (s) => s.end('from .22'));
    // Nothing listens on 127.0.0.23 at this port: that endpoint refuses.
    const rr = new RoundRobin();
    rr.update([b('127.0.0.23', port), b('127.0.0.22', port)]);
    const { listener, port: front } = await proxyTo((ip, tried) => rr.pick(ip, tried));
    for (let i = 0; i < 4; i++)
      expect((await readAll(await connect(front))).toString()).toBe('from .22');
    expect(listener.stats).toMatchObject({ accepted: 4, rejected: 0 });
  });

  it('resets a connection at once when no endpoint is left', async () => {
    const { listener, port: front } = await proxyTo(() => undefined);
    // On loopback the reset often lands before the client has even seen its connect complete.
    const err = await new Promise<NodeJS.ErrnoException>((resolve) =>
      net.connect({ host: '127.0.0.20', port: front }).once('error', resolve),
    );
    expect(err.code).toBe('ECONNRESET');
    expect(listener.stats.rejected).toBe(1);
  });

  it('closes both sides when the backend resets', async () => {
    const port = await tcpServer('127.0.0.21', (s) => s.once('data', () => s.resetAndDestroy()));
    const { listener, port: front } = await proxyTo(() => b('127.0.0.21', port));
    const client = await connect(front);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.on('error', () => {});
    client.write('x');
    await closed;
    await new Promise((r) => setTimeout(r, 20));
    expect(listener.stats.active).toBe(0);
  });

  it('stops accepting on a draining close while open connections carry on', async () => {
    const port = await tcpServer('127.0.0.21', (s) => s.on('data', (c: Buffer) => s.write(c)));
    const { listener, port: front } = await proxyTo(() => b('127.0.0.21', port));
    const client = await connect(front);
    await listener.close(true);
    await expect(connect(front)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const echo = new Promise<string>((resolve) =>
      client.once('data', (c: Buffer) => resolve(c.toString())),
    );
    client.write('still here');
    expect(await echo).toBe('still here');
  });
});

describe('host sharing', () => {
  it('finds SO_REUSEPORT working on this Node', async () => {
    // Node 24 on Linux: the test runner runs the repository's Node (node_modules/.bin/node).
    expect(
      await probeReusePort(),
      'SO_REUSEPORT needs Node >= 23.1 on Linux: put node_modules/.bin first on PATH',
    ).toBe(true);
  });

  it('gives the host lock to one proxy, then to the next when it is released', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proxy-lock-')), 'lock');
    cleanup.push(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
    const [one, two] = [new HostLock(file), new HostLock(file)];
    expect(one.acquire()).toBe(true);
    expect(two.acquire()).toBe(false);
    expect(one.acquire()).toBe(true);
    one.release();
    expect(two.acquire()).toBe(true);
    expect(one.acquire()).toBe(false);
  });

  it('takes over a lock whose owner process is gone', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proxy-lock-')), 'lock');
    cleanup.push(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], {
      encoding: 'utf8',
    });
    fs.writeFileSync(file, JSON.stringify({ pid: Number(dead.stdout.trim()), id: 'gone' }));
    expect(new HostLock(file).acquire()).toBe(true);
  });
});
