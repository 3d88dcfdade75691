// End to end: a second client in another language. Debian's python3-kubernetes (the official Python client)
// watches, runs an informer's list+watch, does CRUD with patches and preconditions, creates from YAML and
// reads errors against `edgeplane dev`. Each case is a script under test/e2e/python/ that prints one JSON line.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';

// The system Python that apt's python3-kubernetes installs into, never a pyenv or venv python on PATH.
const PYTHON = '/usr/bin/python3';
const SCRIPTS = path.join(ROOT, 'test', 'e2e', 'python');

let c: Cluster;

interface PyResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function python(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 90_000,
): Promise<PyResult> {
  return new Promise((resolve) => {
    execFile(
      PYTHON,
      args,
      {
        cwd: SCRIPTS,
        env: { ...process.env, ...env, PYTHONDONTWRITEBYTECODE: '1' },
        timeout: timeoutMs,
      },
      (err, stdout, stderr) => {
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
          stdout,
          stderr: stderr + (err && typeof err.code !== 'number' ? String(err) : ''),
        });
      },
    );
  });
}

/** Runs one script against the cluster; a failure shows the script's own traceback. */
async function script(name: string, ...args: string[]): Promise<Record<string, any>> {
  const r = await python([name, ...args], { KUBECONFIG: c.kubeconfig });
  expect(r.stderr, `${name} failed`).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

beforeAll(async () => {
  // A missing client is a failure of this file, never a skip (.ci/run installs python3-kubernetes).
  const probe = await python(['-c', 'import kubernetes; print(kubernetes.__version__)']);
  if (probe.code !== 0) {
    throw new Error(
      `python3-kubernetes is required: ${PYTHON} cannot import kubernetes (apt-get install python3-kubernetes)\n${probe.stderr}`,
    );
  }
  c = await startCluster();
});

afterAll(async () => {
  await c?.stop();
  await cleanupClusters();
}, 60_000);

describe('python3-kubernetes against edgeplane dev', () => {
  it('watch.Watch().stream sees ADDED, MODIFIED and DELETED (it sends watch=True)', async () => {
    const out = await script('watch_stream.py');
    expect(out.events).toEqual([
      ['ADDED', 'a', { k: '1' }],
      ['MODIFIED', 'a', { k: '2' }],
      ['DELETED', 'a', { k: '2' }],
    ]);
  });

  it('informer list+watch of ConfigMaps resumes at the list resourceVersion and writes back from its cache', async () => {
    const out = await script('informer.py', 'configmaps');
    expect(out.configmaps.listed).toBe(12);
  });

  it('informer list+watch of Leases (partitioned) resumes at the composite list resourceVersion and writes back from its cache', async () => {
    const out = await script('informer.py', 'leases');
    expect(out.leases.listed).toBe(12);
  });

  it('creates, reads, lists, replaces, patches and deletes with preconditions nine kinds', async () => {
    const out = await script('crud.py');
    expect(out.ConfigMap).toEqual({ a: '1', b: '2', c: '3' });
    expect(out.Secret).toEqual(['pw', 'user']);
    expect(out.ServiceAccount).toBe(false);
    expect(out.Service).toEqual([{ app: 'x', tier: 'web' }, ['http'], { ingress: null }]);
    expect(out.Pod).toEqual(['Pending', 'app', '1']);
    expect(out.Endpoints).toBe('TCP');
    expect(out.Event).toEqual([2, 'bye']);
    expect(out.Deployment).toEqual([0, 3, 'RollingUpdate']);
    expect(out.Lease).toEqual(['you', 20]);
  });

  it('create_from_yaml creates a multi-document file with a kind: List, and reports AlreadyExists on a rerun', async () => {
    const out = await script('from_yaml.py');
    expect(out).toEqual({
      created: ['ConfigMap', 'Deployment', 'Secret', 'Service', 'ServiceAccount'],
      alreadyExists: 5,
      clusterIP: true,
      targetPort: 8080,
      secretKeys: ['token'],
      deploymentReplicas: 0,
    });
  });

  it('raises ApiException with the status, reason and Status body of each error', async () => {
    const out = await script('errors.py');
    expect(out.notFound).toMatchObject({
      http: [404, 'Not Found'],
      reason: 'NotFound',
      details: { name: 'missing', kind: 'configmaps' },
    });
    expect(out.alreadyExists).toMatchObject({ http: [409, 'Conflict'], reason: 'AlreadyExists' });
    expect(out.invalid.http).toEqual([422, 'Unprocessable Entity']);
    expect(out.invalid.details.causes.map((x: { field: string }) => x.field)).toEqual([
      'metadata.name',
      'data[bad key!]',
    ]);
    expect(out.badSelector).toMatchObject({ http: [400, 'Bad Request'], reason: 'BadRequest' });
    expect(out.badBoolean).toMatchObject({
      http: [400, 'Bad Request'],
      reason: 'BadRequest',
      details: { causes: [{ field: 'watch' }] },
    });
  });

  it('reads every kind through the typed models, which require the fields the apiserver always sends', async () => {
    const out = await script('shapes.py');
    for (const [kind, n] of Object.entries(out.counts))
      expect(n, kind).toBeGreaterThanOrEqual(
        kind === 'Pod' || kind === 'ConfigMap' || kind === 'Secret' ? 0 : 1,
      );
    expect(out.nodeInfo).toMatchObject({ machine_id: '', kubelet_version: '', architecture: '' });
    expect(out.kubeletPort).toBe(0);
    expect(out.replicaSetStatus.replicas).toBe(0);
    expect(out.serviceStatus).toEqual({ conditions: null, load_balancer: { ingress: null } });
    expect(out.coreEvent).toEqual([{ component: null, host: null }, '', '']);
    expect(out.eventsV1).toEqual(['example.com/shapes', 'n', 's']);
  });
});
