// End to end: `kubectl get -w` prints changes that another client makes, for a namespace, one object and all namespaces.
import { spawn } from 'node:child_process';
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

beforeAll(async () => {
  c = await startCluster();
  for (const ns of ['watched', 'elsewhere']) {
    const res = await c.fetch('/api/v1/namespaces', {
      method: 'POST',
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }),
    });
    expect(res.status).toBe(201);
  }
  for (const name of ['alpha', 'beta']) await createPod('watched', name);
});

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

async function createPod(namespace: string, name: string): Promise<void> {
  const res = await c.fetch(`/api/v1/namespaces/${namespace}/pods`, {
    method: 'POST',
    body: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function labelPod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
): Promise<void> {
  const res = await c.fetch(`/api/v1/namespaces/${namespace}/pods/${name}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ metadata: { labels } }),
  });
  expect(res.status).toBe(200);
}

interface Watcher {
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches, or rejects with everything printed so far after timeoutMs. */
  waitFor(re: RegExp, timeoutMs: number): Promise<void>;
  exited(): boolean;
  stop(): void;
}

/** Spawns a long-running `kubectl get ... -w` in its own process group, stopped by its PID. */
function watchKubectl(args: string[]): Watcher {
  const cacheDir = path.join(tempDir('edgeplane-kube-cache-'), 'cache');
  const child = spawn('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', cacheDir, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let done = false;
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  child.on('exit', () => (done = true));
  return {
    stdout: () => out,
    stderr: () => err,
    exited: () => done,
    stop: () => killGroup(child.pid!, 'SIGKILL'),
    waitFor: async (re, timeoutMs) => {
      const until = Date.now() + timeoutMs;
      while (!re.test(out)) {
        if (Date.now() > until || done) {
          throw new Error(
            `kubectl ${args.join(' ')} did not print ${re} within ${timeoutMs} ms (exited: ${done}); stdout:\n${out}\nstderr:\n${err}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kubectl get -w', () => {
  it('get pods -w prints a new row when another client changes a pod', async () => {
    const w = watchKubectl(['get', 'pods', '-n', 'watched', '-w', '--show-labels']);
    try {
      await w.waitFor(/^beta\s.*app=beta$/m, 30_000);
      expect(w.stdout().split('\n')[0]).toMatch(
        /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+LABELS$/,
      );
      await labelPod('watched', 'alpha', { tier: 'frontend' });
      await w.waitFor(/^alpha\s+0\/1\s+Pending\s+0\s+\S+\s+app=alpha,tier=frontend$/m, 10_000);
      expect(w.exited()).toBe(false);
      expect(w.stderr()).toBe('');
    } finally {
      w.stop();
    }
  });

  it('get pod x -w on a single object prints its change and nothing about other pods', async () => {
    const w = watchKubectl(['get', 'pod', 'beta', '-n', 'watched', '-w', '--show-labels']);
    try {
      await w.waitFor(/^beta\s.*app=beta$/m, 30_000);
      // kubectl drops the watch's first (synthetic ADDED) event; give the watch a moment to open before changing the pod.
      await sleep(1_000);
      await labelPod('watched', 'alpha', { tier: 'ignored' });
      await labelPod('watched', 'beta', { tier: 'backend' });
      await w.waitFor(/^beta\s.*app=beta,tier=backend$/m, 10_000);
      expect(w.stdout()).not.toMatch(/^alpha/m);
      expect(w.exited()).toBe(false);
      expect(w.stderr()).toBe('');
    } finally {
      w.stop();
    }
  });

  it('get pods -w -o json prints the changed object of a plain JSON watch (the relayed path)', async () => {
    const w = watchKubectl([
      'get',
      'pods',
      '-n',
      'watched',
      '-w',
      '-o',
      'json',
      '--output-watch-events',
    ]);
    try {
      await w.waitFor(/"name":"beta"/, 30_000);
      await sleep(1_000);
      await labelPod('watched', 'beta', { tier: 'json' });
      await w.waitFor(/"type":"MODIFIED".*"tier":"json"/, 10_000);
      const modified = w.stdout().slice(w.stdout().lastIndexOf('"type":"MODIFIED"'));
      expect(modified).toMatch(/"resourceVersion":"\d+(\.\d+)*"/);
      expect(modified).toMatch(/"imagePullPolicy":"IfNotPresent"/);
      expect(w.exited()).toBe(false);
      expect(w.stderr()).toBe('');
    } finally {
      w.stop();
    }
  });

  it('get pods -A -w prints a pod created in another namespace', async () => {
    const w = watchKubectl(['get', 'pods', '-A', '-w']);
    try {
      await w.waitFor(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m, 30_000);
      await w.waitFor(/^watched\s+beta\s/m, 10_000);
      await createPod('elsewhere', 'gamma');
      await w.waitFor(/^elsewhere\s+gamma\s+0\/1\s+Pending\s+0\s+\S+$/m, 10_000);
      expect(w.exited()).toBe(false);
    } finally {
      w.stop();
    }
  });
});
