// End to end: Deployment rollouts with the real kubectl on simulated nodes: set image with surge and no
// unavailability (recorded from a watch), history, undo to the same ReplicaSet, restart, pause and
// resume, and a progress deadline that is exceeded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import {
  apply,
  deployment,
  eventually,
  getJson,
  getList,
  isReady,
  pods,
  sleep,
  startFakeNodes,
  stopAgents,
  watch,
  type KObj,
} from '../helpers/control-plane';

let c: Cluster;

beforeAll(async () => {
  c = await startCluster({ extraArgs: ['--agents', '0'] });
  await startFakeNodes(c, {
    prefix: 'roll-',
    nodes: 3,
    address: '127.0.3.1',
    cpu: '4',
    memory: '8Gi',
  });
  await apply(
    c,
    deployment('web', {
      replicas: 4,
      image: 'registry.example/web:1',
      maxSurge: 1,
      maxUnavailable: 0,
    }),
  );
  const status = await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
  expect(status.code, status.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await stopAgents();
  await cleanupClusters();
}, 60_000);

/** The Deployment's ReplicaSets (ownerReference controller to it), by name. */
async function replicaSets(name: string): Promise<KObj[]> {
  const deploy = await getJson(c, `/apis/apps/v1/namespaces/default/deployments/${name}`);
  const all = await getList(
    c,
    `/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3D${name}`,
  );
  return all.filter((rs) =>
    rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === deploy.metadata.uid),
  );
}

const revisionOf = (rs: KObj) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'];
const imageOf = (o: KObj) => o.spec?.template?.spec?.containers?.[0]?.image as string | undefined;
const podImage = (p: KObj) => p.spec?.containers?.[0]?.image as string | undefined;

/** The ReplicaSet that has every replica (the one a finished rollout left scaled up). */
async function activeReplicaSet(name: string): Promise<KObj> {
  const list = await replicaSets(name);
  const up = list.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
  if (up.length !== 1)
    throw new Error(
      `expected one scaled-up ReplicaSet for ${name}, got ${up.map((r) => `${r.metadata.name}=${r.spec?.replicas}`).join(', ')}`,
    );
  return up[0];
}

async function rolloutStatus(name: string, timeout = '30s') {
  return c.kubectl(['rollout', 'status', `deployment/${name}`, `--timeout=${timeout}`]);
}

