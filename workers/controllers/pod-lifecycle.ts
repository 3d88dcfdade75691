// Pods on unhealthy nodes, keyed by pod: marked not ready, evicted by NoExecute taints, and force-removed once their grace is over.
// k8s: pkg/controller/tainteviction/taint_eviction.go; pkg/controller/util/node/controller_utils.go (MarkPodsNotReady)
import type { KObject } from '../../src/api/types';
import { isNotFound } from '../../src/client/errors';
import type { InformerEvent } from '../../src/client/informer';
import { nodeNameOf, type ClusterCache } from '../shared/cache';
import type { Result } from '../shared/controller';
import type { KeyedContext, KeyedControllerDef } from './framework';
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

/** What the taint manager reacts to on a node: its readiness and its NoExecute taints. */
const healthSignature = (node: KObject | undefined): string =>
  node
    ? JSON.stringify([
        isNodeReady(node),
        taintsOf(node)
          .filter((t) => t.effect === 'NoExecute')
          .map((t) => [t.key, t.value ?? '', t.timeAdded ?? '']),
      ])
    : '';

/** A node whose readiness or NoExecute taints changed enqueues the pods bound to it (by index). */
function podsOfChangedNode(obj: KObject, cache: ClusterCache, e: InformerEvent<KObject>): string[] {
  if (obj !== e.object || e.type === 'DELETED') return [];
  if (e.type === 'MODIFIED' && healthSignature(e.oldObject) === healthSignature(obj)) return [];
  return cache.kind('pods').keysByIndex('node', obj.metadata.name!);
}

/**
 * Keys are pods (k8s: the taint eviction controller's per-pod work, and MarkPodsNotReady). A pod's
 * own change enqueues it; a node whose readiness or NoExecute taints changed enqueues its pods. A
 * pod on a healthy node costs one cache read. Time-based work (tolerationSeconds running out, a
 * terminating pod's grace ending) is a RequeueAfter of the pod's key at that moment.
 */
export const podLifecycleController: KeyedControllerDef = {
  name: 'pod-lifecycle',
  reconciles: 'pods',
  reads: ['pods', 'nodes'],
  watches: [{ resource: 'nodes', map: podsOfChangedNode }],
  indexes: [{ resource: 'pods', name: 'node', fn: nodeNameOf }],
  async reconcile(ctx, key): Promise<Result> {
    const pod = ctx.cache.kind<Pod>('pods').get(key);
    const nodeName = pod?.spec?.nodeName;
    // Pods on nodes that are gone are pod GC's; unbound pods need no node's help to go.
    const node = nodeName ? ctx.cache.kind('nodes').get(nodeName) : undefined;
    if (!pod || !node) return;
    const now = ctx.now();
    let due: number | undefined;
    if (pod.metadata.deletionTimestamp) due = await forceAfterGrace(ctx, pod, node, now);
    else {
      const current = (!isNodeReady(node) && (await markNotReady(ctx, pod, now))) || pod;
      due = await evictByTaints(ctx, current, node, now);
    }
    return due === undefined ? undefined : { requeueAfterMs: due };
  },
};

/** Writes count against the pass's budget; a pod or node gone meanwhile is no error. A conflict propagates (the key is retried). */
async function attempt(ctx: KeyedContext, fn: () => Promise<unknown>): Promise<boolean> {
  ctx.budget.take();
  try {
    await fn();
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
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
async function markNotReady(ctx: KeyedContext, pod: Pod, now: number): Promise<Pod | undefined> {
  const conditions = pod.status?.conditions ?? [];
  if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return undefined;
  const next = conditions.map((c) =>
    c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : c,
  );
  let written: Pod | undefined;
  await attempt(ctx, async () => {
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
  ctx: KeyedContext,
  pod: Pod,
  node: KObject,
  now: number,
): Promise<number | undefined> {
  const taints = taintsOf(node).filter((t) => t.effect === 'NoExecute');
  if (!taints.length) return undefined;
  const window = tolerationWindowMs(taints, pod.spec?.tolerations ?? []);
  if (window === Infinity) return undefined;
  if (window !== undefined) {
    // A taint with no timeAdded counts from the epoch: kubectl and this controller always set it.
    const since = Math.min(...taints.map((t) => parseTime(t.timeAdded) ?? 0));
    const due = since + window;
    if (now < due) return due - now;
  }
  const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
  conditions.push({
    type: 'DisruptionTarget',
    status: 'True',
    lastTransitionTime: rfc3339(now),
    reason: 'DeletionByTaintManager',
    message: 'Taint manager: deleting due to NoExecute taint',
  });
  const marked = await attempt(ctx, () =>
    ctx.client.updateStatus('pods', { ...pod, status: { ...pod.status, conditions } }),
  );
  if (!marked) return undefined;
  await ctx.recorder
    .event(
      podRef(pod),
      'Normal',
      'TaintManagerEviction',
      `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`,
    )
    .catch(() => undefined);
  await attempt(ctx, () =>
    ctx.client.delete('pods', pod.metadata.name!, {
      namespace: pod.metadata.namespace,
      preconditions: { uid: pod.metadata.uid },
    }),
  );
  return undefined;
}

/**
 * A terminating pod whose node is not Ready has no agent to finish it: once its grace period is
 * over (the API set deletionTimestamp to the end of it) it is removed, so its replacement's name,
 * addresses and ports are free and `kubectl get pods` stops showing it Terminating.
 */
async function forceAfterGrace(
  ctx: KeyedContext,
  pod: Pod,
  node: KObject,
  now: number,
): Promise<number | undefined> {
  if (isNodeReady(node) || pod.metadata.finalizers?.length) return undefined;
  const due = parseTime(pod.metadata.deletionTimestamp) ?? 0;
  if (now < due) return due - now;
  await attempt(ctx, () =>
    ctx.client.delete('pods', pod.metadata.name!, {
      namespace: pod.metadata.namespace,
      gracePeriodSeconds: 0,
      preconditions: { uid: pod.metadata.uid },
    }),
  );
  return undefined;
}
