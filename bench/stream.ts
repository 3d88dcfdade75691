// `npm run bench -- stream [--mib 128] [--pings 500]`: exec and port-forward through the node tunnel
// against `edgeplane dev --agents 1 --runtime process` on this machine.
//   exec: sessions opened and finished per second (v5.channel.k8s.io client, no kubectl start-up in
//         the loop), and stdin→stdout round trips per second inside one `cat` session;
//   port-forward: MiB/s of a bulk download through kubectl → Worker → NodeTunnel DO → agent → pod,
//         next to the same download over a direct TCP connection to the pod IP;
//   relay latency: 1-byte echo round trips through port-forward and exec vs direct TCP (p50/p99).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { cleanupClusters, killGroup, startCluster, type Cluster } from '../test/helpers/cluster';
import { summarize } from './stats';
import { ms, rate, ratio, table } from './table';

const ECHO_SERVER = `
import os, socket, threading
def serve(port, handler):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((os.environ['POD_IP'], port)); s.listen(64)
    while True:
        c, _ = s.accept(); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=handler, args=(c,), daemon=True).start()
def echo(c):
    while True:
        d = c.recv(65536)
        if not d: break
        c.sendall(d)
    c.close()
def bulk(c):
    n = int(c.recv(64).decode().strip()) * 1024 * 1024
    block = bytes(256 * 1024)
    while n > 0:
        c.sendall(block[:min(n, len(block))]); n -= len(block)
    c.close()
threading.Thread(target=serve, args=(7000, echo), daemon=True).start()
serve(7001, bulk)
`;

