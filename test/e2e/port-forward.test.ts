// kubectl port-forward through the node tunnel (SPDY inside the WebSocket, relayed by the node's
// NodeTunnel DO to the agent, which dials the pod IP), against `edgeplane dev --runtime process`:
// a page through pod/NAME and svc/NAME, 20 parallel connections, a 64 MiB download that matches its
// checksum, a refused port, and a stalled connection that is reset alone while an exec keeps running.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupClusters,
  killGroup,
  startCluster,
  tempDir,
  type Cluster,
} from '../helpers/cluster';

let c: Cluster;
let www: string;
const forwards: ChildProcess[] = [];

const STALL_SERVER = `
import os, socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((os.environ['POD_IP'], 9000))
s.listen(8)
held = []
while True:
    conn, _ = s.accept()
    held.append(conn)  # accepted, never read: the sender must stall
`;

beforeAll(async () => {
  c = await startCluster({ extraArgs: ['--agents', '1', '--runtime', 'process'] });
  www = tempDir('edgeplane-pf-');
  fs.writeFileSync(path.join(www, 'index.html'), 'hello through the tunnel\n');
  fs.writeFileSync(path.join(www, 'big.bin'), randomBytes(64 * 1024 * 1024));
  const env = [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }];
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'python',
          workingDir: www,
          env,
          command: ['sh', '-c', 'exec python3 -m http.server 8080 --bind $POD_IP'],
          ports: [{ containerPort: 8080 }],
        },
        { name: 'stall', image: 'python', env, command: ['python3', '-c', STALL_SERVER] },
      ],
    },
  };
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
  };
  const shell = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'box' },
    spec: { containers: [{ name: 'box', image: 'busybox', command: ['sleep', '3600'] }] },
  };
  await kubectlOk(['apply', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod, svc, shell] }),
  });
  await kubectlOk(['wait', '--for=condition=Ready', 'pod/web', 'pod/box', '--timeout=60s'], {
    timeoutMs: 70_000,
  });
  // The page answers on the pod IP before any forward is tried.
  const ip = (await kubectlOk(['get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}'])).trim();
  await until(
    async () => (await get(`http://${ip}:8080/index.html`)).body.includes('hello'),
    20_000,
    'the web pod to serve',
  );
}, 180_000);

afterAll(async () => {
  for (const f of forwards)
    if (f.exitCode === null && f.signalCode === null) killGroup(f.pid!, 'SIGKILL');
  await cleanupClusters();
}, 60_000);

async function kubectlOk(
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<string> {
  const r = await c.kubectl(args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

interface Forward {
  port: number;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `kubectl port-forward TARGET :REMOTE` and waits for the local port it picked. */
async function portForward(target: string, remote: number): Promise<Forward> {
  const child = spawn(
    'kubectl',
    ['--kubeconfig', c.kubeconfig, 'port-forward', target, `:${remote}`],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  forwards.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  await until(
    () => /Forwarding from 127\.0\.0\.1:(\d+)/.test(out),
    20_000,
    `kubectl port-forward ${target} to listen (${out})`,
  );
  return {
    port: Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)![1]),
    child,
    output: () => out,
    exited,
  };
}

function get(
  url: string,
  timeoutMs = 60_000,
): Promise<{ status: number; body: string; sha: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      const hash = createHash('sha256');
      let body = '';
      let bytes = 0;
      res.on('data', (d: Buffer) => {
        hash.update(d);
        bytes += d.length;
        if (body.length < 4096) body += d.toString();
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, sha: hash.digest('hex'), bytes }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

describe('kubectl port-forward through the node tunnel', () => {
  it('forwards pod/web: curl gets the page, twice in a row', async () => {
    const pf = await portForward('pod/web', 8080);
    for (let i = 0; i < 2; i++) {
      const r = await get(`http://127.0.0.1:${pf.port}/index.html`);
      expect(r).toMatchObject({ status: 200, body: 'hello through the tunnel\n' });
    }
    const curl = await new Promise<string>((resolve) => {
      const p = spawn('curl', ['-s', '--max-time', '20', `http://127.0.0.1:${pf.port}/index.html`]);
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.on('close', () => resolve(out));
    });
    expect(curl).toBe('hello through the tunnel\n');
  });

  it('forwards svc/web to its pod, 20 parallel connections all succeed, and 64 MiB arrives byte-identical', async () => {
    const pf = await portForward('svc/web', 80);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => get(`http://127.0.0.1:${pf.port}/index.html`)),
    );
    expect(results.map((r) => `${r.status} ${r.body}`)).toEqual(
      Array(20).fill('200 hello through the tunnel\n'),
    );
    const expected = createHash('sha256')
      .update(fs.readFileSync(path.join(www, 'big.bin')))
      .digest('hex');
    const big = await get(`http://127.0.0.1:${pf.port}/big.bin`, 120_000);
    expect(big.bytes).toBe(64 * 1024 * 1024);
    expect(big.sha).toBe(expected);
  }, 150_000);

  it("a refused port ends the session with kubectl's error", async () => {
    const pf = await portForward('pod/web', 9999);
    await get(`http://127.0.0.1:${pf.port}/`, 10_000).catch(() => undefined);
    const code = await Promise.race([
      pf.exited,
      new Promise<'running'>((r) => setTimeout(() => r('running'), 15_000)),
    ]);
    expect(code).toBe(1);
    expect(pf.output()).toMatch(
      /failed to connect to localhost:9999 inside namespace \\?"default\\?"/,
    );
    expect(pf.output()).toContain('lost connection to pod');
  }, 40_000);

  it('a stalled connection is reset alone: an exec beside it keeps running and the forward keeps serving', async () => {
    const pf = await portForward('pod/web', 9000);
    // Push far more than the tunnel buffers (1 MiB credit + 8 MiB per-session cap + kernel buffers) into a pod that never reads.
    const sock = net.connect(pf.port, '127.0.0.1');
    let sent = 0;
    const chunk = Buffer.alloc(256 * 1024, 7);
    const closed = new Promise<string>((resolve) => {
      sock.on('error', (e) => resolve(`error ${e.message}`));
      sock.on('close', () => resolve('closed'));
    });
    const pump = () => {
      while (sent < 128 * 1024 * 1024 && sock.write(chunk)) sent += chunk.length;
      if (sent < 128 * 1024 * 1024) sock.once('drain', pump);
    };
    sock.on('connect', pump);
    // Meanwhile an exec on the same node's tunnel streams lines with no delay from the stall.
    const started = Date.now();
    const exec = await c.kubectl(
      [
        'exec',
        'box',
        '--',
        'sh',
        '-c',
        'for i in 1 2 3 4 5 6 7 8 9 10; do echo tick $i; sleep 0.2; done',
      ],
      { timeoutMs: 30_000 },
    );
    expect(exec.code).toBe(0);
    expect(exec.stdout.split('\n').filter(Boolean)).toHaveLength(10);
    expect(Date.now() - started).toBeLessThan(15_000);
    // The stalled connection is reset by the tunnel (buffer cap or 30 s without credit), not left hanging.
    const how = await Promise.race([
      closed,
      new Promise<string>((r) => setTimeout(() => r('still open'), 60_000)),
    ]);
    expect(how).not.toBe('still open');
    sock.destroy();
    expect(pf.child.exitCode).toBe(null);
    const again = await portForward('pod/web', 8080);
    expect((await get(`http://127.0.0.1:${again.port}/index.html`)).body).toBe(
      'hello through the tunnel\n',
    );
  }, 120_000);
});

async function until(
  fn: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
