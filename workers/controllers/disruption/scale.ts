// The scale a pod's controller asks for, read from the caches: what a budget given as a percentage
// (or as maxUnavailable) counts its pods against.
// k8s: pkg/controller/disruption/disruption.go getPodReplicaSet, getPodDeployment,
// getPodReplicationController, getPodStatefulSet (finders), getExpectedScale
import { controllerOf } from '../../../src/api/owner';
import { RESOURCES, resourceKey } from '../../../src/api/resources';
import type { KObject, OwnerReference } from '../../../src/api/types';
import type { ClusterCache } from '../../shared/cache';

export const RS = 'apps/v1/replicasets';
export const DEPLOYMENTS = 'apps/v1/deployments';
export const RCS = 'replicationcontrollers';
export const STATEFULSETS = 'apps/v1/statefulsets';

/** The workload kinds this API serves (StatefulSets may not be), so the cache never waits on a missing one. */
export const SCALE_KINDS = [RS, DEPLOYMENTS, RCS, STATEFULSETS].filter((k) =>
  RESOURCES.some((r) => resourceKey(r) === k),
);

interface Scaled extends KObject {
  spec?: { replicas?: number };
}

export interface ControllerScale {
  uid: string;
  scale: number;
}

/** The owner `ref` names in `resource`, if the cache holds it with the same UID. */
function owner(
  cache: ClusterCache,
  resource: string,
  ns: string,
  ref: OwnerReference,
): Scaled | undefined {
  if (!SCALE_KINDS.includes(resource)) return undefined;
  const o = cache.kind<Scaled>(resource).getNamed(ns, ref.name);
  return o && o.metadata.uid === ref.uid ? o : undefined;
}

// A spec.replicas left out means one, as every scalable workload defaults it.
const replicasOf = (o: Scaled) => o.spec?.replicas ?? 1;

/** The controller a pod's controllerRef leads to, and its scale; undefined when none is known. */
export function scaleOf(
  cache: ClusterCache,
  ns: string,
  ref: OwnerReference,
): ControllerScale | undefined {
  switch (ref.kind) {
    case 'ReplicaSet': {
      const rs = owner(cache, RS, ns, ref);
      if (!rs) return undefined;
      // A ReplicaSet under a Deployment counts as the Deployment (whose scale spans its rollouts).
      const dref = controllerOf(rs);
      if (dref?.kind === 'Deployment') {
        const d = owner(cache, DEPLOYMENTS, ns, dref);
        return d ? { uid: d.metadata.uid!, scale: replicasOf(d) } : undefined;
      }
      return { uid: rs.metadata.uid!, scale: replicasOf(rs) };
    }
    case 'ReplicationController': {
      const rc = owner(cache, RCS, ns, ref);
      return rc ? { uid: rc.metadata.uid!, scale: replicasOf(rc) } : undefined;
    }
    case 'StatefulSet': {
      const ss = owner(cache, STATEFULSETS, ns, ref);
      return ss ? { uid: ss.metadata.uid!, scale: replicasOf(ss) } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The sum of the scales of the pods' controllers (each counted once); pods without a controller
 * are named in `unmanaged`. A pod whose controller is unknown is an error, as upstream's.
 */
export function expectedScale(
  cache: ClusterCache,
  pods: KObject[],
): { expected: number; unmanaged: string[] } {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata.name!);
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = scaleOf(cache, pod.metadata.namespace ?? '', ref);
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
    scales.set(found.uid, found.scale);
  }
  let expected = 0;
  for (const n of scales.values()) expected += n;
  return { expected, unmanaged };
}
