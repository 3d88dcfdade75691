// End to end: the controllers with the real kubectl on simulated nodes: cascading deletes (background,
// foreground, orphan), namespace deletion, Endpoints that follow readiness, and loops that go quiet.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupClusters,
  killGroup,
  startCluster,
  tempDir,
  type Cluster,
  type RunResult,
} from '../helpers/cluster';
import {
  apply,
  deployment,
  eventually,
  getJson,
  getMaybe,
  isReady,
  pendingAlarms,
  pods,
  sampleAlarms,
  send,
  sleep,
  startFakeNodes,
  stopAgents,
  watch,
  type KObj,
  type WatchRecorder,
} from '../helpers/control-plane';

let c: Cluster;
/** The default --node-monitor-grace-period: the node monitor checks leases again within it. */
const GRACE_MS = 50_000;

beforeAll(async () => {
  c = await startCluster({ extraArgs: ['--agents', '0'] });
}, 120_000);

afterAll(async () => {
  await stopAgents();
  await cleanupClusters();
}, 60_000);

/** kubectl run in the background (e.g. a delete that waits), so a test can look at the cluster meanwhile. */
function kubectlAsync(args: string[]): {
  done: Promise<RunResult>;
  finished(): boolean;
  kill(): void;
} {
  const cacheDir = path.join(tempDir('edgeplane-kube-cache-'), 'cache');
  const child = spawn('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', cacheDir, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let finished = false;
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<RunResult>((resolve) =>
    child.on('close', (code) => {
      finished = true;
      resolve({ code, stdout, stderr });
    }),
  );
  return { done, finished: () => finished, kill: () => killGroup(child.pid!, 'SIGKILL') };
}

const HOLD = 'example.com/hold';

async function hold(namespace: string, pod: string): Promise<void> {
  const out = await c.kubectl([
    'patch',
    'pod',
    pod,
    '-n',
    namespace,
    '--type=merge',
    '-p',
    JSON.stringify({ metadata: { finalizers: [HOLD] } }),
  ]);
  expect(out.code, out.stderr).toBe(0);
}

async function release(namespace: string, pod: string): Promise<void> {
  const out = await c.kubectl([
    'patch',
    'pod',
    pod,
    '-n',
    namespace,
    '--type=json',
    '-p',
    JSON.stringify([{ op: 'remove', path: '/metadata/finalizers' }]),
  ]);
  expect(out.code, out.stderr).toBe(0);
}

async function rolledOut(name: string, namespace = 'default'): Promise<void> {
  const out = await c.kubectl([
    'rollout',
    'status',
    `deployment/${name}`,
    '-n',
    namespace,
    '--timeout=30s',
  ]);
  expect(out.code, out.stderr).toBe(0);
}

const rsPath = (ns: string, name = '') =>
  `/apis/apps/v1/namespaces/${ns}/replicasets${name ? `/${name}` : ''}`;

describe('an idle cluster with no nodes', () => {
  it('has no alarm pending in the scheduler or the controllers', async () => {
    await eventually(
      'both leaders idle',
      async () => {
        const a = await pendingAlarms(c.stateDir);
        return a.scheduler === null && a.controllers === null;
      },
      20_000,
      500,
    );
    const samples = await sampleAlarms(c.stateDir, 2000);
    expect(samples.filter((s) => s.scheduler !== null || s.controllers !== null)).toEqual([]);
  });
});

describe('with 3 simulated nodes', () => {
  let unschedulableAt = 0;
  /** Every node lease renewal seen (ms), from a watch: the node monitor's checks fall at one of them plus the grace period. */
  const renewals: number[] = [];
  let leaseWatch: WatchRecorder | undefined;

  beforeAll(async () => {
    const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
    const leases = await getJson<{ metadata: { resourceVersion: string } }>(c, LEASES);
    leaseWatch = await watch(c, LEASES, leases.metadata.resourceVersion);
    await startFakeNodes(c, {
      prefix: 'ctl-',
      nodes: 3,
      address: '127.0.6.1',
      cpu: '4',
      memory: '8Gi',
    });
    // A pod that fits nowhere, left Pending for the whole file: the scheduler must back off and stop.
    await send(c, 'POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'unplaceable' },
      spec: {
        containers: [
          { name: 'app', image: 'registry.example/big:1', resources: { requests: { cpu: '100' } } },
        ],
      },
    });
    unschedulableAt = Date.now();
  }, 60_000);

  afterAll(() => leaseWatch?.stop());

  /** True when the alarm is due at a lease renewal plus the grace period (the node monitor's next check). */
  const leaseCheck = (alarm: number) => {
    for (const e of leaseWatch!.events) {
      const r = Date.parse(String(e.object.spec?.renewTime).replace(/(\.\d{3})\d+/, '$1'));
      if (Number.isFinite(r)) renewals.push(r);
    }
    leaseWatch!.events.length = 0;
    return renewals.some((r) => Math.abs(r + GRACE_MS - alarm) <= 1000);
  };

  describe('kubectl delete deployment --cascade', () => {
    it('background (the default): the Deployment goes at once, its ReplicaSet and pods after it', async () => {
      await apply(c, deployment('bg', { replicas: 2 }));
      await rolledOut('bg');
      const rs = (await c.kubectl(['get', 'rs', '-l', 'app=bg', '-o', 'name'])).stdout.trim();
      expect(rs).toMatch(/^replicaset\.apps\/bg-/);
      const del = await c.kubectl(['delete', 'deployment', 'bg', '--cascade=background']);
      expect(del.code, del.stderr).toBe(0);
      expect(del.stdout).toContain('deployment.apps "bg" deleted');
      expect(await getMaybe(c, '/apis/apps/v1/namespaces/default/deployments/bg')).toBeUndefined();
      await eventually(
        'the ReplicaSet and pods of bg gone',
        async () => {
          const rest = await c.kubectl(['get', 'rs,pods', '-l', 'app=bg', '-o', 'name']);
          return rest.code === 0 && rest.stdout.trim() === '';
        },
        15_000,
        200,
      );
    });

    it('foreground: the Deployment stays (foregroundDeletion) until its ReplicaSet and every pod are gone', async () => {
      await apply(c, deployment('fg', { replicas: 2 }));
      await rolledOut('fg');
      const [held, other] = (await pods(c, 'app=fg')).map((p) => p.metadata.name);
      await hold('default', held);
      const del = kubectlAsync([
        'delete',
        'deployment',
        'fg',
        '--cascade=foreground',
        '--timeout=60s',
      ]);
      try {
        await eventually(
          'the other pod of fg gone',
          async () => (await getMaybe(c, `/api/v1/namespaces/default/pods/${other}`)) === undefined,
          15_000,
          200,
        );
        await sleep(1000);
        expect(del.finished(), 'kubectl delete --cascade=foreground still waiting').toBe(false);
        const d = await getJson(c, '/apis/apps/v1/namespaces/default/deployments/fg');
        expect(d.metadata.deletionTimestamp).toBeTruthy();
        expect(d.metadata.finalizers).toEqual(['foregroundDeletion']);
        const rs = (
          await getJson<{ items: KObj[] }>(c, `${rsPath('default')}?labelSelector=app%3Dfg`)
        ).items;
        expect(rs).toHaveLength(1);
        expect(rs[0].metadata.deletionTimestamp).toBeTruthy();
        expect(rs[0].metadata.finalizers).toEqual(['foregroundDeletion']);
        // The agent has stopped it (kubectl shows Completed, as for a stopped pod in Kubernetes); the finalizer keeps it.
        const pod = await getJson(c, `/api/v1/namespaces/default/pods/${held}`);
        expect(pod.metadata.deletionTimestamp).toBeTruthy();
        expect(pod.metadata.finalizers).toEqual([HOLD]);
        await release('default', held);
        const out = await del.done;
        expect(out.code, out.stderr).toBe(0);
        expect(out.stdout).toContain('deployment.apps "fg" deleted');
      } finally {
        del.kill();
      }
      expect(await getMaybe(c, '/apis/apps/v1/namespaces/default/deployments/fg')).toBeUndefined();
      const rest = await c.kubectl(['get', 'rs,pods', '-l', 'app=fg', '-o', 'name']);
      expect(rest.stdout.trim()).toBe('');
    });

    it('orphan: the ReplicaSet (without its ownerReference) and its running pods remain', async () => {
      await apply(c, deployment('orphan', { replicas: 2 }));
      await rolledOut('orphan');
      const before = (
        await getJson<{ items: KObj[] }>(c, `${rsPath('default')}?labelSelector=app%3Dorphan`)
      ).items;
      expect(before).toHaveLength(1);
      const podsBefore = (await pods(c, 'app=orphan')).map((p) => p.metadata.uid).sort();
      const del = await c.kubectl(['delete', 'deployment', 'orphan', '--cascade=orphan']);
      expect(del.code, del.stderr).toBe(0);
      expect(del.stdout).toContain('deployment.apps "orphan" deleted');
      expect(
        await getMaybe(c, '/apis/apps/v1/namespaces/default/deployments/orphan'),
      ).toBeUndefined();
      const rs = await eventually(
        'the ReplicaSet released',
        async () => {
          const r = await getJson(c, rsPath('default', before[0].metadata.name));
          return (r.metadata.ownerReferences ?? []).length === 0 ? r : undefined;
        },
        10_000,
        200,
      );
      expect(rs.metadata.uid).toBe(before[0].metadata.uid);
      expect(rs.metadata.deletionTimestamp).toBeUndefined();
      await sleep(1500);
      const podsAfter = await pods(c, 'app=orphan');
      expect(podsAfter.map((p) => p.metadata.uid).sort()).toEqual(podsBefore);
      for (const p of podsAfter) {
        expect(isReady(p)).toBe(true);
        expect(p.metadata.ownerReferences).toEqual([
          expect.objectContaining({
            kind: 'ReplicaSet',
            name: rs.metadata.name,
            uid: rs.metadata.uid,
            controller: true,
          }),
        ]);
      }
      const get = await c.kubectl(['get', 'rs', rs.metadata.name, '--no-headers']);
      expect(get.stdout).toMatch(new RegExp(`^${rs.metadata.name}\\s+2\\s+2\\s+2\\s`));
    });

    it('applying the orphaning Deployment again adopts its old ReplicaSet and keeps the same pods', async () => {
      const [orphaned] = (
        await getJson<{ items: KObj[] }>(c, `${rsPath('default')}?labelSelector=app%3Dorphan`)
      ).items;
      const podsBefore = (await pods(c, 'app=orphan')).map((p) => p.metadata.uid).sort();
      await apply(c, deployment('orphan', { replicas: 2 }));
      await rolledOut('orphan');
      const d = await getJson(c, '/apis/apps/v1/namespaces/default/deployments/orphan');
      const rs = await eventually(
        'the ReplicaSet adopted',
        async () => {
          const r = await getJson(c, rsPath('default', orphaned.metadata.name));
          return r.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid && o.controller)
            ? r
            : undefined;
        },
        10_000,
        200,
      );
      expect(rs.metadata.uid).toBe(orphaned.metadata.uid);
      expect(
        (await getJson<{ items: KObj[] }>(c, `${rsPath('default')}?labelSelector=app%3Dorphan`))
          .items,
      ).toHaveLength(1);
      expect((await pods(c, 'app=orphan')).map((p) => p.metadata.uid).sort()).toEqual(podsBefore);
      const del = await c.kubectl(['delete', 'deployment', 'orphan']);
      expect(del.code, del.stderr).toBe(0);
    });
  });

  describe('ReplicaSet', () => {
    it('kubectl scale down removes the unready pod first', async () => {
      await apply(c, deployment('shrink', { replicas: 3 }));
      await rolledOut('shrink');
      const [victim] = await pods(c, 'app=shrink');
      const annotate = await c.kubectl([
        'annotate',
        'pod',
        victim.metadata.name,
        'edgeplane.dev/fake-ready=false',
      ]);
      expect(annotate.code, annotate.stderr).toBe(0);
      await eventually(
        'the annotated pod unready',
        async () =>
          !isReady(await getJson(c, `/api/v1/namespaces/default/pods/${victim.metadata.name}`)),
        10_000,
        100,
      );
      const scale = await c.kubectl(['scale', 'deployment/shrink', '--replicas=2']);
      expect(scale.code, scale.stderr).toBe(0);
      const left = await eventually(
        '2 pods of shrink',
        async () => {
          const l = await pods(c, 'app=shrink');
          return l.length === 2 ? l : undefined;
        },
        10_000,
        100,
      );
      expect(left.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
      expect(left.every(isReady)).toBe(true);
      const del = await c.kubectl(['delete', 'deployment', 'shrink']);
      expect(del.code, del.stderr).toBe(0);
    });

    it('adopts a bare pod that matches its selector and stays at its replica count', async () => {
      await apply(c, deployment('adopt', { replicas: 2 }));
      await rolledOut('adopt');
      const [rs] = (
        await getJson<{ items: KObj[] }>(c, `${rsPath('default')}?labelSelector=app%3Dadopt`)
      ).items;
      const hash = rs.metadata.labels!['pod-template-hash'];
      await send(c, 'POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'stray', labels: { app: 'adopt', 'pod-template-hash': hash } },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
      });
      const stray = await eventually(
        'the stray pod adopted or removed',
        async () => {
          const p = await getMaybe(c, '/api/v1/namespaces/default/pods/stray');
          if (!p) return 'removed';
          return p.metadata.ownerReferences?.some((o) => o.uid === rs.metadata.uid && o.controller)
            ? 'adopted'
            : undefined;
        },
        10_000,
        100,
      );
      const list = await eventually(
        '2 pods of adopt again',
        async () => {
          const l = await pods(c, 'app=adopt');
          return l.length === 2 ? l : undefined;
        },
        10_000,
        100,
      );
      console.log(
        `ReplicaSet adoption: the stray pod was ${stray}; pods now ${list.map((p) => p.metadata.name).join(', ')}`,
      );
      for (const p of list)
        expect(p.metadata.ownerReferences).toEqual([
          expect.objectContaining({ kind: 'ReplicaSet', uid: rs.metadata.uid, controller: true }),
        ]);
      const get = await c.kubectl(['get', 'rs', rs.metadata.name, '--no-headers']);
      expect(get.stdout).toMatch(new RegExp(`^${rs.metadata.name}\\s+2\\s+2\\s`));
      const del = await c.kubectl(['delete', 'deployment', 'adopt']);
      expect(del.code, del.stderr).toBe(0);
    });
  });

  it('kubectl delete ns removes everything in the namespace first, then the namespace', async () => {
    const ns = 'doomed';
    expect((await c.kubectl(['create', 'namespace', ns])).code).toBe(0);
    await apply(
      c,
      deployment('app', { namespace: ns, replicas: 2 }),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'app', namespace: ns },
        spec: { selector: { app: 'app' }, ports: [{ port: 80 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: ns },
        data: { a: '1' },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'creds', namespace: ns },
        stringData: { p: 'x' },
      },
    );
    await rolledOut('app', ns);
    const held = (await pods(c, 'app=app', ns))[0].metadata.name;
    await hold(ns, held);
    const del = kubectlAsync(['delete', 'namespace', ns, '--timeout=60s']);
    try {
      await eventually(
        `everything but the held pod gone from ${ns}`,
        async () => {
          const rest = await c.kubectl([
            'get',
            'deploy,rs,pods,svc,endpoints,cm,secrets',
            '-n',
            ns,
            '-o',
            'name',
          ]);
          return rest.stdout
            .trim()
            .split('\n')
            .filter(Boolean)
            .filter((l) => !l.startsWith('configmap/kube-root-ca.crt'))
            .join(',') === `pod/${held}`
            ? rest
            : undefined;
        },
        20_000,
        250,
      );
      const get = await c.kubectl(['get', 'namespace', ns, '--no-headers']);
      expect(get.stdout).toMatch(new RegExp(`^${ns}\\s+Terminating\\s`));
      expect(del.finished()).toBe(false);
      await release(ns, held);
      const out = await del.done;
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toContain(`namespace "${ns}" deleted`);
    } finally {
      del.kill();
    }
    const gone = await c.kubectl(['get', 'namespace', ns]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`namespaces "${ns}" not found`);
    const cm = await c.fetch(`/api/v1/namespaces/${ns}/configmaps`);
    expect(((await cm.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("a Service's Endpoints list exactly the ready pods; a pod that turns unready leaves them and comes back", async () => {
    await apply(c, deployment('ep', { replicas: 3 }), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ep' },
      spec: { selector: { app: 'ep' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    await rolledOut('ep');
    const endpoints = async () => {
      const out = await c.kubectl(['get', 'endpoints', 'ep', '-o', 'json']);
      expect(out.code, out.stderr).toBe(0);
      const e = JSON.parse(out.stdout) as {
        subsets?: {
          addresses?: { ip: string; targetRef?: { name: string } }[];
          notReadyAddresses?: { ip: string }[];
          ports?: { name?: string; port: number }[];
        }[];
      };
      const subsets = e.subsets ?? [];
      return {
        ready: subsets.flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort(),
        notReady: subsets.flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip)).sort(),
        ports: subsets.flatMap((s) => s.ports ?? []),
      };
    };
    const ips = (l: KObj[]) => l.map((p) => p.status?.podIP as string).sort();
    const all = await pods(c, 'app=ep');
    await eventually(
      'Endpoints with the 3 ready pods',
      async () => {
        const e = await endpoints();
        return JSON.stringify(e.ready) === JSON.stringify(ips(all)) && e.notReady.length === 0;
      },
      10_000,
      200,
    );
    expect((await endpoints()).ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const table = await c.kubectl(['get', 'endpoints', 'ep', '--no-headers']);
    expect(table.stdout.split(/\s+/)[1].split(',').sort()).toEqual(
      ips(all).map((ip) => `${ip}:8080`),
    );

    const victim = all[0];
    const annotate = await c.kubectl([
      'annotate',
      'pod',
      victim.metadata.name,
      'edgeplane.dev/fake-ready=false',
    ]);
    expect(annotate.code, annotate.stderr).toBe(0);
    const t0 = Date.now();
    await eventually(
      'the unready pod moved to notReadyAddresses',
      async () => {
        const e = await endpoints();
        return (
          JSON.stringify(e.ready) === JSON.stringify(ips(all.slice(1))) &&
          JSON.stringify(e.notReady) === JSON.stringify([victim.status?.podIP])
        );
      },
      10_000,
      100,
    );
    console.log(
      `endpoints: an unready pod left the ready addresses ${Date.now() - t0} ms after the annotation`,
    );
    const get = await c.kubectl(['get', 'pod', victim.metadata.name, '--no-headers']);
    expect(get.stdout).toMatch(/\s0\/1\s+Running\s/);

    const back = await c.kubectl([
      'annotate',
      'pod',
      victim.metadata.name,
      'edgeplane.dev/fake-ready=true',
      '--overwrite',
    ]);
    expect(back.code, back.stderr).toBe(0);
    await eventually(
      'the pod back in the ready addresses',
      async () => {
        const e = await endpoints();
        return JSON.stringify(e.ready) === JSON.stringify(ips(all)) && e.notReady.length === 0;
      },
      10_000,
      100,
    );

    const scale = await c.kubectl(['scale', 'deployment/ep', '--replicas=1']);
    expect(scale.code, scale.stderr).toBe(0);
    const left = await eventually(
      'one pod left',
      async () => {
        const l = await pods(c, 'app=ep', 'default', true);
        return l.length === 1 ? l : undefined;
      },
      15_000,
      200,
    );
    await eventually(
      'Endpoints with just the remaining pod',
      async () => {
        const e = await endpoints();
        return JSON.stringify(e.ready) === JSON.stringify(ips(left)) && e.notReady.length === 0;
      },
      10_000,
      100,
    );
  });

  it("once converged, the scheduler has no alarm pending (the unplaceable pod backed off) and the controllers only the node monitor's next lease check", async () => {
    const pending = await getJson(c, '/api/v1/namespaces/default/pods/unplaceable');
    expect(pending.status?.phase).toBe('Pending');
    expect(pending.spec?.nodeName).toBeUndefined();
    // Converged: the scheduler has nothing pending, and the controllers' next pass is the node
    // monitor's lease check (a node's lease renewal plus the grace period), not some other requeue.
    const settled = (s: { scheduler: number | null; controllers: number | null; at: number }) =>
      s.scheduler === null && (s.controllers === null || leaseCheck(s.controllers));
    let schedulerQuietAt: number | undefined;
    let controllersQuietAt: number | undefined;
    await eventually(
      'the loops settled',
      async () => {
        const a = { ...(await pendingAlarms(c.stateDir)), at: Date.now() };
        if (a.scheduler === null) schedulerQuietAt ??= a.at - unschedulableAt;
        else schedulerQuietAt = undefined;
        if (a.controllers === null || leaseCheck(a.controllers))
          controllersQuietAt ??= a.at - unschedulableAt;
        else controllersQuietAt = undefined;
        return settled(a) ? a : undefined;
      },
      Math.max(5_000, unschedulableAt + 75_000 - Date.now()),
      250,
    );
    console.log(
      `since the unplaceable pod was created: scheduler idle from ${schedulerQuietAt} ms, controllers at a lease check from ${controllersQuietAt} ms`,
    );
    const quietAfter = Date.now() - unschedulableAt;
    const samples = await sampleAlarms(c.stateDir, 3000);
    const ahead = samples.map((s) =>
      s.controllers === null ? 'none' : `${s.controllers - s.at} ms`,
    );
    console.log(
      `converged ${quietAfter} ms after the unplaceable pod was created: scheduler no alarm; controllers' alarm ahead: ${[...new Set(ahead)].join(', ')}`,
    );
    expect(samples.filter((s) => s.scheduler !== null)).toEqual([]);
    for (const s of samples)
      if (s.controllers !== null) expect(s.controllers - s.at).toBeLessThanOrEqual(GRACE_MS + 1000);
    expect(samples.filter((s) => !settled(s))).toEqual([]);
    const events = await c.kubectl([
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=unplaceable,reason=FailedScheduling',
      '-o',
      'json',
    ]);
    const items = (JSON.parse(events.stdout) as { items: { count?: number; message: string }[] })
      .items;
    expect(items.length).toBeGreaterThan(0);
    expect(items[0].message).toMatch(/^0\/3 nodes are available: 3 Insufficient cpu\./);
  }, 90_000);
});
