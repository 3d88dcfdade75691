// Pods on unhealthy nodes: marked not ready, evicted by NoExecute taints, and force-removed once their grace is over.
// k8s: pkg/controller/tainteviction/taint_eviction.go; pkg/controller/util/node/controller_utils.go (MarkPodsNotReady)
import type { KObject } from '../../src/api/types';
import { isConflict, isNotFound } from '../../src/client/errors';
import type { Controller, ControllerContext, ReconcileResult } from './framework';
import type { Taint, Toleration } from '../../src/api/core';
import { isNodeReady, taintsOf, tolerates } from '../../src/api/node';
import { parseTime, rfc3339 } from '../../src/lib/time';

interface PodCondition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

type Pod = KObject & {
  spec?: { nodeName?: string; tolerations?: Toleration[] };
  status?: { phase?: string; conditions?: PodCondition[] };
};

/**
 * k8s: getMatchingTolerations + getMinTolerationTime: undefined when some taint is not tolerated
 * (evict now), Infinity when tolerated forever, else the shortest tolerationSeconds in ms.
 */
export function tolerationWindowMs(taints: Taint[], tolerations: Toleration[]): number | undefined {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => tolerates(x, taint));
    if (!t) return undefined;
    used.push(t);
  }
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds * 1000);
  }
  return min;
}

export const podLifecycleController: Controller = {
  name: 'pod-lifecycle',
  watches: ['nodes', 'pods'],
  async reconcile(ctx) {
    const now = ctx.now();
    const nodes = new Map((await ctx.snapshot.list('nodes')).map((n) => [n.metadata.name!, n]));
    const state = { writes: 0, retry: false, next: Infinity };
    for (const pod of (await ctx.snapshot.list('pods')) as Pod[]) {
      if (state.writes >= ctx.config.maxWritesPerPass) break;
      const node = pod.spec?.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
      // Pods on nodes that are gone are pod GC's; unbound pods need no node's help to go.
      if (!node) continue;
      if (pod.metadata.deletionTimestamp) await forceAfterGrace(ctx, pod, node, now, state);
      else {
        const current = (!isNodeReady(node) && (await markNotReady(ctx, pod, now, state))) || pod;
        await evictByTaints(ctx, current, node, now, state);
      }
    }
    if (state.writes > 0) ctx.snapshot.invalidate('pods');
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
  next: number;
}

async function attempt(state: PassState, fn: () => Promise<unknown>): Promise<boolean> {
  state.writes++;
  try {
    await fn();
    return true;
  } catch (e) {
    if (isConflict(e)) state.retry = true;
    else if (!isNotFound(e)) throw e;
    return false;
  }
}

const podRef = (pod: Pod): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
});

/**
 * k8s: MarkPodsNotReady: nobody is checking the containers on an unhealthy node, so its pods
 * stop counting as ready (and leave their Services' endpoints).
 */
async function markNotReady(
  ctx: ControllerContext,
  pod: Pod,
  now: number,
  state: PassState,
): Promise<Pod | undefined> {
  const conditions = pod.status?.conditions ?? [];
  if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return undefined;
  const next = conditions.map((c) =>
    c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : c,
  );
  let written: Pod | undefined;
  await attempt(state, async () => {
    written = await ctx.client.updateStatus<Pod>('pods', {
      ...pod,
      status: { ...pod.status, conditions: next },
    });
  });
  // Events are best effort: a terminating namespace refuses them, and that must not stop the pass.
  if (written)
    await ctx.recorder
      .event(podRef(pod), 'Warning', 'NodeNotReady', 'Node is not ready')
      .catch(() => undefined);
  return written;
}

/**
 * k8s: taint eviction: a pod that does not tolerate a NoExecute taint of its node is deleted now;
 * one that tolerates them for a while is deleted when the shortest tolerationSeconds have passed
 * since the taint was added.
 */
async function evictByTaints(
  ctx: ControllerContext,
  pod: Pod,
  node: KObject,
  now: number,
  state: PassState,
): Promise<void> {
  const taints = taintsOf(node).filter((t) => t.effect === 'NoExecute');
  if (!taints.length) return;
  const window = tolerationWindowMs(taints, pod.spec?.tolerations ?? []);
  if (window === Infinity) return;
  if (window !== undefined) {
    // A taint with no timeAdded counts from the epoch: kubectl and this controller always set it.
    const since = Math.min(...taints.map((t) => parseTime(t.timeAdded) ?? 0));
    const due = since + window;
    if (now < due) {
      state.next = Math.min(state.next, due - now);
      return;
    }
  }
  const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
  conditions.push({
    type: 'DisruptionTarget',
    status: 'True',
    lastTransitionTime: rfc3339(now),
    reason: 'DeletionByTaintManager',
    message: 'Taint manager: deleting due to NoExecute taint',
  });
  const marked = await attempt(state, () =>
    ctx.client.updateStatus('pods', { ...pod, status: { ...pod.status, conditions } }),
  );
  if (!marked) return;
  await ctx.recorder
    .event(
      podRef(pod),
      'Normal',
      'TaintManagerEviction',
      `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`,
    )
    .catch(() => undefined);
  await attempt(state, () =>
    ctx.client.delete('pods', pod.metadata.name!, {
      namespace: pod.metadata.namespace,
      preconditions: { uid: pod.metadata.uid },
    }),
  );
}

/**
 * A terminating pod whose node is not Ready has no agent to finish it: once its grace period is
 * over (the API set deletionTimestamp to the end of it) it is removed, so its replacement's name,
 * addresses and ports are free and `kubectl get pods` stops showing it Terminating.
 */
async function forceAfterGrace(
  ctx: ControllerContext,
  pod: Pod,
  node: KObject,
  now: number,
  state: PassState,
): Promise<void> {
  if (isNodeReady(node) || pod.metadata.finalizers?.length) return;
  const due = parseTime(pod.metadata.deletionTimestamp) ?? 0;
  if (now < due) {
    state.next = Math.min(state.next, due - now);
    return;
  }
  await attempt(state, () =>
    ctx.client.delete('pods', pod.metadata.name!, {
      namespace: pod.metadata.namespace,
      gracePeriodSeconds: 0,
      preconditions: { uid: pod.metadata.uid },
    }),
  );
}
