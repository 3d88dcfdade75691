// The same workload against etcd, when `etcd` is on PATH: 1 KiB puts and watches over its HTTP/JSON gateway.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  driveWatch,
  driveWrites,
  WATCHERS,
  WRITERS,
  type Layer,
  type WatchCell,
  type WriteCell,
} from './layer';
import { send, streamLines, type Target } from './http';

export function findEtcd(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const bin = path.join(dir, 'etcd');
    if (dir && fs.existsSync(bin)) return bin;
  }
  return undefined;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function etcdLayer(
  bin: string,
  opts: { seconds: number; events: number; bytes: number },
): Promise<Layer> {
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' })
    .split('\n')[0]
    .replace(/^etcd Version:\s*/, '');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-bench-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const log = fs.openSync(path.join(dir, 'etcd.log'), 'w');
  const proc = spawn(
    bin,
    [
      '--name',
      'bench',
      '--data-dir',
      path.join(dir, 'data'),
      '--logger',
      'zap',
      '--log-level',
      'error',
      '--listen-client-urls',
      `http://127.0.0.1:${client}`,
      '--advertise-client-urls',
      `http://127.0.0.1:${client}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-cluster',
      `bench=http://127.0.0.1:${peer}`,
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  const base = `http://127.0.0.1:${client}`;
  const target = (sockets: number): Target => ({
    base,
    agent: new http.Agent({ keepAlive: true, maxSockets: sockets }),
  });
  try {
    await waitHealthy(target(1), proc.pid!, dir);
    const value = b64('x'.repeat(opts.bytes));
    const put = (t: Target, key: string) =>
      send(t, 'POST', '/v3/kv/put', JSON.stringify({ key: b64(key), value })).then(
        (r) => r.status === 200,
      );
    const writes: WriteCell[] = [];
    const watches: WatchCell[] = [];
    const warm = target(4);
    await driveWrites('etcd', 4, 300, (w, i) => put(warm, `/bench/warm/${w}/${i}`));
    warm.agent.destroy();
    for (const writers of WRITERS) {
      const t = target(writers);
      writes.push(
        await driveWrites('etcd', writers, opts.seconds * 1000, (w, i) =>
          put(t, `/bench/c${writers}/${w}/${i}`),
        ),
      );
      t.agent.destroy();
    }
    for (const watchers of WATCHERS) {
      const prefix = `/bench/watch-${watchers}/`;
      const t = target(4);
      const head = JSON.parse(
        (await send(t, 'POST', '/v3/kv/range', JSON.stringify({ key: b64(prefix) }))).body,
      ) as { header: { revision: string } };
      const create = {
        key: b64(prefix),
        range_end: b64(prefix.slice(0, -1) + '0'),
        start_revision: String(Number(head.header.revision) + 1),
      };
      const watchTarget: Target = {
        base,
        agent: new http.Agent({ keepAlive: false, maxSockets: Infinity }),
      };
      watches.push(
        await driveWatch({
          shards: 'etcd',
          watchers,
          writes: opts.events,
          open: (onName) =>
            streamLines(
              watchTarget,
              'POST',
              '/v3/watch',
              JSON.stringify({ create_request: create }),
              (line) => {
                const msg = JSON.parse(line) as { result?: { events?: { kv: { key: string } }[] } };
                for (const e of msg.result?.events ?? [])
                  onName(Buffer.from(e.kv.key, 'base64').toString().slice(prefix.length));
              },
            ),
          write: (name) => put(t, prefix + name),
        }),
      );
      t.agent.destroy();
      watchTarget.agent.destroy();
    }
    return {
      title: `etcd ${version} (single member, HTTP/JSON gateway: POST /v3/kv/put with 1 KiB values, /v3/watch streams)`,
      writes,
      watches,
    };
  } finally {
    try {
      process.kill(-proc.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      // stopped on SIGTERM
    }
    fs.closeSync(log);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function waitHealthy(t: Target, pid: number, dir: string): Promise<void> {
  for (const end = Date.now() + 30_000; Date.now() < end;) {
    try {
      const r = await send(t, 'GET', '/health');
      if (r.status === 200 && r.body.includes('true')) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `etcd (pid ${pid}) did not become healthy in 30 s; its log: ${fs.readFileSync(path.join(dir, 'etcd.log'), 'utf8').slice(-2000)}`,
  );
}
