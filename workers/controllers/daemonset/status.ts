// A DaemonSet's status counters, from the node states of one sync.
// k8s: pkg/controller/daemon/daemon_controller.go updateDaemonSetStatus, storeDaemonSetStatus
import type { DaemonSet, DaemonSetStatus } from '../../../src/api/apps-workloads';
import { isPodAvailable, isPodReady, podReadyCondition } from '../../../src/api/pod';
import { isNewPod, type NodeState } from './plan';

export interface StatusResult {
  status: DaemonSetStatus;
  /** When a ready pod turns available (minReadySeconds), the DaemonSet must sync again. */
  requeueAfterMs?: number;
}

export function daemonSetStatus(
  ds: DaemonSet,
  states: NodeState[],
  hash: string,
  now: number,
): StatusResult {
  const minReady = ds.spec.minReadySeconds ?? 0;
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  let requeueAfterMs: number | undefined;
  for (const s of states) {
    const scheduled = s.pods.filter((p) => !!p.spec?.nodeName);
    if (s.place.shouldRun) {
      desired++;
      if (!scheduled.length) continue;
      current++;
      // The oldest pod stands for the node (upstream sorts by creation time too).
      const pod = scheduled[0];
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, now)) available++;
        else {
          const since = Date.parse(podReadyCondition(pod)?.lastTransitionTime ?? '');
          if (since) {
            const wait = since + minReady * 1000 - now + 100;
            requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, Math.max(0, wait));
          }
        }
      }
      if (scheduled.some((p) => isNewPod(p, hash))) updated++;
    } else if (scheduled.length) misscheduled++;
  }
  const status: DaemonSetStatus = {
    ...(ds.status ?? {}),
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: ds.metadata.generation,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
  };
  if (!status.numberAvailable) delete status.numberAvailable;
  if (!status.numberUnavailable) delete status.numberUnavailable;
  if (!status.updatedNumberScheduled) delete status.updatedNumberScheduled;
  return { status, requeueAfterMs };
}
