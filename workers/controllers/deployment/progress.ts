// Rollout status: the Progressing condition against progressDeadlineSeconds, replica failures, and the deadline requeue.
// k8s: pkg/controller/deployment/progress.go
import type { Condition, ReplicaSet } from '../../../src/api/core';
import { calculateStatus, type DeploymentSync } from './sync';
import {
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getCondition,
  hasProgressDeadline,
  newCondition,
  Reason,
  removeCondition,
  setCondition,
  type Deployment,
  type DeploymentStatus,
} from './util';

export async function syncRolloutStatus(
  s: DeploymentSync,
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
): Promise<void> {
  const d = s.d;
  const rs = s.fresh(newRS);
  const status = calculateStatus(s, allRSs, newRS);
  if (!hasProgressDeadline(d))
    status.conditions = removeCondition(status.conditions, 'Progressing');

  const current = getCondition(d.status, 'Progressing');
  // A finished rollout stays finished across resyncs until a new one starts.
  const isComplete =
    (status.replicas ?? 0) === (status.updatedReplicas ?? 0) &&
    current?.reason === Reason.NewRSAvailable;
  if (hasProgressDeadline(d) && !isComplete) {
    const subject = rs ? `ReplicaSet "${rs.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(
        status,
        newCondition(
          'Progressing',
          'True',
          Reason.NewRSAvailable,
          `${subject} has successfully progressed.`,
          s.stamp(),
        ),
      );
    } else if (deploymentProgressing(d, status)) {
      // Progress refreshes lastUpdateTime even with an unchanged reason; that is what the deadline measures from.
      const c = newCondition(
        'Progressing',
        'True',
        Reason.ReplicaSetUpdated,
        `${subject} is progressing.`,
        s.stamp(),
      );
      if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
      status.conditions = [...removeCondition(status.conditions, 'Progressing'), c];
    } else if (deploymentTimedOut(d, status, s.now())) {
      setCondition(
        status,
        newCondition(
          'Progressing',
          'False',
          Reason.TimedOut,
          `${subject} has timed out progressing.`,
          s.stamp(),
        ),
      );
    }
  }

  const failure = replicaFailures(allRSs.map(s.fresh), rs)[0];
  if (failure) setCondition(status, failure);
  else status.conditions = removeCondition(status.conditions, 'ReplicaFailure');

  s.d.status = status;
  await s.flush();
  requeueStuckDeployment(s, s.d, status);
}

/** The new ReplicaSet's ReplicaFailure condition, else any old one's, as a Deployment condition. */
function replicaFailures(
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
): Condition[] {
  const toDeployment = (c: Condition): Condition => ({
    ...c,
    lastUpdateTime: c.lastTransitionTime,
  });
  const of = (rs: ReplicaSet | undefined) =>
    (rs?.status?.conditions ?? []).filter((c) => c.type === 'ReplicaFailure').map(toDeployment);
  const own = of(newRS);
  return own.length ? own : allRSs.flatMap(of);
}

/** Wakes the controller just after the deadline of a rollout that has not reported progress. */
function requeueStuckDeployment(s: DeploymentSync, d: Deployment, status: DeploymentStatus): void {
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return;
  if (deploymentComplete(d, status) || current.reason === Reason.TimedOut) return;
  const after =
    Date.parse(current.lastUpdateTime ?? '') + d.spec.progressDeadlineSeconds! * 1000 - s.now();
  if (Number.isNaN(after)) return;
  // A second of slack so the check lands after the deadline, not on it.
  s.requeue(after < 1000 ? 1000 : after + 1000);
}
