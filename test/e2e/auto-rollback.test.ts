// End to end: automatic rollback. A Deployment annotated edgeplane.dev/auto-rollback: "true" whose
// new revision never becomes ready goes back by itself to the last revision that was available once
// its progress deadline passes (event, AutoRollback condition, history keeps both); the same
// Deployment without the annotation stays as Kubernetes leaves it. On a process-runtime node, a
// revision whose process keeps exiting non-zero is rolled back once it restarted more than the
// annotation's maxRestarts.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killRecordedContainers, randomSlots, startAgent } from '../agent/helpers';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import {
  apply,
  deployment,
  eventually,
  getJson,
  startFakeNodes,
  stopAgents,
} from '../helpers/control-plane';

let c: Cluster;
let procState: string;
const PROC_NODE = 'ar-proc';

/** A Deployment of one process pod on the process node, running `script`. */
const processDeployment = (name: string, script: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, annotations: { 'edgeplane.dev/auto-rollback': 'true,maxRestarts=1' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        nodeSelector: { 'kubernetes.io/hostname': PROC_NODE },
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'app', image: 'host', command: ['sh', '-c', script] }],
      },
    },
  },
});

/** A Deployment of two pods on the simulated nodes (kept off the process node). */
function spec(name: string, annotations?: Record<string, string>) {
  const d = deployment(name, {
    replicas: 2,
    image: 'registry.example/web:1',
    maxSurge: 1,
    maxUnavailable: 0,
    annotations,
  }) as { spec: { template: { spec: Record<string, unknown> } } };
  d.spec.template.spec.affinity = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: 'kubernetes.io/hostname', operator: 'NotIn', values: [PROC_NODE] },
            ],
          },
        ],
      },
    },
  };
  return d;
}

