// A StatefulSet pod's identity (name, ordinal, hostname, subdomain, labels) and its claims' names and owners.
// k8s: pkg/controller/statefulset/stateful_set_utils.go (getPodName, getParentNameAndOrdinal, newStatefulSetPod,
//      getPersistentVolumeClaims, updateIdentity, updateStorage, claim ownerRefs for the retention policy)
import type { StatefulSet } from '../../../src/api/apps-workloads';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  POD_INDEX_LABEL,
  STATEFULSET_POD_NAME_LABEL,
} from '../../../src/api/apps-workloads';
import type { Pod, PodTemplate } from '../../../src/api/core';
import { controllerRef } from '../../../src/api/owner';
import type { PersistentVolumeClaim } from '../../../src/api/storage';
import type { OwnerReference } from '../../../src/api/types';

export const podName = (sts: StatefulSet, ordinal: number) => `${sts.metadata.name}-${ordinal}`;

/** The ordinal of a pod of this set, or undefined when its name is not `<set>-<n>`. */
export function ordinalOf(sts: StatefulSet, pod: Pod): number | undefined {
  const prefix = `${sts.metadata.name}-`;
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

export const startOrdinal = (sts: StatefulSet) => sts.spec.ordinals?.start ?? 0;
export const replicaCount = (sts: StatefulSet) => sts.spec.replicas ?? 1;

/** k8s: getPersistentVolumeClaimName: <template>-<set>-<ordinal>. */
export const claimName = (template: string, sts: StatefulSet, ordinal: number) =>
  `${template}-${podName(sts, ordinal)}`;

export const podRevision = (pod: Pod) => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];

/** The claims a pod of this ordinal uses, as the set would create them (labels: the selector's matchLabels). */
export function claimsFor(sts: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  return (sts.spec.volumeClaimTemplates ?? []).map((t) => {
    const labels = { ...(t.metadata?.labels ?? {}), ...(sts.spec.selector?.matchLabels ?? {}) };
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(t.metadata?.name ?? '', sts, ordinal),
        namespace: sts.metadata.namespace,
        labels,
        ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      },
      spec: structuredClone(t.spec ?? {}) as PersistentVolumeClaim['spec'],
    };
  });
}

/**
 * The pod for an ordinal from a template (the current or the update revision's): stable name,
 * hostname and subdomain, the identity labels, and the claim volumes in place of the templates'.
 */
export function newPod(
  sts: StatefulSet,
  template: PodTemplate,
  ordinal: number,
  revision: string,
): Pod {
  const name = podName(sts, ordinal);
  const spec = structuredClone(template.spec ?? {}) as Record<string, unknown>;
  const claimVolumes = (sts.spec.volumeClaimTemplates ?? []).map((t) => ({
    name: t.metadata?.name ?? '',
    persistentVolumeClaim: { claimName: claimName(t.metadata?.name ?? '', sts, ordinal) },
  }));
  const names = new Set(claimVolumes.map((v) => v.name));
  const volumes = ((spec.volumes as { name: string }[] | undefined) ?? []).filter(
    (v) => !names.has(v.name),
  );
  if (claimVolumes.length || volumes.length) spec.volumes = [...volumes, ...claimVolumes];
  spec.hostname = name;
  if (sts.spec.serviceName) spec.subdomain = sts.spec.serviceName;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: sts.metadata.namespace,
      labels: {
        ...(template.metadata?.labels ?? {}),
        [STATEFULSET_POD_NAME_LABEL]: name,
        [POD_INDEX_LABEL]: String(ordinal),
        [CONTROLLER_REVISION_HASH_LABEL]: revision,
      },
      ...(template.metadata?.annotations
        ? { annotations: { ...template.metadata.annotations } }
        : {}),
      ownerReferences: [controllerRef(sts, 'apps/v1', 'StatefulSet')],
    },
    spec,
  };
}

/**
 * The owner references a claim should carry under the retention policy: the set when whenDeleted
 * is Delete (the garbage collector removes the claim with the set), the pod when whenScaled is
 * Delete and the pod's ordinal was scaled away (the claim goes with the pod). Other owners stay.
 * k8s: stateful_set_utils.go updateClaimOwnerRefForSetAndPod
 */
export function claimOwners(
  claim: PersistentVolumeClaim,
  sts: StatefulSet,
  ordinal: number,
  pod: Pod | undefined,
  condemned: boolean,
): OwnerReference[] {
  const policy = sts.spec.persistentVolumeClaimRetentionPolicy ?? {};
  // Any earlier pod of this ordinal counts as ours too: a stale reference would delete the claim.
  const keep = (claim.metadata.ownerReferences ?? []).filter(
    (r) => r.uid !== sts.metadata.uid && !(r.kind === 'Pod' && r.name === podName(sts, ordinal)),
  );
  if (policy.whenDeleted === 'Delete') keep.push(controllerRef(sts, 'apps/v1', 'StatefulSet'));
  if (pod && condemned && policy.whenScaled === 'Delete')
    keep.push({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, uid: pod.metadata.uid! });
  return keep;
}
