// End to end: automatic rollback. A Deployment annotated edgeplane.dev/auto-rollback: "true" whose
// new revision never becomes ready goes back by itself to the last revision that was available once
// its progress deadline passes (event, AutoRollback condition, history keeps both); the same
// Deployment without the annotation stays as Kubernetes leaves it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const spec = (name: string, annotations?: Record<string, string>) =>
  deployment(name, {
    replicas: 2,
    image: 'registry.example/web:1',
    maxSurge: 1,
    maxUnavailable: 0,
    progressDeadlineSeconds: 6,
    annotations,
  });

beforeAll(async () => {
  c = await startCluster({ extraArgs: ['--agents', '0'] });
  await startFakeNodes(c, {
    prefix: 'ar-',
    nodes: 2,
    address: '127.0.5.1',
    cpu: '4',
    memory: '8Gi',
  });
  await apply(c, spec('guarded', { 'edgeplane.dev/auto-rollback': 'true' }), spec('plain'));
  for (const name of ['guarded', 'plain']) {
    const r = await c.kubectl(['rollout', 'status', `deployment/${name}`, '--timeout=40s']);
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  await stopAgents();
  await cleanupClusters();
}, 60_000);

/** A new revision whose pods never become ready (the fake runtime's readiness annotation). */
const badRollout = (name: string) =>
  c.kubectl([
    'patch',
    'deployment',
    name,
    '--type=strategic',
    '-p',
    JSON.stringify({
      spec: {
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

describe('auto-rollback', () => {
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
});
