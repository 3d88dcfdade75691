// Node lifecycle, taint eviction, pod lifecycle and pod GC against the real API Worker, with a fake clock.
import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import type { KubeClient } from '../../src/client/client';
import type { KObject } from '../../src/api/types';
import { isNotFound } from '../../src/client/errors';
import type { ControllerConfig, KeyedControllerDef } from '../../workers/controllers/framework';
import {
  nodeLifecycleController,
  type NodeCondition,
  type Taint,
} from '../../workers/controllers/node-lifecycle';
import { podLifecycleController } from '../../workers/controllers/pod-lifecycle';
import { podGCController } from '../../workers/controllers/pod-gc';
import { keyedHarness } from './controller-harness';

const GRACE_MS = 40_000;
const ZONE = 'topology.kubernetes.io/zone';
const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const micro = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');

type Harness = Awaited<ReturnType<typeof keyedHarness>>;
const WORLD_LABEL = 'edgeplane.test/world';

/** A little cluster of this test's own: its nodes (labelled), their leases, and pods in one namespace. */
class World {
  readonly nodes = new Set<string>();
  /** The controllers' clock. It starts in the past so that deadlines the API sets from its own clock (a pod's deletionTimestamp) lie ahead of it. */
  clock = Date.now() - 600_000;
  readonly id = Math.random().toString(36).slice(2, 7);
  /** One harness (caches and queues, as the leader keeps them) per controller, made on its first pass. */
  private readonly harnesses = new Map<string, Harness>();
  config: Partial<ControllerConfig> = { nodeMonitorGracePeriodMs: GRACE_MS };
  constructor(
    readonly c: KubeClient,
    readonly ns: string,
  ) {}

  async harness(make: () => KeyedControllerDef): Promise<Harness> {
    const name = make().name;
    let h = this.harnesses.get(name);
    if (!h) {
      const selector = { labelSelector: `${WORLD_LABEL}=${this.id}` };
      h = await keyedHarness(this.ns, () => [make()], {
        now: () => this.clock,
        config: this.config,
        selectors: {
          nodes: selector,
          'coordination.k8s.io/v1/leases': { ...selector, namespace: 'kube-node-lease' },
        },
      });
      this.harnesses.set(name, h);
    }
    return h;
  }

  /**
   * One pass of a controller over its due keys, as the leader runs it; answers when the next key
   * is due and how many writes it made (events not counted).
   */
  async pass(make: () => KeyedControllerDef): Promise<{
    writes: number;
    requeueAfterMs?: number;
    reconciled: number;
  }> {
    const h = await this.harness(make);
    let writes = 0;
    h.onWrite = (req) => {
      if (!/\/events(\/|$)/.test(new URL(req.url).pathname)) writes++;
    };
    const out = await h.pass();
    h.onWrite = undefined;
    expect([...out.errors.values()]).toEqual([]);
    return {
      writes,
      requeueAfterMs: out.more ? 0 : out.requeueAfterMs,
      reconciled: Object.values(out.reconciled).reduce((a, b) => a + b, 0),
    };
  }

