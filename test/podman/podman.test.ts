// The podman lane end to end: `edgeplane dev --agents 1 --runtime podman` (one node on 127.0.0.2) and the
// real kubectl: busybox httpd behind a NodePort, an image that cannot be pulled, and graceful deletion.
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../agent/helpers';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import { apply, getJson, isReady, pods, type KObj } from '../helpers/control-plane';
import {
  BUSYBOX_IMAGE,
  ensureBusyboxImage,
  podContainers,
  removeOwned,
  requirePodman,
} from './setup';

const NODE_ADDRESS = '127.0.0.2';
// Not 8080: other local clusters' pods may hold <podIP>:8080 on the same loopback addresses.
const PORT = 18080;

let c: Cluster;
let agentState: string;
/** Why the lane cannot run (podman missing, the cluster did not start): every test fails with it, none is skipped. */
let setupError: Error | undefined;

beforeAll(async () => {
  try {
    requirePodman();
    ensureBusyboxImage();
    c = await startCluster({ extraArgs: ['--agents', '1', '--runtime', 'podman'] });
    agentState = path.join(c.stateDir, 'agents', 'node-1');
  } catch (err) {
    setupError = err as Error;
  }
}, 180_000);

afterAll(async () => {
  await cleanupClusters();
  // The cluster's stop may not wait out every grace period; nothing it started may outlive the lane.
  if (agentState) removeOwned(agentState);
}, 120_000);

beforeEach(() => {
  if (setupError) throw setupError;
});

async function curl(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

const statusColumn = async (name: string) =>
  (await c.kubectl(['get', 'pod', name, '--no-headers'])).stdout.trim().split(/\s+/)[2];

describe('podman lane', () => {
  it('a node runs with the podman runtime', async () => {
    const node = await getJson<KObj>(c, '/api/v1/nodes/node-1');
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^podman:\/\/\d+\.\d+/);
  });

  it('a Deployment of busybox httpd serving a configMap volume answers on its pod IP and through a NodePort Service', async () => {
    await apply(
      c,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'site' },
        data: { 'index.html': 'hello from busybox in podman\n' },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'bb-web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'bb-web' } },
          template: {
            metadata: { labels: { app: 'bb-web' } },
            spec: {
              terminationGracePeriodSeconds: 3,
              containers: [
                {
                  name: 'httpd',
                  image: BUSYBOX_IMAGE,
                  imagePullPolicy: 'IfNotPresent',
                  command: ['httpd', '-f', '-p', String(PORT), '-h', '/www'],
                  ports: [{ containerPort: PORT }],
                  readinessProbe: {
                    httpGet: { path: '/index.html', port: PORT },
                    periodSeconds: 1,
                  },
                  volumeMounts: [{ name: 'site', mountPath: '/www' }],
                },
              ],
              volumes: [{ name: 'site', configMap: { name: 'site' } }],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'bb-web' },
        spec: {
          type: 'NodePort',
          selector: { app: 'bb-web' },
          ports: [{ port: 80, targetPort: PORT }],
        },
      },
    );
    const rollout = await c.kubectl(['rollout', 'status', 'deployment/bb-web', '--timeout=90s'], {
      timeoutMs: 100_000,
    });
    expect(rollout.code, `${rollout.stdout}${rollout.stderr}`).toBe(0);
    const [pod] = (await pods(c, 'app=bb-web')).filter(isReady);
    expect(pod.status?.containerStatuses?.[0]?.containerID).toMatch(/^podman:\/\/[0-9a-f]{64}$/);
    const podIP = pod.status!.podIP as string;
    expect(podIP.startsWith('127.')).toBe(true);
    expect(await curl(`http://${podIP}:${PORT}/index.html`)).toBe('hello from busybox in podman\n');
    const svc = await getJson<KObj>(c, '/api/v1/namespaces/default/services/bb-web');
    const nodePort = svc.spec.ports[0].nodePort as number;
    const body = await eventually(
      `curl ${NODE_ADDRESS}:${nodePort}`,
      () => curl(`http://${NODE_ADDRESS}:${nodePort}/index.html`),
      20_000,
      500,
    );
    expect(body).toBe('hello from busybox in podman\n');
  });

  it('a pod whose image cannot be pulled shows ErrImagePull, then ImagePullBackOff, in kubectl get pods', async () => {
    await apply(c, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'no-image' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'app', image: 'localhost/does-not-exist:1', imagePullPolicy: 'Always' },
        ],
      },
    });
    const seen: string[] = [];
    await eventually(
      'ErrImagePull then ImagePullBackOff',
      async () => {
        const s = await statusColumn('no-image');
        if (s && seen.at(-1) !== s) seen.push(s);
        return (
          seen.includes('ErrImagePull') &&
          seen.lastIndexOf('ImagePullBackOff') > seen.indexOf('ErrImagePull')
        );
      },
      90_000,
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; STATUS went ${seen.join(' -> ')}`);
    });
    const events = await c.kubectl([
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=no-image',
      '-o',
      'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}',
    ]);
    expect(events.stdout).toMatch(/failed to pull image "localhost\/does-not-exist:1"/);
    expect(events.stdout).toContain('Back-off pulling image "localhost/does-not-exist:1"');
    const del = await c.kubectl(['delete', 'pod', 'no-image', '--wait=true']);
    expect(del.code, del.stderr).toBe(0);
  });

  it("kubectl logs shows a podman container's output (stdout and stderr, from its CRI log file)", async () => {
    await apply(c, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'talker' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'talk',
            image: BUSYBOX_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            command: ['sh', '-c', 'echo hello from podman; echo to stderr >&2; exec sleep 3600'],
          },
        ],
      },
    });
    const out = await eventually(
      'kubectl logs talker',
      async () => {
        const r = await c.kubectl(['logs', 'talker']);
        return r.code === 0 && r.stdout.includes('to stderr') ? r.stdout : undefined;
      },
      60_000,
      1000,
    );
    expect(out).toBe('hello from podman\nto stderr\n');
    const del = await c.kubectl(['delete', 'pod', 'talker', '--wait=true'], { timeoutMs: 60_000 });
    expect(del.code, del.stderr).toBe(0);
  });

  it('kubectl delete pod stops the container within the grace period (SIGKILL for a PID 1 that ignores SIGTERM)', async () => {
    await apply(c, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sleeper' },
      spec: {
        terminationGracePeriodSeconds: 4,
        containers: [
          {
            name: 'sleep',
            image: BUSYBOX_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            command: ['sleep', '3600'],
          },
        ],
      },
    });
    const pod = await eventually(
      'sleeper running',
      async () => {
        const p = await getJson<KObj>(c, '/api/v1/namespaces/default/pods/sleeper');
        return p.status?.containerStatuses?.[0]?.state?.running ? p : undefined;
      },
      60_000,
      500,
    );
    const uid = pod.metadata.uid as string;
    expect(
      podContainers(agentState, uid).filter((x) => !x.sandbox && x.state === 'running'),
    ).toHaveLength(1);
    const t0 = Date.now();
    const del = await c.kubectl(['delete', 'pod', 'sleeper', '--wait=true'], { timeoutMs: 60_000 });
    expect(del.code, del.stderr).toBe(0);
    const took = Date.now() - t0;
    // sleep as PID 1 ignores SIGTERM, so it ends only when SIGKILL follows the 4 s grace period.
    expect(took).toBeGreaterThanOrEqual(3_500);
    expect(took).toBeLessThan(4_000 + 8_000);
    await eventually(
      "the pod's containers removed",
      async () => podContainers(agentState, uid).length === 0,
      15_000,
      250,
    );
  });
});
