// Pod readiness, availability and activity, as the controllers and endpoints read them.
// k8s: pkg/api/v1/pod/util.go (IsPodReady, IsPodAvailable), pkg/controller/controller_utils.go (IsPodActive)
import type { Pod } from './core';

export const podReadyCondition = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready');

export const isPodReady = (p: Pod) => podReadyCondition(p)?.status === 'True';

/** Ready for strictly longer than minReadySeconds. */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(p)) return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(podReadyCondition(p)?.lastTransitionTime ?? '');
  return !Number.isNaN(since) && since + minReadySeconds * 1000 < now;
}

/** FilterActivePods: terminating and finished pods do not count. */
export const isPodActive = (p: Pod) =>
  !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

export const isPodTerminated = (p: Pod) =>
  p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