  /** Passes of a controller until one writes nothing; answers the writes of each pass that wrote. */
  async settle(make: () => KeyedControllerDef): Promise<number[]> {
    const writes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await this.pass(make);
      if (r.writes === 0) return writes;
      writes.push(r.writes);
    }
    throw new Error('no quiet pass in 10');
  }

  /** The time (on the controllers' clock) the key is queued for, if it is queued. */
  async dueAt(make: () => KeyedControllerDef, key: string): Promise<number | undefined> {
    const h = await this.harness(make);
    const q = h.manager.queues.get(make().name)!;
    return (q as unknown as { due: Map<string, number> }).due.get(key);
  }

  stop(): void {
    for (const h of this.harnesses.values()) h.stop();
  }

  async node(suffix: string, zone?: string): Promise<string> {
    const name = `n-${this.id}-${suffix}`;
    this.nodes.add(name);
    const labels = { [WORLD_LABEL]: this.id, ...(zone ? { [ZONE]: zone } : {}) };
    await this.c.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels } });
    await this.c.create('coordination.k8s.io/v1/leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease', labels },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro(this.clock) },
    });
    await this.report(name, 'True');
    return name;
  }

  /** What the agent does: renew the lease and post the Ready condition with a fresh heartbeat. */
  async heartbeat(name: string): Promise<void> {
    const lease = await this.c.get('coordination.k8s.io/v1/leases', name, {
      namespace: 'kube-node-lease',
    });
    await this.c.update('coordination.k8s.io/v1/leases', {
      ...lease,
      spec: { ...(lease.spec as object), renewTime: micro(this.clock) },
    });
  }

  async report(
    name: string,
    ready: NodeCondition['status'],
    memoryPressure: NodeCondition['status'] = 'False',
  ): Promise<void> {
    const node = await this.c.get('nodes', name);
    const t = stamp(this.clock);
    const conditions: NodeCondition[] = [
      {
        type: 'MemoryPressure',
        status: memoryPressure,
        reason:
          memoryPressure === 'True' ? 'KubeletHasInsufficientMemory' : 'KubeletHasSufficientMemory',
        lastHeartbeatTime: t,
        lastTransitionTime: t,
      },
      {
        type: 'DiskPressure',
        status: 'False',
        reason: 'KubeletHasNoDiskPressure',
        lastHeartbeatTime: t,
        lastTransitionTime: t,
      },
      {
        type: 'PIDPressure',
        status: 'False',
        reason: 'KubeletHasSufficientPID',
        lastHeartbeatTime: t,
        lastTransitionTime: t,
      },
      {
        type: 'Ready',
        status: ready,
        reason: ready === 'True' ? 'KubeletReady' : 'KubeletNotReady',
        lastHeartbeatTime: t,
        lastTransitionTime: t,
      },
    ];
    await this.c.updateStatus('nodes', {
      ...node,
      status: { ...(node.status as object), conditions },
    });
  }

  /** A running, ready pod bound to `node`. */
  async pod(
    name: string,
    node: string,
    tolerations: unknown[] = [],
    ip = '127.1.0.9',
  ): Promise<KObject> {
    const pod = await this.c.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: this.ns },
      spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx' }], tolerations },
    });
    const t = stamp(Date.now());
    return this.c.updateStatus('pods', {
      ...pod,
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }],
      },
    });
  }

  async get(resource: string, name: string, namespace?: string): Promise<KObject | undefined> {
    try {
      return await this.c.get(resource, name, { namespace });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async taints(name: string): Promise<string[]> {
    const node = await this.c.get('nodes', name);
    return ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? [])
      .map((t) => `${t.key}:${t.effect}`)
      .sort();
  }

  async events(reason: string, namespace: string): Promise<KObject[]> {
    return (await this.c.list('events', { namespace })).items.filter(
      (e) =>
        e.reason === reason &&
        (this.nodes.has((e.involvedObject as { name: string }).name) || namespace === this.ns),
    );
  }
}

const conditions = (n: KObject | undefined) =>
  (n?.status as { conditions?: NodeCondition[] }).conditions ?? [];
const podReady = (p: KObject | undefined) =>
  ((p?.status as { conditions?: { type: string; status: string }[] }).conditions ?? []).find(
    (c) => c.type === 'Ready',
  )?.status;

const worlds: World[] = [];
afterEach(() => {
  for (const w of worlds.splice(0)) w.stop();
});

async function world(config: Partial<ControllerConfig> = {}): Promise<World> {
  const c = apiClient();
  const w = new World(c, await freshNamespace(c));
  Object.assign(w.config, config);
  worlds.push(w);
  return w;
}

