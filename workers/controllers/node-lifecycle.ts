// Node lifecycle, keyed by node: lease-based health (Ready=Unknown after the grace period), the
// condition taints, and rate-limited NoExecute tainting per zone.
// k8s: pkg/controller/nodelifecycle/node_lifecycle_controller.go (tryUpdateNodeHealth,
// doNoScheduleTaintingPass, doNoExecuteTaintingPass, handleDisruption, ComputeZoneState)
import type { Condition, Taint } from '../../src/api/core';
import { conditionsOf, readyCondition, taintsOf } from '../../src/api/node';
import type { KObject } from '../../src/api/types';
import { isNotFound } from '../../src/client/errors';
import type { InformerEvent } from '../../src/client/informer';
import { parseTime, rfc3339 } from '../../src/lib/time';
import type { ClusterCache } from '../shared/cache';
import type { Result } from '../shared/controller';
import type { KeyedContext, KeyedControllerDef } from './framework';

export type NodeCondition = Condition;
export type { Taint };

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
const LEASES = 'coordination.k8s.io/v1/leases';
const LEASE_NAMESPACE = 'kube-node-lease';
const ZONE_LABEL = 'topology.kubernetes.io/zone';
// k8s: nodeStartupGracePeriod: a node that never reported gets this long from its creation.
const STARTUP_GRACE_MS = 60_000;
// k8s: --node-monitor-period (5 s): upstream looks at every node this often. Deadlines are rounded
// up to it, so the nodes of a fleet come due together, a few passes every 5 s, rather than one
// pass (and alarm) per node; a silent node is noticed at most 5 s after its grace, as upstream.
export const NODE_MONITOR_PERIOD_MS = 5_000;
const onPeriod = (at: number) => Math.ceil(at / NODE_MONITOR_PERIOD_MS) * NODE_MONITOR_PERIOD_MS;
// How soon a node held back by a zone whose eviction rate is zero is looked at again (upstream
// polls its tainting queue every nodeEvictionPeriod; zone states change with node readiness).
const ZONE_RECHECK_MS = 10_000;
// k8s: the conditions the controller owns when the kubelet goes silent.
const MONITORED = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
// k8s: nodeConditionToTaintKeyStatusMap (TaintNodesByCondition), all NoSchedule.
const CONDITION_TAINTS: Record<string, Partial<Record<NodeCondition['status'], string>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};
const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
const NO_SCHEDULE_KEYS = new Set([
  ...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)),
  TAINT_UNSCHEDULABLE,
]);
const NO_EXECUTE_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE]);

/** k8s: ZoneState. */
export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

const zoneOf = (node: KObject) => node.metadata.labels?.[ZONE_LABEL] ?? '';
const readyStatus = (node: KObject) => readyCondition(node)?.status ?? 'Unknown';
/** Index "health": each node under "<zone>\0ready" or "<zone>\0notready". */
const healthOf = (node: KObject): string[] => [
  `${zoneOf(node)}\0${readyStatus(node) === 'True' ? 'ready' : 'notready'}`,
];

/** k8s: ComputeZoneState: no ready node left is a full disruption; over the threshold (and more than 2) a partial one. */
export function zoneState(ready: number, notReady: number, unhealthyThreshold: number): ZoneState {
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (ready + notReady) >= unhealthyThreshold)
    return 'PartialDisruption';
  return 'Normal';
}

/** Per zone, from the index counts: O(zones), never a walk over the nodes. */
function zoneStates(cache: ClusterCache, threshold: number): Map<string, [ZoneState, number]> {
  const nodes = cache.kind('nodes');
  const zones = new Set(nodes.indexValues('health').map((v) => v.slice(0, v.indexOf('\0'))));
  const out = new Map<string, [ZoneState, number]>();
  for (const z of zones) {
    const ready = nodes.count('health', `${z}\0ready`);
    const notReady = nodes.count('health', `${z}\0notready`);
    out.set(z, [zoneState(ready, notReady, threshold), ready + notReady]);
  }
  return out;
}

/**
 * A token bucket of burst 1 on the controller's clock (flowcontrol.NewTokenBucketRateLimiter(qps, 1));
 * a new rate starts a new, full bucket, and rate 0 never gives a token (k8s: SwapLimiter).
 */
class ZoneLimiter {
  private tokens = 1;
  constructor(
    private last: number,
    private qps: number,
  ) {}
  setRate(qps: number, now: number): void {
    if (qps === this.qps) return;
    this.qps = qps;
    this.tokens = 1;
    this.last = now;
  }
  /** 0 when a token was taken; otherwise milliseconds until one is due (Infinity at rate 0). */
  take(now: number): number {
    if (this.qps <= 0) return Infinity;
    this.tokens = Math.min(1, this.tokens + (Math.max(0, now - this.last) / 1000) * this.qps);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return this.qps > 0 ? Math.ceil(((1 - this.tokens) / this.qps) * 1000) : Infinity;
  }
}

