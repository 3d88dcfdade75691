// RollingUpdate: grow the new ReplicaSet within maxSurge, shrink old ones within maxUnavailable.
// k8s: pkg/controller/deployment/rolling.go
import type { ReplicaSet } from '../../../src/api/core';
import { syncRolloutStatus } from './progress';
import {
  cleanupDeployment,
  getAllReplicaSetsAndSyncRevision,
  scaleReplicaSetAndRecordEvent,
  type DeploymentSync,
} from './sync';
import {
  byCreation,
  deploymentComplete,
  filterActive,
  maxUnavailable,
  newRSNewReplicas,
  replicasOf,
  rsReplicas,
  sumReplicas,
  sumStatus,
} from './util';

export async function rolloutRolling(s: DeploymentSync): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, true);
  const allRSs = [...oldRSs, newRS!];
  if (await reconcileNewReplicaSet(s, allRSs, newRS!)) return syncRolloutStatus(s, allRSs, newRS);
  const fresh = (rs: ReplicaSet) => s.fresh(rs)!;
  if (
    await reconcileOldReplicaSets(
      s,
      allRSs.map(fresh),
      filterActive(oldRSs.map(fresh)),
      fresh(newRS!),
    )
  )
    return syncRolloutStatus(s, allRSs, newRS);
  // Old revisions are pruned only once the rollout the stored status describes is complete.
  if (deploymentComplete(s.d, s.d.status ?? {})) await cleanupDeployment(s, oldRSs);
  return syncRolloutStatus(s, allRSs, newRS);
}

async function reconcileNewReplicaSet(
  s: DeploymentSync,
  allRSs: ReplicaSet[],
  newRS: ReplicaSet,
): Promise<boolean> {
  const want = replicasOf(s.d);
  if (rsReplicas(newRS) === want) return false;
  if (rsReplicas(newRS) > want) return (await scaleReplicaSetAndRecordEvent(s, newRS, want)).scaled;
  return (await scaleReplicaSetAndRecordEvent(s, newRS, newRSNewReplicas(s.d, allRSs, newRS)))
    .scaled;
}

/**
 * Scales old ReplicaSets down as far as availability allows: never below replicas - maxUnavailable
 * available pods, counting the new ReplicaSet's unavailable pods against the allowance so a broken
 * new template cannot eat the old healthy pods.
 */
async function reconcileOldReplicaSets(
  s: DeploymentSync,
  allRSs: ReplicaSet[],
  oldRSs: ReplicaSet[],
  newRS: ReplicaSet,
): Promise<boolean> {
  if (sumReplicas(oldRSs) === 0) return false;
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const newRSUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = sumReplicas(allRSs) - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(s, oldRSs, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(
    s,
    [...cleaned.oldRSs, newRS],
    cleaned.oldRSs,
  );
  return cleaned.count + scaledDown > 0;
}

/** Unavailable old pods go first: removing them costs no availability. */
async function cleanupUnhealthyReplicas(
  s: DeploymentSync,
  oldRSs: ReplicaSet[],
  maxCleanup: number,
): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const sorted = [...oldRSs].sort(byCreation);
  let total = 0;
  for (const [i, rs] of sorted.entries()) {
    if (total >= maxCleanup) break;
    const unhealthy = rsReplicas(rs) - (rs.status?.availableReplicas ?? 0);
    if (rsReplicas(rs) === 0 || unhealthy <= 0) continue;
    const count = Math.min(maxCleanup - total, unhealthy);
    sorted[i] = (await scaleReplicaSetAndRecordEvent(s, rs, rsReplicas(rs) - count)).rs;
    total += count;
  }
  return { oldRSs: sorted, count: total };
}

async function scaleDownOldReplicaSetsForRollingUpdate(
  s: DeploymentSync,
  allRSs: ReplicaSet[],
  oldRSs: ReplicaSet[],
): Promise<number> {
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const available = sumStatus(allRSs, 'availableReplicas');
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= budget) break;
    if (rsReplicas(rs) === 0) continue;
    const count = Math.min(rsReplicas(rs), budget - total);
    await scaleReplicaSetAndRecordEvent(s, rs, rsReplicas(rs) - count);
    total += count;
  }
  return total;
}
