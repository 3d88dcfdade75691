// Pod garbage collection, keyed by pod: pods of deleted nodes, unbound terminating pods, out-of-service nodes, and the terminated-pod cap.
// k8s: pkg/controller/podgc/gc_controller.go
import type { KObject } from '../../src/api/types';
import { isNotFound } from '../../src/client/errors';
import { objectKey, type InformerEvent } from '../../src/client/informer';
import { nodeNameOf, type ClusterCache } from '../shared/cache';
import type { Result } from '../shared/controller';
import type { KeyedContext, KeyedControllerDef } from './framework';
import { isNodeReady, taintsOf } from '../../src/api/node';
import { rfc3339 } from '../../src/lib/time';

const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

type Pod = KObject & {
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    reason?: string;
    conditions?: {
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }[];
  };
};

const terminated = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** The key of the terminated-pod cap (pod keys always hold a "/": no pod has this key). */
export const TERMINATED_KEY = ':terminated';
const terminatedOf = (p: KObject): string[] => (terminated(p as Pod) ? ['yes'] : []);
const outOfService = (node: KObject) => taintsOf(node).some((t) => t.key === TAINT_OUT_OF_SERVICE);

/** A terminated pod beyond the cap enqueues the cap's key. */
function overThreshold(obj: KObject, cache: ClusterCache, e: InformerEvent<KObject>): string[] {
  return obj === e.object && terminated(obj as Pod) ? [TERMINATED_KEY] : [];
}

/** A node that went away, or whose readiness or out-of-service taint changed, enqueues its pods. */
function podsOfNode(obj: KObject, cache: ClusterCache, e: InformerEvent<KObject>): string[] {
  if (obj !== e.object || e.type === 'ADDED') return [];
  const old = e.oldObject;
  if (
    e.type === 'MODIFIED' &&
    old &&
    isNodeReady(old) === isNodeReady(obj) &&
    outOfService(old) === outOfService(obj)
  )
    return [];
  return cache.kind('pods').keysByIndex('node', obj.metadata.name!);
}

/**
 * Keys are pods, plus one key for the terminated-pod cap. A pod's change enqueues it; a node that
 * goes (or turns not ready, or gets the out-of-service taint) enqueues its pods (by index); a
 * terminated pod enqueues the cap, which counts terminated pods by index and sorts them only when
 * there are more than terminatedPodGCThreshold.
 */
export function podGCController(): KeyedControllerDef {
  // Nodes confirmed gone by a live read, briefly: many pods of one deleted node need one GET.
  const gone = new Map<string, { at: number; p: Promise<boolean> }>();
  return {
    name: 'pod-garbage-collector',
    reconciles: 'pods',
    reads: ['pods', 'nodes'],
    watches: [
      { resource: 'nodes', map: podsOfNode },
      { resource: 'pods', map: overThreshold },
    ],
    indexes: [
      { resource: 'pods', name: 'node', fn: nodeNameOf },
      { resource: 'pods', name: 'terminated', fn: terminatedOf },
    ],
    resync: (cache) => [...cache.kind('pods').list().map(objectKey), TERMINATED_KEY],
    async reconcile(ctx, key): Promise<Result> {
      if (key === TERMINATED_KEY) return gcTerminated(ctx);
      const pod = ctx.cache.kind<Pod>('pods').get(key);
      if (!pod) return;
      const nodeName = pod.spec?.nodeName;
      const node = nodeName ? ctx.cache.kind('nodes').get(nodeName) : undefined;
      // k8s: gcUnscheduledTerminating.
      if (!nodeName) {
        if (pod.metadata.deletionTimestamp) await markFailedAndDelete(ctx, pod, undefined);
        return;
      }
      // k8s: gcTerminating: a terminating pod on a not-ready node tainted out-of-service.
      if (node) {
        if (pod.metadata.deletionTimestamp && !isNodeReady(node) && outOfService(node))
          await markFailedAndDelete(ctx, pod, undefined);
        return;
      }
      // k8s: gcOrphaned.
      if (await nodeGone(ctx, gone, nodeName)) await markFailedAndDelete(ctx, pod, ORPHANED);
    },
  };
}

/** k8s: gcTerminated: beyond the threshold, evicted pods first, then the oldest. */
async function gcTerminated(ctx: KeyedContext): Promise<Result> {
  const threshold = ctx.config.terminatedPodGCThreshold;
  const pods = ctx.cache.kind<Pod>('pods');
  if (threshold <= 0 || pods.count('terminated', 'yes') <= threshold) return;
  const done = pods.byIndex('terminated', 'yes').sort(byEvictionThenAge);
  for (const pod of done.slice(0, done.length - threshold))
    await markFailedAndDelete(ctx, pod, undefined);
}

interface DisruptionCondition {
  reason: string;
  message: string;
}
const ORPHANED: DisruptionCondition = {
  reason: 'DeletionByPodGC',
  message: 'PodGC: node no longer exists',
};

// The cache may not have seen a node registered a moment ago (pods and nodes come on separate
// watches): confirm with a live read, as upstream does after its quarantine.
async function nodeGone(
  ctx: KeyedContext,
  memo: Map<string, { at: number; p: Promise<boolean> }>,
  name: string,
): Promise<boolean> {
  const now = Date.now();
  let m = memo.get(name);
  if (!m || now - m.at > 2000) {
    for (const [k, v] of memo) if (now - v.at > 2000) memo.delete(k);
    const p = ctx.client.get('nodes', name).then(
      () => false,
      (e) => {
        if (isNotFound(e)) return true;
        throw e;
      },
    );
    memo.set(name, (m = { at: now, p }));
    p.catch(() => memo.delete(name));
  }
  return m.p;
}

function byEvictionThenAge(a: Pod, b: Pod): number {
  const ea = a.status?.reason === 'Evicted' ? 0 : 1;
  const eb = b.status?.reason === 'Evicted' ? 0 : 1;
  if (ea !== eb) return ea - eb;
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/**
 * k8s: markFailedAndDeletePodWithCondition: a pod no agent will ever finish is moved to Failed
 * first (so it does not stay Running in the record), then removed without grace.
 */
async function markFailedAndDelete(
  ctx: KeyedContext,
  pod: Pod,
  condition: DisruptionCondition | undefined,
): Promise<void> {
  const { name, namespace, uid } = pod.metadata;
  try {
    // A terminating pod's status is left alone: the delete that follows removes it anyway.
    if (!terminated(pod) && !pod.metadata.deletionTimestamp) {
      ctx.budget.take();
      const conditions = (pod.status?.conditions ?? []).filter(
        (c) => !condition || c.type !== 'DisruptionTarget',
      );
      if (condition)
        conditions.push({
          type: 'DisruptionTarget',
          status: 'True',
          lastTransitionTime: rfc3339(ctx.now()),
          ...condition,
        });
      await ctx.client.updateStatus('pods', {
        ...pod,
        status: { ...pod.status, phase: 'Failed', conditions },
      });
    }
    ctx.budget.take();
    await ctx.client.delete('pods', name!, {
      namespace,
      gracePeriodSeconds: 0,
      preconditions: { uid },
    });
  } catch (e) {
    // Gone already: done. A conflict propagates and the key is retried against the fresher pod.
    if (!isNotFound(e)) throw e;
  }
}
