// Typed models of core/v1 PersistentVolumeClaim and PersistentVolume and storage.k8s.io/v1 StorageClass,
// and the names (annotations, finalizers) the volume controllers, the scheduler and the agent share.
// k8s: staging/src/k8s.io/api/core/v1/types.go, storage/v1/types.go, pkg/controller/volume/persistentvolume
import type { Condition, Pod } from './core';
import type { KObject } from './types';

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PersistentVolumeClaim extends KObject {
  spec: {
    accessModes?: string[];
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    storageClassName?: string | null;
    volumeName?: string;
    volumeMode?: string;
    selector?: unknown;
  };
  status?: {
    phase?: 'Pending' | 'Bound' | 'Lost';
    accessModes?: string[];
    capacity?: Record<string, string>;
    conditions?: Condition[];
  };
}

export interface PersistentVolume extends KObject {
  spec: {
    capacity?: Record<string, string>;
    accessModes?: string[];
    persistentVolumeReclaimPolicy?: 'Retain' | 'Delete' | 'Recycle';
    storageClassName?: string;
    volumeMode?: string;
    claimRef?: {
      apiVersion?: string;
      kind?: string;
      namespace?: string;
      name?: string;
      uid?: string;
      resourceVersion?: string;
    };
    hostPath?: { path: string; type?: string };
    local?: { path: string; fsType?: string };
    nodeAffinity?: { required?: { nodeSelectorTerms: NodeSelectorTerm[] } };
    mountOptions?: string[];
  };
  status?: {
    phase?: 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';
    message?: string;
    reason?: string;
    lastPhaseTransitionTime?: string;
  };
}

export interface StorageClass extends KObject {
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: 'Retain' | 'Delete';
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
  allowVolumeExpansion?: boolean;
  mountOptions?: string[];
}

/** k8s: storage/v1 IsDefaultStorageClassAnnotation. */
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
/** k8s: pkg/controller/volume/persistentvolume/util AnnSelectedNode: the node the scheduler chose for a delayed-binding claim. */
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
/** k8s: AnnStorageProvisioner / AnnBetaStorageProvisioner: which provisioner is asked to make the volume. */
export const STORAGE_PROVISIONER_ANNOTATION = 'volume.kubernetes.io/storage-provisioner';
export const BETA_STORAGE_PROVISIONER_ANNOTATION = 'volume.beta.kubernetes.io/storage-provisioner';
/** k8s: AnnDynamicallyProvisioned: the provisioner that made a PV. */
export const PROVISIONED_BY_ANNOTATION = 'pv.kubernetes.io/provisioned-by';
/** k8s: AnnBindCompleted, AnnBoundByController. */
export const BIND_COMPLETED_ANNOTATION = 'pv.kubernetes.io/bind-completed';
export const BOUND_BY_CONTROLLER_ANNOTATION = 'pv.kubernetes.io/bound-by-controller';
/** k8s: pkg/util/... PVCProtectionFinalizer and PVProtectionFinalizer. */
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** The provisioner name of edgeplane's node-local volumes (Rancher's local-path-provisioner uses the same). */
export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
/** The Node annotation an agent publishes: the folder under which its local-path volumes live. */
export const LOCAL_PATH_ROOT_ANNOTATION = 'edgeplane.dev/local-path-root';
/** The StorageClass every cluster starts with. */
export const LOCAL_PATH_CLASS = 'local-path';

/** The claim names a pod's volumes refer to (persistentVolumeClaim volumes; ephemeral ones are named <pod>-<volume>). */
export function podClaimNames(pod: Pod): string[] {
  const out: string[] = [];
  const volumes = (pod.spec?.volumes as Record<string, unknown>[] | undefined) ?? [];
  for (const v of volumes) {
    const pvc = v.persistentVolumeClaim as { claimName?: string } | undefined;
    if (pvc?.claimName) out.push(pvc.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata.name}-${String(v.name)}`);
  }
  return out;
}

/** The class a claim asks for: its storageClassName ("" means none). */
export const claimClass = (pvc: PersistentVolumeClaim): string => pvc.spec.storageClassName ?? '';