export async function streamBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      mib: { type: 'string', default: '128' },
      pings: { type: 'string', default: '500' },
      sessions: { type: 'string', default: '50' },
    },
  });
  const mib = Number(values.mib);
  const pings = Number(values.pings);
  const sessions = Number(values.sessions);
  console.log('starting edgeplane dev --agents 1 --runtime process ...');
  const c = await startCluster({ extraArgs: ['--agents', '1', '--runtime', 'process'] });
  const children: ChildProcess[] = [];
  try {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bench' },
      spec: {
        containers: [
          {
            name: 'srv',
            image: 'python',
            env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
            command: ['python3', '-c', ECHO_SERVER],
          },
        ],
      },
    };
    await must(c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) }));
    await must(
      c.kubectl(['wait', '--for=condition=Ready', 'pod/bench', '--timeout=60s'], {
        timeoutMs: 70_000,
      }),
    );
    const podIP = (
      await must(c.kubectl(['get', 'pod', 'bench', '-o', 'jsonpath={.status.podIP}']))
    ).trim();
    await until(() => canConnect(podIP, 7000), 20_000);

    // exec: whole sessions, then round trips inside one session.
    const ca = fs.readFileSync(path.join(c.stateDir, 'tls', 'server.crt'));
    const execUrl = (cmd: string[], stdin: boolean) =>
      `${c.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/bench/exec?${cmd.map((x) => `command=${encodeURIComponent(x)}`).join('&')}&stdout=true${stdin ? '&stdin=true' : ''}`;
    const open = (url: string) =>
      new WebSocket(url, 'v5.channel.k8s.io', {
        ca,
        headers: { authorization: `Bearer ${c.token}` },
      });
    let t0 = performance.now();
    for (let i = 0; i < sessions; i++) {
      const ws = open(execUrl(['true'], false));
      await new Promise<void>((resolve, reject) => {
        ws.on('message', (d: Buffer) => d[0] === 3 && resolve());
        ws.on('error', reject);
      });
      ws.close();
    }
    const sessionsPerSec = sessions / ((performance.now() - t0) / 1000);

    const cat = open(execUrl(['cat'], true));
    await new Promise((r) => cat.once('open', r));
    const execRtt: number[] = [];
    let pending: (() => void) | undefined;
    cat.on('message', (d: Buffer) => d[0] === 1 && d.length > 1 && pending?.());
    t0 = performance.now();
    for (let i = 0; i < pings; i++) {
      const at = performance.now();
      await new Promise<void>((r) => {
        pending = r;
        cat.send(Buffer.from([0, 0x61]));
      });
      execRtt.push(performance.now() - at);
    }
    const execRttPerSec = pings / ((performance.now() - t0) / 1000);
    cat.send(Buffer.from([255, 0]));
    cat.close();

    // port-forward vs direct.
    const pf = spawn(
      'kubectl',
      ['--kubeconfig', c.kubeconfig, 'port-forward', 'pod/bench', ':7000', ':7001'],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    children.push(pf);
    let out = '';
    pf.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => (out.match(/Forwarding from 127\.0\.0\.1:\d+/g) ?? []).length >= 2, 20_000);
    const [echoPort, bulkPort] = [...out.matchAll(/Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/g)]
      .sort((a, b) => Number(a[2]) - Number(b[2]))
      .map((m) => Number(m[1]));

    const directBulk = await download(podIP, 7001, mib);
    const tunnelBulk = await download('127.0.0.1', bulkPort, mib);
    const directRtt = await echoRtt(podIP, 7000, pings);
    const tunnelRtt = await echoRtt('127.0.0.1', echoPort, pings);

    const d = summarize(directRtt);
    const t = summarize(tunnelRtt);
    const e = summarize(execRtt);
    console.log(
      `\nload average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${os.cpus().length} CPUs: every figure drops on a busy machine`,
    );
    console.log(`\nexec (v5.channel.k8s.io through the NodeTunnel DO; process runtime)`);
    console.log(
      table(
        ['measure', 'value'],
        [
          [
            'exec sessions/s (open, run `true`, exit status, close; sequential)',
            rate(sessionsPerSec),
          ],
          ['stdin→stdout round trips/s in one `cat` session', rate(execRttPerSec)],
        ],
      ),
    );
    console.log(`\nport-forward throughput (${mib} MiB download)`);
    console.log(
      table(
        ['path', 'MiB/s', 'vs direct'],
        [
          ['direct TCP to the pod IP', directBulk.toFixed(1), '1.00x'],
          [
            'kubectl port-forward → Worker → NodeTunnel DO → agent',
            tunnelBulk.toFixed(1),
            ratio(tunnelBulk, directBulk),
          ],
        ],
      ),
    );
    console.log(`\n1-byte echo round trip, ms (${pings} sequential)`);
    console.log(
      table(
        ['path', 'p50', 'p99', 'added p50'],
        [
          ['direct TCP', ms(d.p50), ms(d.p99), '-'],
          ['port-forward through the tunnel', ms(t.p50), ms(t.p99), ms(t.p50 - d.p50)],
          ['exec stdin→stdout (cat) through the tunnel', ms(e.p50), ms(e.p99), ms(e.p50 - d.p50)],
        ],
      ),
    );
  } finally {
    for (const ch of children) if (ch.exitCode === null) killGroup(ch.pid!, 'SIGKILL');
    await cleanupClusters();
  }
}

async function must(
  p: Promise<{ code: number | null; stdout: string; stderr: string }>,
): Promise<string> {
  const r = await p;
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Asks the bulk server for `mib` MiB and answers MiB/s. */
function download(host: string, port: number, mib: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let got = 0;
    const s = net.connect(port, host, () => s.write(`${mib}\n`));
    s.on('data', (d: Buffer) => (got += d.length));
    s.on('close', () =>
      got === mib * 1024 * 1024
        ? resolve(mib / ((performance.now() - started) / 1000))
        : reject(new Error(`got ${got} of ${mib} MiB from ${host}:${port}`)),
    );
    s.on('error', reject);
  });
}

async function echoRtt(host: string, port: number, n: number): Promise<number[]> {
  const s = net.connect(port, host);
  s.setNoDelay(true);
  await new Promise((r) => s.once('connect', r));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = performance.now();
    await new Promise<void>((r) => {
      s.once('data', () => r());
      s.write('x');
    });
    out.push(performance.now() - at);
  }
  s.destroy();
  return out;
}

async function until(fn: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}
