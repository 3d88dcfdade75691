// Which volume a claim may bind to, and which pods use a claim (pure, over cached objects).
// k8s: pkg/controller/volume/persistentvolume/index.go (findBestMatchForClaim), pvc_protection_controller.go (podUsesPVC)
import type { Pod } from '../../../src/api/core';
import {
  claimClass,
  podClaimNames,
  type PersistentVolume,
  type PersistentVolumeClaim,
} from '../../../src/api/storage';
import { parseQuantity } from '../../../src/lib/quantity';

const bytes = (q: string | undefined) => {
  try {
    return q ? parseQuantity(q).value() : 0;
  } catch {
    return 0;
  }
};

export const requestedBytes = (pvc: PersistentVolumeClaim) =>
  bytes(pvc.spec.resources?.requests?.storage);
export const capacityBytes = (pv: PersistentVolume) => bytes(pv.spec.capacity?.storage);

/** The claim a volume is (pre)bound to names this claim: same namespace and name, and the uid if it has one. */
export function claimRefMatches(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec.claimRef;
  if (!ref) return false;
  return (
    ref.namespace === pvc.metadata.namespace &&
    ref.name === pvc.metadata.name &&
    (!ref.uid || ref.uid === pvc.metadata.uid)
  );
}

/**
 * The smallest available volume that satisfies the claim: class, volume mode, every access mode,
 * enough capacity, free (or pre-bound to this claim), and usable from `node` when one is given.
 */
export function bestVolumeFor(
  pvc: PersistentVolumeClaim,
  volumes: PersistentVolume[],
  usableFrom: (pv: PersistentVolume) => boolean = () => true,
): PersistentVolume | undefined {
  const want = requestedBytes(pvc);
  const modes = pvc.spec.accessModes ?? [];
  let best: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (pv.metadata.deletionTimestamp) continue;
    if (pv.spec.claimRef && !claimRefMatches(pv, pvc)) continue;
    if (
      !pv.spec.claimRef &&
      pv.status?.phase &&
      pv.status.phase !== 'Available' &&
      pv.status.phase !== 'Pending'
    )
      continue;
    if ((pv.spec.storageClassName ?? '') !== claimClass(pvc)) continue;
    if ((pv.spec.volumeMode ?? 'Filesystem') !== (pvc.spec.volumeMode ?? 'Filesystem')) continue;
    if (!modes.every((m) => (pv.spec.accessModes ?? []).includes(m))) continue;
    if (capacityBytes(pv) < want) continue;
    if (!usableFrom(pv)) continue;
    // A volume pre-bound to this claim wins outright.
    if (pv.spec.claimRef) return pv;
    if (!best || capacityBytes(pv) < capacityBytes(best)) best = pv;
  }
  return best;
}

/** k8s: podUsesPVC + IsPodTerminated: a pod that has not finished and names the claim. */
export function podsUsing(pods: Pod[], claim: string): Pod[] {
  return pods.filter(
    (p) =>
      p.status?.phase !== 'Succeeded' &&
      p.status?.phase !== 'Failed' &&
      podClaimNames(p).includes(claim),
  );
}
