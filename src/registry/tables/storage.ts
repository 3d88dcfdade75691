// PersistentVolumeClaim, PersistentVolume and StorageClass rows.
// k8s: pkg/printers/internalversion/printers.go printPersistentVolume(Claim), printStorageClass (release-1.32)
import { translateTimestampSince } from './age';
import { AGE_COLUMN, NAME_COLUMN, arr, column, rec, str, type Printer } from './types';

const SHORT: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

/** k8s: pkg/apis/core/helper GetAccessModesAsString: each mode once, in upstream's order. */
export function accessModesString(modes: unknown): string {
  const have = new Set(arr(modes).map(String));
  return Object.keys(SHORT)
    .filter((m) => have.has(m))
    .map((m) => SHORT[m])
    .join(',');
}

const className = (spec: Record<string, unknown>, meta: { annotations?: Record<string, string> }) =>
  str(spec.storageClassName) || meta.annotations?.['volume.beta.kubernetes.io/storage-class'] || '';

export const pvcPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Status', 'The phase of the claim.'),
    column('Volume', 'The PersistentVolume bound to the claim.'),
    column('Capacity', 'The capacity of the bound volume.'),
    column('Access Modes', 'The access modes of the bound volume.'),
    column('StorageClass', 'The StorageClass of the claim.'),
    column('VolumeAttributesClass', 'The VolumeAttributesClass of the claim.'),
    AGE_COLUMN,
    column('VolumeMode', 'Filesystem or Block.', { priority: 1 }),
  ],
  cells(pvc, now) {
    const spec = rec(pvc.spec);
    const status = rec(pvc.status);
    const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : str(status.phase);
    const bound = !!str(spec.volumeName);
    return [
      pvc.metadata.name ?? '',
      phase,
      str(spec.volumeName),
      bound ? str(rec(status.capacity).storage) : '',
      bound ? accessModesString(status.accessModes) : '',
      className(spec, pvc.metadata),
      str(spec.volumeAttributesClassName) || '<unset>',
      translateTimestampSince(pvc.metadata.creationTimestamp, now),
      str(spec.volumeMode) || '<unset>',
    ];
  },
};

export const pvPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Capacity', 'The capacity of the volume.'),
    column('Access Modes', 'The access modes of the volume.'),
    column('Reclaim Policy', 'What happens to the volume when its claim is deleted.'),
    column('Status', 'The phase of the volume.'),
    column('Claim', 'The claim bound to the volume.'),
    column('StorageClass', 'The StorageClass of the volume.'),
    column('VolumeAttributesClass', 'The VolumeAttributesClass of the volume.'),
    column('Reason', 'Why the volume is in its phase.'),
    AGE_COLUMN,
    column('VolumeMode', 'Filesystem or Block.', { priority: 1 }),
  ],
  cells(pv, now) {
    const spec = rec(pv.spec);
    const status = rec(pv.status);
    const ref = rec(spec.claimRef);
    const claim = ref.name ? `${str(ref.namespace)}/${str(ref.name)}` : '';
    const phase = pv.metadata.deletionTimestamp ? 'Terminating' : str(status.phase);
    return [
      pv.metadata.name ?? '',
      str(rec(spec.capacity).storage),
      accessModesString(spec.accessModes),
      str(spec.persistentVolumeReclaimPolicy),
      phase,
      claim,
      className(spec, pv.metadata),
      str(spec.volumeAttributesClassName) || '<unset>',
      str(status.reason),
      translateTimestampSince(pv.metadata.creationTimestamp, now),
      str(spec.volumeMode) || '<unset>',
    ];
  },
};

export const storageClassPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Provisioner', 'Indicates the type of the provisioner.'),
    column('ReclaimPolicy', 'Indicates the type of the reclaim policy.'),
    column('VolumeBindingMode', 'Indicates when volume binding and dynamic provisioning happen.'),
    column('AllowVolumeExpansion', 'Indicates whether the storage class allows volume expansion.'),
    AGE_COLUMN,
  ],
  cells(sc, now) {
    const isDefault =
      sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ||
      sc.metadata.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    return [
      `${sc.metadata.name ?? ''}${isDefault ? ' (default)' : ''}`,
      str(sc.provisioner),
      str(sc.reclaimPolicy) || 'Delete',
      str(sc.volumeBindingMode) || 'Immediate',
      sc.allowVolumeExpansion === true,
      translateTimestampSince(sc.metadata.creationTimestamp, now),
    ];
  },
};
