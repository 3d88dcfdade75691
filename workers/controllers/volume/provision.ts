// The local-path provisioner: a PV for a claim, as a directory under the selected node's agent state folder.
// Rancher's local-path-provisioner does the same with a helper pod; here the node's agent makes the
// directory when a pod mounts it and removes it once the PV is gone.
import type { Node } from '../../../src/api/core';
import {
  LOCAL_PATH_PROVISIONER,
  LOCAL_PATH_ROOT_ANNOTATION,
  PROVISIONED_BY_ANNOTATION,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from '../../../src/api/storage';

/** k8s: the external provisioner's volume name, pvc-<claim uid>. */
export const volumeNameFor = (pvc: PersistentVolumeClaim) => `pvc-${pvc.metadata.uid}`;

export function localPathVolume(
  pvc: PersistentVolumeClaim,
  sc: StorageClass,
  node: Node,
): { pv: PersistentVolume; error?: undefined } | { pv?: undefined; error: string } {
  const root = node.metadata.annotations?.[LOCAL_PATH_ROOT_ANNOTATION];
  if (!root)
    return {
      error: `node "${node.metadata.name}" publishes no ${LOCAL_PATH_ROOT_ANNOTATION} annotation: its agent cannot hold local-path volumes`,
    };
  const name = volumeNameFor(pvc);
  const pv: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name,
      annotations: { [PROVISIONED_BY_ANNOTATION]: LOCAL_PATH_PROVISIONER },
    },
    spec: {
      capacity: { storage: pvc.spec.resources?.requests?.storage ?? '0' },
      accessModes: pvc.spec.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata.name,
      volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
      local: { path: `${root.replace(/\/+$/, '')}/${name}` },
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: pvc.metadata.namespace,
        name: pvc.metadata.name,
        uid: pvc.metadata.uid,
        resourceVersion: pvc.metadata.resourceVersion,
      },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                {
                  key: 'kubernetes.io/hostname',
                  operator: 'In',
                  values: [node.metadata.labels?.['kubernetes.io/hostname'] ?? node.metadata.name!],
                },
              ],
            },
          ],
        },
      },
    },
  };
  return { pv };
}
