// Node lifecycle: lease-based node health (Ready=Unknown after the grace period) and the condition taints.
// k8s: pkg/controller/nodelifecycle/node_lifecycle_controller.go (tryUpdateNodeHealth, doNoScheduleTaintingPass, doNoExecuteTaintingPass)
import type { Condition, Taint } from '../../src/api/core';
import { conditionsOf, isNodeReady, readyCondition, taintsOf } from '../../src/api/node';
import type { KObject } from '../../src/api/types';
import { parseTime, rfc3339 } from '../../src/lib/time';
import { isConflict, isNotFound } from '../../src/client/errors';
import type { Controller, ControllerContext, ReconcileResult } from './framework';

export type NodeCondition = Condition;
export type { Taint };

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
const LEASE_NAMESPACE = 'kube-node-lease';
// k8s: nodeStartupGracePeriod: a node that never reported gets this long from its creation.
const STARTUP_GRACE_MS = 60_000;
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

export const nodeLifecycleController: Controller = {
  name: 'node-lifecycle',
  watches: ['nodes'],
  async reconcile(ctx) {
    const now = ctx.now();
    const leases = new Map(
      (await ctx.snapshot.list('coordination.k8s.io/v1/leases'))
        .filter((l) => l.metadata.namespace === LEASE_NAMESPACE)
        .map((l) => [l.metadata.name!, l]),
    );
    const state = { writes: 0, retry: false, next: Infinity };
    const nodes: KObject[] = [];
    for (const node of await ctx.snapshot.list('nodes')) {
      nodes.push(
        (await updateHealth(ctx, node, leases.get(node.metadata.name!), now, state)) ?? node,
      );
    }
    // k8s: when every zone is fully disrupted the trouble is more likely ours than the nodes':
    // no NoExecute taints (so no evictions) until some node is Ready again.
    const allDown = nodes.length > 0 && nodes.every((n) => !isNodeReady(n));
    for (const node of nodes) {
      if (state.writes >= ctx.config.maxWritesPerPass) break;
      await updateTaints(ctx, node, allDown, now, state);
    }
    if (state.writes > 0) ctx.snapshot.invalidate('nodes');
    const result: ReconcileResult = {};
    if (state.writes >= ctx.config.maxWritesPerPass) result.more = true;
    const next = Math.min(state.next, state.retry ? 1000 : Infinity);
    if (next !== Infinity) result.requeueAfterMs = Math.max(0, next);
    return result;
  },
};

interface PassState {
  writes: number;
  retry: boolean;
  /** Milliseconds until the earliest lease expiry among nodes still reported healthy. */
  next: number;
}

/**
 * The last time the node was heard from: its lease renewal or its Ready heartbeat, whichever is
 * later (its creation, if it never reported). Upstream records when it observed a change; with no
 * memory between passes we read the timestamps themselves, so agent and control plane clocks must
 * roughly agree.
 */
function lastHeard(node: KObject, lease: KObject | undefined): number {
  const renew = parseTime((lease?.spec as { renewTime?: string } | undefined)?.renewTime);
  const beat = parseTime(readyCondition(node)?.lastHeartbeatTime);
  if (renew === undefined && beat === undefined)
    return parseTime(node.metadata.creationTimestamp ?? undefined) ?? 0;
  return Math.max(renew ?? 0, beat ?? 0);
}

/** k8s: tryUpdateNodeHealth: past the grace period every monitored condition becomes Unknown. Answers the node as written. */
async function updateHealth(
  ctx: ControllerContext,
  node: KObject,
  lease: KObject | undefined,
  now: number,
  state: PassState,
): Promise<KObject | undefined> {
  const ready = readyCondition(node);
  const grace = ready
    ? ctx.config.nodeMonitorGracePeriodMs
    : Math.max(STARTUP_GRACE_MS, ctx.config.nodeMonitorGracePeriodMs);
  const deadline = lastHeard(node, lease) + grace;
  const conditions = conditionsOf(node);
  const pending = MONITORED.some((t) => conditions.find((c) => c.type === t)?.status !== 'Unknown');
  if (now < deadline) {
    if (pending) state.next = Math.min(state.next, deadline - now);
    return undefined;
  }
  if (!pending || state.writes >= ctx.config.maxWritesPerPass) return undefined;
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
  state.writes++;
  try {
    const written = await ctx.client.updateStatus('nodes', {
      ...node,
      status: { ...(node.status as object), conditions: next },
    });
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
    return written;
  } catch (e) {
    if (isConflict(e)) state.retry = true;
    else if (!isNotFound(e)) throw e;
    return undefined;
  }
}

const nodeRef = (node: KObject): KObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: node.metadata.name, uid: node.metadata.uid },
});

/** The controller-owned taints the node should carry now. */
function desiredTaints(node: KObject, allDown: boolean): Taint[] {
  const out: Taint[] = [];
  for (const c of conditionsOf(node)) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) out.push({ key, effect: 'NoSchedule' });
  }
  if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable)
    out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const ready = readyCondition(node)?.status;
  if (!allDown && ready === 'False') out.push({ key: TAINT_NOT_READY, effect: 'NoExecute' });
  if (!allDown && ready === 'Unknown') out.push({ key: TAINT_UNREACHABLE, effect: 'NoExecute' });
  return out;
}

const owned = (t: Taint) =>
  (t.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(t.key)) ||
  (t.effect === 'NoExecute' && NO_EXECUTE_KEYS.has(t.key));
const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;

/** k8s: SwapNodeControllerTaint: adds and removes only the taints this controller owns; a kept taint keeps its timeAdded. */
async function updateTaints(
  ctx: ControllerContext,
  node: KObject,
  allDown: boolean,
  now: number,
  state: PassState,
): Promise<void> {
  const current = taintsOf(node);
  const want = desiredTaints(node, allDown);
  const kept = current.filter((t) => !owned(t) || want.some((w) => same(w, t)));
  const added = want
    .filter((w) => !current.some((t) => same(w, t)))
    .map((t) => (t.effect === 'NoExecute' ? { ...t, timeAdded: rfc3339(now) } : t));
  if (kept.length === current.length && added.length === 0) return;
  const taints = [...kept, ...added];
  state.writes++;
  try {
    await ctx.client.patch('nodes', node.metadata.name!, 'merge', {
      metadata: { uid: node.metadata.uid, resourceVersion: node.metadata.resourceVersion },
      spec: { taints: taints.length ? taints : null },
    });
  } catch (e) {
    if (isConflict(e)) state.retry = true;
    else if (!isNotFound(e)) throw e;
  }
}