/** k8s: the lease of a node lives in kube-node-lease under the node's name. */
const leaseOf = (cache: ClusterCache, node: string) =>
  cache.kind(LEASES).getNamed(LEASE_NAMESPACE, node);

/** A node's Ready status changed (or it came or went): zone states may have moved for every unhealthy node. */
function readinessChanged(obj: KObject, cache: ClusterCache, e: InformerEvent<KObject>): string[] {
  if (obj !== e.object) return [];
  if (e.type === 'MODIFIED' && e.oldObject && readyStatus(e.oldObject) === readyStatus(obj))
    return [];
  const nodes = cache.kind('nodes');
  return nodes
    .indexValues('health')
    .filter((v) => v.endsWith('\0notready'))
    .flatMap((v) => nodes.keysByIndex('health', v));
}

/**
 * Keys are nodes. A node's own change enqueues it; lease renewals enqueue nothing (a healthy node
 * is requeued at its own deadline, lease age + grace, and reads the lease then); a change of some
 * node's readiness enqueues the unhealthy nodes, whose NoExecute taints depend on zone states.
 */
export function nodeLifecycleController(): KeyedControllerDef {
  const limiters = new Map<string, ZoneLimiter>();
  return {
    name: 'node-lifecycle',
    reconciles: 'nodes',
    reads: ['nodes', LEASES],
    watches: [{ resource: 'nodes', map: readinessChanged }],
    indexes: [{ resource: 'nodes', name: 'health', fn: healthOf }],
    async reconcile(ctx, key): Promise<Result> {
      const cached = ctx.cache.kind('nodes').get(key);
      if (!cached) return;
      const now = ctx.now();
      const health = await updateHealth(ctx, cached, leaseOf(ctx.cache, key), now);
      // k8s: taints are decided after every node's health is updated (monitorNodeHealth, then the
      // tainting passes), so a zone where several nodes went silent together is seen as such. Here
      // the write comes back on the watch and enqueues this node again (and, as its readiness
      // changed, every unhealthy node): the taints are decided then, from the cache.
      if (health.written) return;
      const retryMs = await updateTaints(ctx, cached, now, limiters);
      const next = Math.min(health.deadlineMs ?? Infinity, retryMs ?? Infinity);
      return next === Infinity ? undefined : { requeueAfterMs: Math.max(0, next) };
    },
  };
}

/**
 * The last time the node was heard from: its lease renewal or its Ready heartbeat, whichever is
 * later (its creation, if it never reported). Upstream records when it observed a change; with no
 * memory that survives an eviction we read the timestamps themselves, so agent and control plane
 * clocks must roughly agree.
 */
function lastHeard(node: KObject, lease: KObject | undefined): number {
  const renew = parseTime((lease?.spec as { renewTime?: string } | undefined)?.renewTime);
  const beat = parseTime(readyCondition(node)?.lastHeartbeatTime);
  if (renew === undefined && beat === undefined)
    return parseTime(node.metadata.creationTimestamp ?? undefined) ?? 0;
  return Math.max(renew ?? 0, beat ?? 0);
}

/**
 * k8s: tryUpdateNodeHealth: past the grace period every monitored condition becomes Unknown.
 * Answers whether it wrote and, for a node still heard from, when its grace runs out.
 */
async function updateHealth(
  ctx: KeyedContext,
  node: KObject,
  lease: KObject | undefined,
  now: number,
): Promise<{ written?: boolean; deadlineMs?: number }> {
  const ready = readyCondition(node);
  const grace = ready
    ? ctx.config.nodeMonitorGracePeriodMs
    : Math.max(STARTUP_GRACE_MS, ctx.config.nodeMonitorGracePeriodMs);
  const deadline = lastHeard(node, lease) + grace;
  const conditions = conditionsOf(node);
  const pending = MONITORED.some((t) => conditions.find((c) => c.type === t)?.status !== 'Unknown');
  if (!pending) return {};
  if (now < deadline) return { deadlineMs: onPeriod(deadline) - now };
  const stamp = rfc3339(now);
  const next = conditions.map((c) => ({ ...c }));
  for (const type of MONITORED) {
    const c = next.find((x) => x.type === type);
    if (!c) {
      next.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata.creationTimestamp ?? stamp,
        lastTransitionTime: stamp,
      });
    } else if (c.status !== 'Unknown') {
      // The heartbeat stays: it is the last time the kubelet was heard from.
      Object.assign(c, {
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastTransitionTime: stamp,
      });
    }
  }
  ctx.budget.take();
  try {
    // The node's resourceVersion is the precondition: a heartbeat that landed since the cache saw
    // the node makes this a conflict, and the key is retried against the fresher node.
    await ctx.client.updateStatus('nodes', {
      ...node,
      status: { ...(node.status as object), conditions: next },
    });
  } catch (e) {
    if (isNotFound(e)) return {};
    throw e;
  }
  if (ready?.status === 'True') {
    // k8s: controllerutil.RecordNodeStatusChange.
    await ctx.recorder
      .event(
        nodeRef(node),
        'Normal',
        'NodeNotReady',
        `Node ${node.metadata.name} status is now: NodeNotReady`,
      )
      .catch(() => undefined);
  }
  return { written: true };
}