describe('node lifecycle', () => {
  it('leaves healthy nodes alone and asks to look again when the first lease would expire', async () => {
    const w = await world();
    await w.node('a');
    const r = await w.pass(nodeLifecycleController);
    expect(r.writes).toBe(0);
    expect(r.requeueAfterMs).toBeGreaterThan(GRACE_MS - 5000);
    expect(r.requeueAfterMs).toBeLessThanOrEqual(GRACE_MS + 5000);
  });

  it('marks a node whose lease stopped Unknown and taints it unreachable; the taints clear when it reports Ready again', async () => {
    const w = await world();
    const dead = await w.node('dead');
    const live = await w.node('live');
    w.clock += GRACE_MS + 1000;
    await w.heartbeat(live);

    // The status first; the taints once the watch shows it (decided from the cache's zone view).
    expect(await w.settle(nodeLifecycleController)).toEqual([1, 1]);
    const node = await w.get('nodes', dead);
    for (const c of conditions(node)) {
      expect(c).toMatchObject({
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
      });
    }
    expect(
      conditions(node)
        .map((c) => c.type)
        .sort(),
    ).toEqual(['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
    expect(await w.taints(dead)).toEqual([
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/unreachable:NoSchedule',
    ]);
    const noExecute = ((node?.spec as { taints?: Taint[] } | undefined)?.taints ?? []).find(
      (t) => t.effect === 'NoExecute',
    );
    expect(noExecute?.timeAdded).toBe(stamp(w.clock));
    expect(await w.taints(live)).toEqual([]);
    const events = await w.events('NodeNotReady', 'default');
    expect(events.map((e) => e.message)).toEqual([`Node ${dead} status is now: NodeNotReady`]);
    expect((await w.pass(nodeLifecycleController)).writes).toBe(0);

    // The lease alone does not make it Ready (the agent's status does), as upstream.
    await w.heartbeat(dead);
    expect((await w.pass(nodeLifecycleController)).writes).toBe(0);
    await w.report(dead, 'True');
    expect((await w.pass(nodeLifecycleController)).writes).toBe(1);
    expect(await w.taints(dead)).toEqual([]);
    expect((await w.pass(nodeLifecycleController)).writes).toBe(0);
  });

  it('taints a node that reports Ready=False not-ready, and keeps taints it does not own', async () => {
    const w = await world();
    const sick = await w.node('sick');
    await w.node('ok');
    await w.c.patch('nodes', sick, 'merge', {
      spec: { taints: [{ key: 'example.com/gpu', value: 'broken', effect: 'NoSchedule' }] },
    });
    await w.report(sick, 'False');
    await w.pass(nodeLifecycleController);
    expect(await w.taints(sick)).toEqual([
      'example.com/gpu:NoSchedule',
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/not-ready:NoSchedule',
    ]);
    await w.report(sick, 'True');
    await w.pass(nodeLifecycleController);
    expect(await w.taints(sick)).toEqual(['example.com/gpu:NoSchedule']);
  });

  it('taints a node under memory pressure memory-pressure:NoSchedule, and removes it when the pressure ends', async () => {
    const w = await world();
    const n = await w.node('squeezed');
    await w.report(n, 'True', 'True');
    await w.pass(nodeLifecycleController);
    expect(await w.taints(n)).toEqual(['node.kubernetes.io/memory-pressure:NoSchedule']);
    await w.report(n, 'True', 'False');
    await w.pass(nodeLifecycleController);
    expect(await w.taints(n)).toEqual([]);
  });

  it('adds the unschedulable taint to a cordoned node', async () => {
    const w = await world();
    const n = await w.node('cordoned');
    await w.c.patch('nodes', n, 'merge', { spec: { unschedulable: true } });
    await w.pass(nodeLifecycleController);
    expect(await w.taints(n)).toEqual(['node.kubernetes.io/unschedulable:NoSchedule']);
    await w.c.patch('nodes', n, 'merge', { spec: { unschedulable: null } });
    await w.pass(nodeLifecycleController);
    expect(await w.taints(n)).toEqual([]);
  });

  it('adds no NoExecute taint when every node is down (the control plane is the likelier culprit)', async () => {
    const w = await world();
    const only = await w.node('only');
    w.clock += GRACE_MS + 1000;
    await w.settle(nodeLifecycleController);
    expect(conditions(await w.get('nodes', only)).find((c) => c.type === 'Ready')?.status).toBe(
      'Unknown',
    );
    expect(await w.taints(only)).toEqual(['node.kubernetes.io/unreachable:NoSchedule']);
  });
});

describe('node lifecycle, keyed by node', () => {
  it('requeues each node at its own grace deadline; a lease renewal enqueues nothing, the deadline moves when it comes', async () => {
    const w = await world();
    const a = await w.node('a');
    const b = await w.node('b');
    const start = w.clock;
    const first = await w.pass(nodeLifecycleController);
    expect(first).toMatchObject({ writes: 0, reconciled: 2 });
    // Each node waits in the queue for its own deadline: lease renewal (or heartbeat) + grace,
    // rounded up to the 5 s node monitor period.
    const period = (t: number) => Math.ceil(t / 5000) * 5000;
    expect(await w.dueAt(nodeLifecycleController, a)).toBe(period(start + GRACE_MS));
    w.clock = start + 20_000;
    await w.heartbeat(b);
    expect(await w.pass(nodeLifecycleController)).toMatchObject({ writes: 0, reconciled: 0 });
    expect(await w.dueAt(nodeLifecycleController, b)).toBe(period(start + GRACE_MS));
    // At the old deadline b reads its renewed lease and waits for the new one; a goes Unknown.
    w.clock = period(start + GRACE_MS);
    const r = await w.pass(nodeLifecycleController);
    expect(r).toMatchObject({ writes: 1, reconciled: 2 });
    expect(await w.dueAt(nodeLifecycleController, b)).toBe(period(start + 20_000 + GRACE_MS));
    expect(conditions(await w.get('nodes', b)).find((c) => c.type === 'Ready')?.status).toBe(
      'True',
    );
  });

  it('starts NoExecute taints in a zone at node-eviction-rate (one per 10 s)', async () => {
    const w = await world();
    const dead = [await w.node('d1', 'z1'), await w.node('d2', 'z1')];
    const live = [await w.node('l1', 'z1'), await w.node('l2', 'z1')];
    w.clock += GRACE_MS + 1000;
    for (const n of live) await w.heartbeat(n);
    await w.settle(nodeLifecycleController);
    const noExecute = async () =>
      (await Promise.all(dead.map((n) => w.taints(n)))).filter((t) =>
        t.includes('node.kubernetes.io/unreachable:NoExecute'),
      ).length;
    // 2 of 4 down is a healthy zone (more than 2 are needed for a disruption): 0.1 taints/s, burst 1.
    expect(await noExecute()).toBe(1);
    for (const n of live) await w.heartbeat(n);
    w.clock += 9_000;
    for (const n of live) await w.heartbeat(n);
    await w.settle(nodeLifecycleController);
    expect(await noExecute()).toBe(1);
    w.clock += 1_000;
    for (const n of live) await w.heartbeat(n);
    await w.settle(nodeLifecycleController);
    expect(await noExecute()).toBe(2);
  });

  it('starts no NoExecute taint in a small partially disrupted zone, while other zones are healthy', async () => {
    const w = await world();
    const dead = [await w.node('p1', 'zp'), await w.node('p2', 'zp'), await w.node('p3', 'zp')];
    const live = [await w.node('p4', 'zp'), await w.node('q1', 'zq')];
    w.clock += GRACE_MS + 1000;
    for (const n of live) await w.heartbeat(n);
    await w.settle(nodeLifecycleController);
    // 3 of 4 not ready (over unhealthy-zone-threshold 0.55) in a zone of at most 50 nodes: rate 0.
    for (const n of dead)
      expect(await w.taints(n)).toEqual(['node.kubernetes.io/unreachable:NoSchedule']);
    // It keeps looking: once the zone recovers below the threshold, tainting resumes at the normal rate.
    await w.report(dead[0], 'True');
    await w.heartbeat(dead[0]);
    await w.settle(nodeLifecycleController);
    const tainted = await Promise.all(dead.slice(1).map((n) => w.taints(n)));
    expect(
      tainted.filter((t) => t.includes('node.kubernetes.io/unreachable:NoExecute')).length,
    ).toBe(1);
  });
});

describe('pods on unhealthy nodes', () => {
  it('marks them not ready, evicts them after tolerationSeconds, force-removes them after grace, and keeps those tolerating forever', async () => {
    const w = await world();
    const dead = await w.node('dead');
    const live = await w.node('live');
    const brief = [
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 30,
      },
    ];
    const forever = [
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    ];
    await w.pod('brief', dead, brief);
    await w.pod('stays', dead, forever);
    await w.pod('elsewhere', live, brief);
    expect((await w.pass(() => podLifecycleController)).writes).toBe(0);

    w.clock += GRACE_MS + 1000;
    await w.heartbeat(live);
    await w.settle(nodeLifecycleController);
    const tainted = w.clock;

    // Not ready at once; eviction waits for the toleration.
    // The node's change enqueued only its pods (by the pods-by-node index).
    const r1 = await w.pass(() => podLifecycleController);
    expect(r1.writes).toBe(2);
    expect(r1.reconciled).toBe(2);
    // Our writes come back on the watch: looked at again, nothing to do until the toleration runs out.
    const r2 = await w.pass(() => podLifecycleController);
    expect(r2.writes).toBe(0);
    // timeAdded has second precision, so the deadline is up to a second earlier than clock + 30 s.
    expect(r2.requeueAfterMs).toBeGreaterThan(29_000);
    expect(r2.requeueAfterMs).toBeLessThanOrEqual(30_000);
    expect(podReady(await w.get('pods', 'brief', w.ns))).toBe('False');
    expect(podReady(await w.get('pods', 'stays', w.ns))).toBe('False');
    expect(podReady(await w.get('pods', 'elsewhere', w.ns))).toBe('True');
    expect((await w.events('NodeNotReady', w.ns)).map((e) => e.message)).toEqual([
      'Node is not ready',
      'Node is not ready',
    ]);

    w.clock = tainted + 29_000;
    expect((await w.pass(() => podLifecycleController)).writes).toBe(0);
    w.clock = tainted + 30_000;
    await w.pass(() => podLifecycleController);
    const evicted = await w.get('pods', 'brief', w.ns);
    expect(evicted?.metadata.deletionTimestamp).toBeTruthy();
    const disruption = (
      (evicted?.status as { conditions: { type: string; reason?: string }[] }).conditions ?? []
    ).find((c) => c.type === 'DisruptionTarget');
    expect(disruption?.reason).toBe('DeletionByTaintManager');
    expect((await w.events('TaintManagerEviction', w.ns)).map((e) => e.message)).toEqual([
      `Marking for deletion Pod ${w.ns}/brief`,
    ]);

    // No agent finishes it on the dead node: once its grace period is over it is removed.
    const due = Date.parse(evicted!.metadata.deletionTimestamp!);
    expect(due).toBeGreaterThan(w.clock);
    w.clock = due - 5000;
    const early = await w.pass(() => podLifecycleController);
    expect(early.writes).toBe(0);
    expect(early.requeueAfterMs).toBeGreaterThan(0);
    w.clock = due + 1000;
    await w.pass(() => podLifecycleController);
    expect(await w.get('pods', 'brief', w.ns)).toBeUndefined();
    expect(await w.get('pods', 'stays', w.ns)).toBeDefined();
    expect(await w.get('pods', 'elsewhere', w.ns)).toBeDefined();
    const last = await w.pass(() => podLifecycleController);
    expect(last.writes).toBe(0);
    expect(last.requeueAfterMs).toBeUndefined();
  });

  it('evicts at once a pod that does not tolerate a NoExecute taint', async () => {
    const w = await world();
    const n = await w.node('tainted');
    await w.pod('victim', n);
    await w.c.patch('nodes', n, 'merge', {
      spec: {
        taints: [{ key: 'example.com/drain', effect: 'NoExecute', timeAdded: stamp(w.clock) }],
      },
    });
    await w.pass(() => podLifecycleController);
    expect((await w.get('pods', 'victim', w.ns))?.metadata.deletionTimestamp).toBeTruthy();
  });
});

describe('pod GC', () => {
  it('fails and force-deletes pods bound to a node that does not exist, and leaves the others', async () => {
    const w = await world();
    const real = await w.node('real');
    await w.pod('orphan', `n-gone-${Math.random().toString(36).slice(2, 7)}`);
    await w.pod('fine', real);
    const r = await w.pass(podGCController);
    expect(r.writes).toBe(2); // status to Failed, then the delete
    expect(await w.get('pods', 'orphan', w.ns)).toBeUndefined();
    expect(await w.get('pods', 'fine', w.ns)).toBeDefined();
    expect((await w.pass(podGCController)).writes).toBe(0);
  });

  it('keeps at most terminated-pod-gc-threshold terminated pods: evicted ones go first, then the oldest', async () => {
    const w = await world({ terminatedPodGCThreshold: 2 });
    const n = await w.node('done');
    for (const name of ['t1', 't2', 't3', 't4', 'running']) await w.pod(name, n);
    for (const name of ['t1', 't2', 't3', 't4']) {
      const pod = await w.c.get('pods', name, { namespace: w.ns });
      await w.c.updateStatus('pods', {
        ...pod,
        status: {
          ...(pod.status as object),
          phase: name === 't2' ? 'Failed' : 'Succeeded',
          ...(name === 't4' ? { reason: 'Evicted' } : {}),
        },
      });
    }
    expect(await w.settle(podGCController)).toEqual([2]);
    const left = (await w.c.list('pods', { namespace: w.ns })).items.map((p) => p.metadata.name);
    expect(left.sort()).toEqual(['running', 't2', 't3']);
  });

  it('force-deletes a terminating pod on a not-ready node tainted out-of-service, without waiting for its grace', async () => {
    const w = await world();
    const n = await w.node('oos');
    await w.pod('stuck', n);
    await w.c.delete('pods', 'stuck', { namespace: w.ns });
    await w.report(n, 'False');
    expect((await w.pass(podGCController)).writes).toBe(0);
    await w.c.patch('nodes', n, 'merge', {
      spec: {
        taints: [
          {
            key: 'node.kubernetes.io/out-of-service',
            value: 'nodeshutdown',
            effect: 'NoExecute',
            timeAdded: stamp(w.clock),
          },
        ],
      },
    });
    await w.pass(podGCController);
    expect(await w.get('pods', 'stuck', w.ns)).toBeUndefined();
  });
});
