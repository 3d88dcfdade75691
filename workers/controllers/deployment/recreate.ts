// Recreate: scale every old ReplicaSet to zero, wait until their pods are gone, then scale the new one up.
// k8s: pkg/controller/deployment/recreate.go
import type { Pod, ReplicaSet } from '../../../src/api/core';
import { syncRolloutStatus } from './progress';
import {
  cleanupDeployment,
  getAllReplicaSetsAndSyncRevision,
  scaleReplicaSetAndRecordEvent,
  type DeploymentSync,
} from './sync';
import { deploymentComplete, filterActive, replicasOf, sumStatus } from './util';

/** Pods grouped by the uid of the owning ReplicaSet. */
export type PodMap = Map<string, Pod[]>;

export async function rolloutRecreate(s: DeploymentSync, podMap: PodMap): Promise<void> {
  // The new ReplicaSet is not created yet, so nothing scales up before the old pods are gone.
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false);
  let scaledDown = false;
  for (const rs of filterActive(oldRSs))
    if ((await scaleReplicaSetAndRecordEvent(s, rs, 0)).scaled) scaledDown = true;
  if (
    scaledDown ||
    oldPodsRunning(
      newRS,
      oldRSs.map((rs) => s.fresh(rs)!),
      podMap,
    )
  )
    return syncRolloutStatus(s, [...oldRSs, newRS], newRS);
  if (!newRS) ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, true));
  await scaleReplicaSetAndRecordEvent(s, s.fresh(newRS)!, replicasOf(s.d));
  if (deploymentComplete(s.d, s.d.status ?? {})) await cleanupDeployment(s, oldRSs);
  return syncRolloutStatus(s, [...oldRSs, newRS], newRS);
}

/** Old ReplicaSets still report pods, or pods of theirs that are not finished still exist (terminating ones too). */
function oldPodsRunning(
  newRS: ReplicaSet | undefined,
  oldRSs: ReplicaSet[],
  podMap: PodMap,
): boolean {
  if (sumStatus(oldRSs, 'replicas') > 0) return true;
  for (const [uid, pods] of podMap) {
    if (uid === newRS?.metadata.uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'))
      return true;
  }
  return false;
}