const nodeRef = (node: KObject): KObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: node.metadata.name, uid: node.metadata.uid },
});

/** The controller-owned taints the node should carry now (`noExecute`: whether NoExecute ones may stay or be added). */
function desiredTaints(node: KObject, noExecute: boolean): Taint[] {
  const out: Taint[] = [];
  for (const c of conditionsOf(node)) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) out.push({ key, effect: 'NoSchedule' });
  }
  if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable)
    out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const ready = readyCondition(node)?.status;
  if (noExecute && ready === 'False') out.push({ key: TAINT_NOT_READY, effect: 'NoExecute' });
  if (noExecute && ready === 'Unknown') out.push({ key: TAINT_UNREACHABLE, effect: 'NoExecute' });
  return out;
}

const owned = (t: Taint) =>
  (t.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(t.key)) ||
  (t.effect === 'NoExecute' && NO_EXECUTE_KEYS.has(t.key));
const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
const noExecuteOf = (taints: Taint[]) =>
  taints.filter((t) => t.effect === 'NoExecute' && NO_EXECUTE_KEYS.has(t.key));

/**
 * k8s: doNoScheduleTaintingPass + doNoExecuteTaintingPass for one node. NoSchedule taints follow the
 * conditions at once. A NoExecute taint on a node that has none yet starts evictions, so it waits
 * for its zone's rate limiter (node-eviction-rate; the secondary rate, or none, in a partially
 * disrupted zone); swapping not-ready for unreachable on an already tainted node does not. When
 * every zone is fully disrupted the trouble is more likely ours than the nodes': no NoExecute taint
 * is added, and the ones there are removed (k8s: handleDisruption, markNodeAsReachable).
 * Answers milliseconds until the node should be looked at again for a held-back taint.
 */
async function updateTaints(
  ctx: KeyedContext,
  node: KObject,
  now: number,
  limiters: Map<string, ZoneLimiter>,
): Promise<number | undefined> {
  const current = taintsOf(node);
  const unhealthy = readyStatus(node) !== 'True';
  let allowNoExecute = true;
  let retryMs: number | undefined;
  if (unhealthy) {
    const cfg = ctx.config;
    const zones = zoneStates(ctx.cache, cfg.unhealthyZoneThreshold);
    const allDown = [...zones.values()].every(([s]) => s === 'FullDisruption');
    if (allDown) allowNoExecute = false;
    else if (noExecuteOf(current).length === 0) {
      // k8s: setLimiterInZone.
      const [state, size] = zones.get(zoneOf(node)) ?? ['Normal', 1];
      const qps =
        state === 'PartialDisruption'
          ? size > cfg.largeClusterSizeThreshold
            ? cfg.secondaryNodeEvictionRate
            : 0
          : cfg.nodeEvictionRate;
      const zone = zoneOf(node);
      let limiter = limiters.get(zone);
      if (!limiter) limiters.set(zone, (limiter = new ZoneLimiter(now, qps)));
      limiter.setRate(qps, now);
      // Only a node that would get a NoExecute taint now spends a token.
      if (desiredTaints(node, true).some((t) => t.effect === 'NoExecute')) {
        const wait = limiter.take(now);
        if (wait > 0) {
          allowNoExecute = false;
          retryMs = Number.isFinite(wait) ? wait : ZONE_RECHECK_MS;
        }
      }
    }
  }
  const want = desiredTaints(node, allowNoExecute);
  const kept = current.filter((t) => !owned(t) || want.some((w) => same(w, t)));
  const added = want
    .filter((w) => !current.some((t) => same(w, t)))
    .map((t) => (t.effect === 'NoExecute' ? { ...t, timeAdded: rfc3339(now) } : t));
  if (kept.length === current.length && added.length === 0) return retryMs;
  const taints = [...kept, ...added];
  ctx.budget.take();
  try {
    await ctx.client.patch('nodes', node.metadata.name!, 'merge', {
      metadata: { uid: node.metadata.uid, resourceVersion: node.metadata.resourceVersion },
      spec: { taints: taints.length ? taints : null },
    });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  return retryMs;
}
