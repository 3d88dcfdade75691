// The podman lane for streams: exec, cp and port-forward into real containers (`edgeplane dev
// --agents 1 --runtime podman` and the real kubectl), through the node tunnel.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupClusters,
  killGroup,
  startCluster,
  tempDir,
  type Cluster,
} from '../helpers/cluster';
import { BUSYBOX_IMAGE, ensureBusyboxImage, removeOwned, requirePodman } from './setup';

let c: Cluster;
let agentState: string;
let setupError: Error | undefined;
const forwards: ChildProcess[] = [];
// Not 8080: other local clusters' pods may hold <podIP>:8080 on the same loopback addresses.
const PORT = 18090;

beforeAll(async () => {
  try {
    requirePodman();
    ensureBusyboxImage();
    c = await startCluster({ extraArgs: ['--agents', '1', '--runtime', 'podman'] });
    agentState = path.join(c.stateDir, 'agents', 'node-1');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bb' },
      spec: {
        containers: [
          {
            name: 'bb',
            image: BUSYBOX_IMAGE,
            imagePullPolicy: 'Never',
            command: [
              'sh',
              '-c',
              `mkdir -p /www && echo hello from podman > /www/index.html && exec httpd -f -p ${PORT} -h /www`,
            ],
            ports: [{ containerPort: PORT }],
          },
        ],
      },
    };
    const r = await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    if (r.code !== 0) throw new Error(r.stderr);
    const w = await c.kubectl(['wait', '--for=condition=Ready', 'pod/bb', '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    if (w.code !== 0) throw new Error(`pod bb not ready: ${w.stderr}`);
  } catch (err) {
    setupError = err as Error;
  }
}, 240_000);

afterAll(async () => {
  for (const f of forwards)
    if (f.exitCode === null && f.signalCode === null) killGroup(f.pid!, 'SIGKILL');
  await cleanupClusters();
  if (agentState) removeOwned(agentState);
}, 120_000);

beforeEach(() => {
  if (setupError) throw setupError;
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('podman lane: streams into real containers', () => {
  it('kubectl exec runs in the container: output, exit code, stdin through cat', async () => {
    expect(await c.kubectl(['exec', 'bb', '--', 'cat', '/www/index.html'])).toMatchObject({
      code: 0,
      stdout: 'hello from podman\n',
    });
    const three = await c.kubectl(['exec', 'bb', '--', 'sh', '-c', 'exit 3']);
    expect(three.code).toBe(3);
    expect(three.stderr).toContain('command terminated with exit code 3');
    expect(
      await c.kubectl(['exec', '-i', 'bb', '--', 'cat'], { input: 'round trip\n' }),
    ).toMatchObject({ code: 0, stdout: 'round trip\n' });
  });

  it('kubectl exec -it under script gets a terminal in the container', async () => {
    const cmd = `stty rows 33 cols 99; kubectl --kubeconfig ${c.kubeconfig} exec -it bb -- sh`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    forwards.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    setTimeout(() => child.stdin.write('stty size; exit 5\n'), 3000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(out).toContain('33 99');
    expect(code).toBe(5);
  }, 60_000);

  it('kubectl cp moves a 5 MiB file into the container and back byte for byte', async () => {
    const dir = tempDir('edgeplane-podman-cp-');
    const data = randomBytes(5 * 1024 * 1024);
    fs.writeFileSync(path.join(dir, 'in.bin'), data);
    const up = await c.kubectl(['cp', path.join(dir, 'in.bin'), 'bb:/www/big.bin'], {
      timeoutMs: 120_000,
    });
    expect(up.code, up.stderr).toBe(0);
    const inside = await c.kubectl(['exec', 'bb', '--', 'sha256sum', '/www/big.bin']);
    expect(inside.stdout.split(/\s+/)[0]).toBe(sha(data));
    const down = await c.kubectl(['cp', 'bb:/www/big.bin', path.join(dir, 'out.bin')], {
      timeoutMs: 120_000,
    });
    expect(down.code, down.stderr).toBe(0);
    expect(sha(fs.readFileSync(path.join(dir, 'out.bin')))).toBe(sha(data));
  }, 180_000);

  it('kubectl attach -i talks to the main process of a container with stdin', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'reader' },
      spec: {
        containers: [
          {
            name: 'r',
            image: BUSYBOX_IMAGE,
            imagePullPolicy: 'Never',
            stdin: true,
            stdinOnce: true,
            command: ['sh', '-c', 'while read l; do echo "got $l"; done; echo bye'],
          },
        ],
      },
    };
    expect((await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) })).code).toBe(0);
    expect(
      (
        await c.kubectl(['wait', '--for=condition=Ready', 'pod/reader', '--timeout=120s'], {
          timeoutMs: 130_000,
        })
      ).code,
    ).toBe(0);
    const r = await c.kubectl(['attach', '-i', 'reader'], {
      input: 'one\ntwo\n',
      timeoutMs: 60_000,
    });
    expect(r.stdout).toContain('got one\ngot two\n');
    expect(r.code).toBe(0);
  }, 180_000);

  it('kubectl port-forward reaches the container port: the page and the 5 MiB file', async () => {
    const child = spawn(
      'kubectl',
      ['--kubeconfig', c.kubeconfig, 'port-forward', 'pod/bb', `:${PORT}`],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    forwards.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const end = Date.now() + 20_000;
    while (!/Forwarding from 127\.0\.0\.1:(\d+)/.test(out)) {
      if (Date.now() > end) throw new Error(`port-forward did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const local = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)![1]);
    const page = await fetch(`http://127.0.0.1:${local}/index.html`, {
      signal: AbortSignal.timeout(20_000),
    });
    expect(await page.text()).toBe('hello from podman\n');
    const inside = await c.kubectl(['exec', 'bb', '--', 'sha256sum', '/www/big.bin']);
    const big = Buffer.from(
      await (
        await fetch(`http://127.0.0.1:${local}/big.bin`, { signal: AbortSignal.timeout(60_000) })
      ).arrayBuffer(),
    );
    expect(big.length).toBe(5 * 1024 * 1024);
    expect(sha(big)).toBe(inside.stdout.split(/\s+/)[0]);
  }, 120_000);
});
