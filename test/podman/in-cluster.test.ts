// In-cluster API access from podman pods (`edgeplane dev --agents 1 --runtime podman`): the pod's
// ServiceAccount token, ca.crt and namespace are mounted at /var/run/secrets/kubernetes.io/
// serviceaccount and KUBERNETES_SERVICE_HOST/PORT name the API as slirp4netns reaches it
// (10.0.2.2:<port>). An unchanged @kubernetes/client-node in-cluster client runs inside the
// container (an image of this host's node binary and its libraries; busybox wget has no TLS that
// verifies a CA): it lists ConfigMaps with its token, verifying the API's certificate for 10.0.2.2,
// and is refused a Secret. A pod with automountServiceAccountToken: false gets no token.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../agent/helpers';
import { cleanupClusters, ROOT, startCluster, type Cluster } from '../helpers/cluster';
import { apply } from '../helpers/control-plane';
import { BUSYBOX_IMAGE, ensureBusyboxImage, podman, removeOwned, requirePodman } from './setup';

const NODE_IMAGE = 'localhost/edgeplane-node:test';
const CLIENT = path.join(ROOT, 'test', 'podman', 'in-cluster', 'client.mjs');
const MODULES = fs.realpathSync(path.join(ROOT, 'node_modules'));

let c: Cluster;
let agentState: string;
let setupError: Error | undefined;

/** This host's node binary with the shared libraries it loads, and busybox, as a local image. */
function ensureNodeImage(): void {
  if (podman(['image', 'exists', NODE_IMAGE]).code === 0) return;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-node-image-'));
  try {
    const copy = (file: string) => {
      const to = path.join(root, file);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(fs.realpathSync(file), to);
      fs.chmodSync(to, 0o755);
    };
    copy(process.execPath);
    const libs = spawnSync('ldd', [process.execPath], { encoding: 'utf8' }).stdout;
    for (const m of libs.matchAll(/(\/\S+\.so[^\s]*)/g)) copy(m[1]);
    if (process.execPath !== '/bin/node') {
      fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
      fs.symlinkSync(process.execPath, path.join(root, 'bin', 'node'));
    }
    fs.mkdirSync(path.join(root, 'tmp'), { mode: 0o1777 });
    fs.mkdirSync(path.join(root, 'etc'));
    fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    const tar = spawnSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 512 * 1024 * 1024 });
    if (tar.status !== 0) throw new Error(`tar of the node rootfs failed: ${tar.stderr}`);
    const imported = podman(
      ['import', '--change', 'ENV PATH=/bin:/usr/bin:/usr/local/bin', '-', NODE_IMAGE],
      tar.stdout,
    );
    if (imported.code !== 0) throw new Error(`podman import failed: ${imported.stderr}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

const RBAC = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'inc' } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: 'inc' } },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'seen-from-pod', namespace: 'inc' },
    data: { a: 'b' },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'read-configmaps', namespace: 'inc' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'reader', namespace: 'inc' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
    subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'inc' }],
  },
];

const mount = (name: string, p: string) => ({
  volume: { name, hostPath: { path: p, type: 'Directory' } },
  volumeMount: { name, mountPath: p, readOnly: true },
});

beforeAll(async () => {
  try {
    requirePodman();
    ensureBusyboxImage();
    ensureNodeImage();
    c = await startCluster({ extraArgs: ['--agents', '1', '--runtime', 'podman'] });
    agentState = path.join(c.stateDir, 'agents', 'node-1');
    // The client and the modules it imports, at the same paths as on the host.
    const mounts = [mount('repo', ROOT), mount('modules', MODULES)];
    await apply(c, ...RBAC, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client', namespace: 'inc' },
      spec: {
        serviceAccountName: 'reader',
        terminationGracePeriodSeconds: 1,
        volumes: mounts.map((m) => m.volume),
        containers: [
          {
            name: 'client',
            image: NODE_IMAGE,
            imagePullPolicy: 'Never',
            command: ['node', CLIENT],
            volumeMounts: mounts.map((m) => m.volumeMount),
          },
        ],
      },
    });
    await apply(c, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'opted-out', namespace: 'inc' },
      spec: {
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'main',
            image: BUSYBOX_IMAGE,
            imagePullPolicy: 'Never',
            command: [
              'sh',
              '-c',
              'ls /var/run/secrets/kubernetes.io/serviceaccount || echo no token; echo "host=$KUBERNETES_SERVICE_HOST"; sleep 3600',
            ],
          },
        ],
      },
    });
  } catch (err) {
    setupError = err as Error;
  }
}, 240_000);

afterAll(async () => {
  await cleanupClusters();
  if (agentState) removeOwned(agentState);
}, 120_000);

beforeEach(() => {
  if (setupError) throw setupError;
});

const logs = async (pod: string) => {
  const r = await c.kubectl(['logs', '-n', 'inc', pod]);
  return `${r.stdout}${r.stderr}`;
};

describe('a podman pod', () => {
  it('runs an unchanged in-cluster client with its mounted token', async () => {
    await eventually(
      'the client to finish',
      async () => (await logs('client')).includes('secret create'),
      90_000,
      500,
    );
    const out = await logs('client');
    expect(out).toContain(`server https://10.0.2.2:${c.port}`);
    expect(out).toContain('list ok seen-from-pod');
    expect(out).toContain('secret create refused: 403');
  });

  it('gets no token when it opts out', async () => {
    await eventually(
      'the pod to log',
      async () => (await logs('opted-out')).includes('host='),
      60_000,
      500,
    );
    const out = await logs('opted-out');
    expect(out).toContain('no token');
  });
});
