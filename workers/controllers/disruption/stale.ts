// A pod marked DisruptionTarget by an eviction that then did not delete it (a precondition lost a
// race, the delete failed) gets the condition reset to False once it is two minutes old.
// k8s: pkg/controller/disruption/disruption.go syncStalePodDisruption,
// nonTerminatingPodHasStaleDisruptionCondition
import type { Pod } from '../../../src/api/core';
import type { KObject } from '../../../src/api/types';
import { rfc3339 } from '../../../src/lib/time';
import type { KeyedContext } from '../framework';

/** k8s: disruption.go stalePodDisruptionTimeout */
export const STALE_POD_DISRUPTION_MS = 2 * 60 * 1000;
/** Pod keys share the disruption controller's queue with budget keys; no namespace has a ':'. */
export const POD_KEY_PREFIX = 'pod:';

const disruptionTarget = (p: Pod) =>
  p.status?.conditions?.find((c) => c.type === 'DisruptionTarget');

/** The key of a pod whose DisruptionTarget condition may go stale, if it is one. */
export function staleCandidateKey(pod: KObject): string[] {
  const p = pod as Pod;
  if (p.metadata.deletionTimestamp || disruptionTarget(p)?.status !== 'True') return [];
  return [`${POD_KEY_PREFIX}${p.metadata.namespace}/${p.metadata.name}`];
}

/** Resets the condition once stale; otherwise answers how long until it is. */
export async function syncStalePod(
  ctx: KeyedContext,
  key: string,
): Promise<{ requeueAfterMs: number } | undefined> {
  const pod = ctx.cache.kind<Pod>('pods').get(key.slice(POD_KEY_PREFIX.length));
  if (!pod || pod.metadata.deletionTimestamp) return undefined;
  const cond = disruptionTarget(pod);
  if (cond?.status !== 'True') return undefined;
  const since = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : 0;
  const left = since + STALE_POD_DISRUPTION_MS - ctx.now();
  if (left > 0) return { requeueAfterMs: left };
  const conditions = (pod.status?.conditions ?? []).map((c) =>
    c === cond
      ? { type: c.type, status: 'False' as const, lastTransitionTime: rfc3339(ctx.now()) }
      : c,
  );
  ctx.budget.take();
  await ctx.client.updateStatus(
    'pods',
    { ...pod, status: { ...pod.status, conditions } },
    {
      namespace: pod.metadata.namespace,
      fieldManager: 'disruption-controller',
    },
  );
  return undefined;
}