describe('kubectl rollout', () => {
  it('kubectl set image rolls a 4-replica Deployment (maxSurge 1, maxUnavailable 0) without ever having fewer than 4 ready pods', async () => {
    const initial = await getJson<{ metadata: { resourceVersion: string }; items: KObj[] }>(
      c,
      '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb',
    );
    const state = new Map<string, KObj>(initial.items.map((p) => [p.metadata.uid!, p]));
    const counts = () => {
      const live = [...state.values()].filter((p) => !p.metadata.deletionTimestamp);
      return { ready: live.filter(isReady).length, live: live.length };
    };
    expect(counts()).toEqual({ ready: 4, live: 4 });
    const w = await watch(
      c,
      '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb',
      initial.metadata.resourceVersion,
    );
    const samples: { ready: number; live: number }[] = [];
    let seen = 0;
    const sample = () => {
      for (; seen < w.events.length; seen++) {
        const e = w.events[seen];
        if (e.type === 'DELETED') state.delete(e.object.metadata.uid!);
        else if (e.type === 'ADDED' || e.type === 'MODIFIED')
          state.set(e.object.metadata.uid!, e.object);
        samples.push(counts());
      }
    };
    try {
      const set = await c.kubectl(['set', 'image', 'deployment/web', 'app=registry.example/web:2']);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toContain('deployment.apps/web image updated');
      const status = await rolloutStatus('web');
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain('deployment "web" successfully rolled out');
      // The watch sees the last old pod go (its graceful deletion completes) shortly after.
      await eventually(
        'only the 4 new pods left',
        async () => {
          sample();
          const all = [...state.values()];
          return (
            all.length === 4 &&
            all.every((p) => podImage(p) === 'registry.example/web:2' && isReady(p))
          );
        },
        15_000,
        100,
      );
    } finally {
      w.stop();
    }
    sample();
    const minReady = Math.min(...samples.map((s) => s.ready));
    const maxLive = Math.max(...samples.map((s) => s.live));
    console.log(
      `set image: ${w.events.length} pod watch events; ready pods never below ${minReady}; at most ${maxLive} pods at once`,
    );
    expect(samples.length).toBeGreaterThan(8);
    expect(minReady).toBe(4);
    expect(maxLive).toBe(5);
  });

  it('kubectl rollout history lists revisions 1 and 2, and --revision=2 shows the new image', async () => {
    const history = await c.kubectl(['rollout', 'history', 'deployment/web']);
    expect(history.code, history.stderr).toBe(0);
    expect(
      history.stdout
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)),
    ).toEqual([
      ['deployment.apps/web'],
      ['REVISION', 'CHANGE-CAUSE'],
      ['1', '<none>'],
      ['2', '<none>'],
    ]);
    const rev2 = await c.kubectl(['rollout', 'history', 'deployment/web', '--revision=2']);
    expect(rev2.code, rev2.stderr).toBe(0);
    expect(rev2.stdout).toMatch(/Image:\s+registry\.example\/web:2/);
  });

  it('kubectl rollout undo goes back to the previous ReplicaSet by name, now revision 3', async () => {
    const before = await replicaSets('web');
    const rev1 = before.find((rs) => revisionOf(rs) === '1')!;
    expect(rev1, 'the revision 1 ReplicaSet').toBeDefined();
    const undo = await c.kubectl(['rollout', 'undo', 'deployment/web']);
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stdout).toContain('deployment.apps/web rolled back');
    const status = await rolloutStatus('web');
    expect(status.code, status.stderr).toBe(0);
    const after = await replicaSets('web');
    expect(after.map((rs) => rs.metadata.name).sort()).toEqual(
      before.map((rs) => rs.metadata.name).sort(),
    );
    const active = await activeReplicaSet('web');
    expect(active.metadata.name).toBe(rev1.metadata.name);
    expect(active.metadata.uid).toBe(rev1.metadata.uid);
    expect(revisionOf(active)).toBe('3');
    expect(imageOf(active)).toBe('registry.example/web:1');
    const hash = active.metadata.labels?.['pod-template-hash'];
    const list = await eventually(
      '4 pods of the revision 1 template',
      async () => {
        const l = await pods(c, 'app=web', 'default', true);
        return l.length === 4 && l.every((p) => p.metadata.labels?.['pod-template-hash'] === hash)
          ? l
          : undefined;
      },
      15_000,
      200,
    );
    expect(list.every(isReady)).toBe(true);
    const history = await c.kubectl(['rollout', 'history', 'deployment/web']);
    expect(
      history.stdout
        .trim()
        .split('\n')
        .slice(2)
        .map((l) => l.trim().split(/\s+/)[0]),
    ).toEqual(['2', '3']);
  });

  it('kubectl rollout restart makes a new ReplicaSet whose pods carry restartedAt', async () => {
    const before = new Set((await replicaSets('web')).map((rs) => rs.metadata.name));
    const restart = await c.kubectl(['rollout', 'restart', 'deployment/web']);
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stdout).toContain('deployment.apps/web restarted');
    const status = await rolloutStatus('web');
    expect(status.code, status.stderr).toBe(0);
    const active = await activeReplicaSet('web');
    expect(before.has(active.metadata.name)).toBe(false);
    expect(revisionOf(active)).toBe('4');
    expect(
      active.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'],
    ).toMatch(/^\d{4}-\d\d-\d\dT/);
    const list = await eventually(
      '4 restarted pods',
      async () => {
        const l = await pods(c, 'app=web', 'default', true);
        return l.length === 4 &&
          l.every((p) => p.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'])
          ? l
          : undefined;
      },
      15_000,
      200,
    );
    expect(list).toHaveLength(4);
  });

  it('kubectl rollout pause holds a set image back (no new ReplicaSet) until kubectl rollout resume', async () => {
    const pause = await c.kubectl(['rollout', 'pause', 'deployment/web']);
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout).toContain('deployment.apps/web paused');
    const names = (await replicaSets('web')).map((rs) => rs.metadata.name).sort();
    const set = await c.kubectl(['set', 'image', 'deployment/web', 'app=registry.example/web:3']);
    expect(set.code, set.stderr).toBe(0);
    const paused = await eventually(
      'the paused Deployment observed',
      async () => {
        const d = await getJson(c, '/apis/apps/v1/namespaces/default/deployments/web');
        return d.status?.observedGeneration === d.metadata.generation ? d : undefined;
      },
      10_000,
      200,
    );
    expect(paused.status?.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'Progressing',
          status: 'Unknown',
          reason: 'DeploymentPaused',
        }),
      ]),
    );
    await sleep(2000);
    expect((await replicaSets('web')).map((rs) => rs.metadata.name).sort()).toEqual(names);
    expect(imageOf(await activeReplicaSet('web'))).not.toBe('registry.example/web:3');
    const waiting = await rolloutStatus('web', '2s');
    expect(waiting.code).toBe(1);
    const resume = await c.kubectl(['rollout', 'resume', 'deployment/web']);
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stdout).toContain('deployment.apps/web resumed');
    const status = await rolloutStatus('web');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('deployment "web" successfully rolled out');
    const active = await activeReplicaSet('web');
    expect(names).not.toContain(active.metadata.name);
    expect(imageOf(active)).toBe('registry.example/web:3');
  });

  it('kubectl describe deployment shows the replica counts, strategy, conditions, new ReplicaSet and scaling events', async () => {
    const active = await activeReplicaSet('web');
    const out = await c.kubectl(['describe', 'deployment', 'web']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(
      /^Replicas:\s+4 desired \| 4 updated \| 4 total \| 4 available \| 0 unavailable$/m,
    );
    expect(out.stdout).toMatch(/^StrategyType:\s+RollingUpdate$/m);
    expect(out.stdout).toMatch(/^RollingUpdateStrategy:\s+0 max unavailable, 1 max surge$/m);
    expect(out.stdout).toMatch(/^\s+Available\s+True\s+MinimumReplicasAvailable$/m);
    expect(out.stdout).toMatch(/^\s+Progressing\s+True\s+NewReplicaSetAvailable$/m);
    expect(out.stdout).toMatch(
      new RegExp(`^NewReplicaSet:\\s+${active.metadata.name} \\(4/4 replicas created\\)$`, 'm'),
    );
    expect(out.stdout).toMatch(
      new RegExp(
        `Normal\\s+ScalingReplicaSet\\s+\\S+\\s+\\S+\\s+Scaled up replica set ${active.metadata.name}`,
      ),
    );
  });

  it('kubectl describe names the upstream controllers as event sources (deployment-controller, replicaset-controller)', async () => {
    const d = await c.kubectl(['describe', 'deployment', 'web']);
    expect(d.stdout).toMatch(
      /Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set/,
    );
    const active = await activeReplicaSet('web');
    const rs = await c.kubectl(['describe', 'rs', active.metadata.name]);
    expect(rs.stdout).toMatch(
      /Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: web-/,
    );
  });

  it('a Recreate Deployment removes every old pod before it creates a new one', async () => {
    await apply(
      c,
      deployment('recreate', { replicas: 3, image: 'registry.example/re:1', recreate: true }),
    );
    await rolloutStatus('recreate');
    const initial = await getJson<{ metadata: { resourceVersion: string }; items: KObj[] }>(
      c,
      '/api/v1/namespaces/default/pods?labelSelector=app%3Drecreate',
    );
    const old = new Set(initial.items.map((p) => p.metadata.uid));
    expect(old.size).toBe(3);
    const w = await watch(
      c,
      '/api/v1/namespaces/default/pods?labelSelector=app%3Drecreate',
      initial.metadata.resourceVersion,
    );
    try {
      const set = await c.kubectl([
        'set',
        'image',
        'deployment/recreate',
        'app=registry.example/re:2',
      ]);
      expect(set.code, set.stderr).toBe(0);
      const status = await rolloutStatus('recreate');
      expect(status.code, status.stderr).toBe(0);
      await w.waitFor(
        (e) => e.type === 'MODIFIED' && !old.has(e.object.metadata.uid) && isReady(e.object),
        10_000,
      );
    } finally {
      w.stop();
    }
    const lastOldGone = Math.max(
      ...w.events
        .filter((e) => e.type === 'DELETED' && old.has(e.object.metadata.uid))
        .map((e) => e.at),
    );
    const firstNew = Math.min(
      ...w.events
        .filter((e) => e.type === 'ADDED' && !old.has(e.object.metadata.uid))
        .map((e) => e.at),
    );
    expect(
      w.events.filter((e) => e.type === 'DELETED' && old.has(e.object.metadata.uid)),
    ).toHaveLength(3);
    expect(firstNew).toBeGreaterThanOrEqual(lastOldGone);
    const list = await pods(c, 'app=recreate');
    expect(list.map(podImage)).toEqual([
      'registry.example/re:2',
      'registry.example/re:2',
      'registry.example/re:2',
    ]);
  });

  it('a Deployment that cannot progress reports ProgressDeadlineExceeded and kubectl rollout status exits 1', async () => {
    await apply(c, deployment('stuck', { replicas: 2, cpu: '64', progressDeadlineSeconds: 5 }));
    const t0 = Date.now();
    const status = await rolloutStatus('stuck', '60s');
    const elapsed = Date.now() - t0;
    console.log(
      `rollout status for a Deployment with progressDeadlineSeconds 5 gave up after ${elapsed} ms`,
    );
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('error: deployment "stuck" exceeded its progress deadline');
    expect(elapsed).toBeLessThan(15_000);
    const d = await getJson(c, '/apis/apps/v1/namespaces/default/deployments/stuck');
    expect(d.status?.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
        }),
        expect.objectContaining({
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
        }),
      ]),
    );
    const describe = await c.kubectl(['describe', 'deployment', 'stuck']);
    expect(describe.stdout).toMatch(/Progressing\s+False\s+ProgressDeadlineExceeded/);
  });
});