beforeAll(async () => {
  c = await startCluster({ extraArgs: ['--agents', '0'] });
  procState = path.join(c.stateDir, '..', 'proc-agent');
  await Promise.all([
    startFakeNodes(c, {
      prefix: 'ar-',
      nodes: 2,
      address: '127.0.5.1',
      cpu: '4',
      memory: '8Gi',
    }),
    startAgent(c, [
      '--runtime',
      'process',
      '--name',
      PROC_NODE,
      '--address',
      randomSlots(1)[0].address,
      '--state',
      procState,
    ]),
  ]);
  await apply(
    c,
    spec('guarded', { 'edgeplane.dev/auto-rollback': 'true' }),
    spec('plain'),
    processDeployment('looper', 'exec sleep 3600'),
  );
  for (const name of ['guarded', 'plain', 'looper']) {
    const r = await c.kubectl(['rollout', 'status', `deployment/${name}`, '--timeout=40s']);
    expect(r.code, `${name}: ${r.stderr}`).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  await stopAgents();
  if (procState) killRecordedContainers(procState);
  await cleanupClusters();
}, 60_000);

/**
 * A new revision whose pods never become ready (the fake runtime's readiness annotation), with a
 * 6 s progress deadline (the first revision had the default 600 s, so a loaded machine cannot
 * make it miss its own).
 */
const badRollout = (name: string) =>
  c.kubectl([
    'patch',
    'deployment',
    name,
    '--type=strategic',
    '-p',
    JSON.stringify({
      spec: {
        progressDeadlineSeconds: 6,
        template: {
          metadata: { annotations: { 'edgeplane.dev/fake-ready': 'false' } },
          spec: { containers: [{ name: 'app', image: 'registry.example/web:2' }] },
        },
      },
    }),
  ]);

const image = async (name: string) =>
  (await getJson(c, `/apis/apps/v1/namespaces/default/deployments/${name}`)).spec.template.spec
    .containers[0].image;

// The two cases use separate Deployments and nodes: they run side by side.
describe.concurrent('auto-rollback', () => {
  it('rolls a failing revision back after its progress deadline, and leaves an unannotated one failed', async () => {
    for (const name of ['guarded', 'plain']) expect((await badRollout(name)).code).toBe(0);
    const plainStatus = await c.kubectl(['rollout', 'status', 'deployment/plain', '--timeout=40s']);
    expect(plainStatus.code).toBe(1);
    expect(plainStatus.stderr).toContain(
      'error: deployment "plain" exceeded its progress deadline',
    );

    await eventually(
      'guarded back on web:1',
      async () => (await image('guarded')) === 'registry.example/web:1' || undefined,
      30_000,
    );
    const d = await getJson(c, '/apis/apps/v1/namespaces/default/deployments/guarded');
    const cond = d.status.conditions.find((x: { type: string }) => x.type === 'AutoRollback');
    expect(cond).toMatchObject({ status: 'True', reason: 'ProgressDeadlineExceeded' });
    expect(cond.message).toMatch(
      /^Rolled back deployment "guarded" from revision 2 to revision 1: ReplicaSet "guarded-[a-z0-9]+" has timed out progressing\.$/,
    );
    const ok = await c.kubectl(['rollout', 'status', 'deployment/guarded', '--timeout=40s']);
    expect(ok.code, ok.stderr).toBe(0);
    const events = await c.kubectl([
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=guarded,reason=AutoRollback',
      '-o',
      'jsonpath={.items[*].message}',
    ]);
    expect(events.stdout).toContain(
      'Rolled back deployment "guarded" from revision 2 to revision 1',
    );
    const history = await c.kubectl(['rollout', 'history', 'deployment/guarded']);
    expect(
      history.stdout
        .trim()
        .split('\n')
        .slice(2)
        .map((l) => l.trim().split(/\s+/)[0]),
    ).toEqual(['2', '3']);

    // Without the annotation: still on the failed revision, as Kubernetes leaves it.
    expect(await image('plain')).toBe('registry.example/web:2');
    const plain = await getJson(c, '/apis/apps/v1/namespaces/default/deployments/plain');
    expect(
      plain.status.conditions.find((x: { type: string }) => x.type === 'Progressing'),
    ).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(plain.status.conditions.some((x: { type: string }) => x.type === 'AutoRollback')).toBe(
      false,
    );
  }, 120_000);

  it('rolls a crash-looping revision back once it restarted more than maxRestarts', async () => {
    // Revision 2's process exits 3 at once. It counts as ready while it runs, so the rollout
    // completes before the loop shows; the first restart is immediate, the second waits the
    // kubelet's 10 s backoff, and a restart count of 2 is more than maxRestarts=1.
    const r = await c.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify(processDeployment('looper', 'exit 3')),
    });
    expect(r.code, r.stderr).toBe(0);
    const script = async () =>
      (await getJson(c, '/apis/apps/v1/namespaces/default/deployments/looper')).spec.template.spec
        .containers[0].command[2];
    await eventually(
      'looper back on revision 1',
      async () => (await script()) === 'exec sleep 3600' || undefined,
      40_000,
    );
    const d = await getJson(c, '/apis/apps/v1/namespaces/default/deployments/looper');
    const cond = d.status.conditions.find((x: { type: string }) => x.type === 'AutoRollback');
    expect(cond).toMatchObject({ status: 'True', reason: 'CrashLoop' });
    expect(cond.message).toMatch(
      /^Rolled back deployment "looper" from revision 2 to revision 1: pod "looper-[a-z0-9]+-[a-z0-9]+" restarted [2-9] times, more than 1$/,
    );
    const events = await c.kubectl([
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=looper,reason=AutoRollback',
      '-o',
      'jsonpath={.items[*].message}',
    ]);
    expect(events.stdout).toContain(
      'Rolled back deployment "looper" from revision 2 to revision 1: pod "looper-',
    );
    const ok = await c.kubectl(['rollout', 'status', 'deployment/looper', '--timeout=40s']);
    expect(ok.code, ok.stderr).toBe(0);
    // The failed revision is no longer one to roll back to.
    const rss = await getJson<{ items: { metadata: { annotations: Record<string, string> } }[] }>(
      c,
      '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dlooper',
    );
    const available = Object.fromEntries(
      rss.items.map((rs) => [
        rs.metadata.annotations['deployment.kubernetes.io/revision'],
        rs.metadata.annotations['edgeplane.dev/available'] ?? 'no',
      ]),
    );
    expect(available).toEqual({ '2': 'no', '3': 'true' });
    const history = await c.kubectl(['rollout', 'history', 'deployment/looper']);
    expect(
      history.stdout
        .trim()
        .split('\n')
        .slice(2)
        .map((l) => l.trim().split(/\s+/)[0]),
    ).toEqual(['2', '3']);
  }, 90_000);
});
