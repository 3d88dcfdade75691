// Pod garbage collection: pods of deleted nodes, unbound terminating pods, out-of-service nodes, and the terminated-pod cap.
// k8s: pkg/controller/podgc/gc_controller.go
import type { KObject } from '../../src/api/types';
import { isConflict, isNotFound } from '../../src/client/errors';
import type { Controller, ControllerContext, ReconcileResult } from './framework';
import { isNodeReady, taintsOf } from '../../src/api/node';
import { rfc3339 } from '../../src/lib/time';

// k8s: kube-controller-manager --terminated-pod-gc-threshold default.
export const TERMINATED_POD_THRESHOLD = 12_500;
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

export const podGCController: Controller = {
  name: 'pod-garbage-collector',
  watches: ['nodes', 'pods'],
  async reconcile(ctx) {
    const pods = (await ctx.snapshot.list('pods')) as Pod[];
    const nodes = new Map((await ctx.snapshot.list('nodes')).map((n) => [n.metadata.name!, n]));
    const state = { writes: 0, retry: false };
    const victims: { pod: Pod; condition?: DisruptionCondition }[] = [];
    const gone = new Map<string, Promise<boolean>>();

    // k8s: gcTerminated: beyond the threshold, evicted pods first, then the oldest.
    const done = pods.filter(terminated);
    if (done.length > TERMINATED_POD_THRESHOLD) {
      done.sort(byEvictionThenAge);
      for (const pod of done.slice(0, done.length - TERMINATED_POD_THRESHOLD))
        victims.push({ pod });
    }
    for (const pod of pods) {
      const nodeName = pod.spec?.nodeName;
      const node = nodeName ? nodes.get(nodeName) : undefined;
      if (pod.metadata.deletionTimestamp && !nodeName)
        victims.push({ pod }); // k8s: gcUnscheduledTerminating
      else if (
        pod.metadata.deletionTimestamp &&
        node &&
        !isNodeReady(node) &&
        taintsOf(node).some((t) => t.key === TAINT_OUT_OF_SERVICE)
      )
        victims.push({ pod }); // k8s: gcTerminating
      else if (nodeName && !node && (await nodeGone(ctx, gone, nodeName)))
        victims.push({ pod, condition: ORPHANED }); // k8s: gcOrphaned
    }
    const seen = new Set<string>();
    for (const { pod, condition } of victims) {
      if (state.writes >= ctx.config.maxWritesPerPass) break;
      if (seen.has(pod.metadata.uid!)) continue;
      seen.add(pod.metadata.uid!);
      await markFailedAndDelete(ctx, pod, condition, state);
    }
    if (state.writes > 0) ctx.snapshot.invalidate('pods');
    const result: ReconcileResult = {};
    if (state.writes >= ctx.config.maxWritesPerPass) result.more = true;
    else if (state.retry) result.requeueAfterMs = 1000;
    return result;
  },
};

interface DisruptionCondition {
  reason: string;
  message: string;
}
const ORPHANED: DisruptionCondition = {
  reason: 'DeletionByPodGC',
  message: 'PodGC: node no longer exists',
};

// The pass's node list may predate a node registered a moment ago: confirm with a live read, as
// upstream does after its quarantine.
function nodeGone(
  ctx: ControllerContext,
  cache: Map<string, Promise<boolean>>,
  name: string,
): Promise<boolean> {
  let p = cache.get(name);
  if (!p) {
    p = ctx.client.get('nodes', name).then(
      () => false,
      (e) => {
        if (isNotFound(e)) return true;
        throw e;
      },
    );
    cache.set(name, p);
  }
  return p;
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
  ctx: ControllerContext,
  pod: Pod,
  condition: DisruptionCondition | undefined,
  state: { writes: number; retry: boolean },
): Promise<void> {
  const { name, namespace, uid } = pod.metadata;
  try {
    // A terminating pod's status is left alone: the delete that follows removes it anyway.
    if (!terminated(pod) && !pod.metadata.deletionTimestamp) {
      state.writes++;
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
    state.writes++;
    await ctx.client.delete('pods', name!, {
      namespace,
      gracePeriodSeconds: 0,
      preconditions: { uid },
    });
  } catch (e) {
    if (isConflict(e)) state.retry = true;
    else if (!isNotFound(e)) throw e;
  }
}
