// Schemas of core/v1 PersistentVolumeClaim and PersistentVolume, and storage.k8s.io/v1 StorageClass.
import {
  CORE,
  META,
  type Schema,
  any,
  atomic,
  bool,
  gvk,
  keyed,
  kind,
  map,
  obj,
  quantity,
  ref,
  str,
  time,
} from './dsl';

const STORAGE = 'io.k8s.api.storage.v1.';
const meta = () => ref(META + 'ObjectMeta', 'Standard object metadata.');
const modes = () =>
  atomic(str(), 'ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod.');
const other = (what: string) =>
  any(`${what} (passed through; edgeplane mounts hostPath and local volumes).`);

export const storageDefs: Record<string, Schema> = {
  [CORE + 'PersistentVolumeClaim']: kind(
    "A user's request for storage.",
    gvk('', 'v1', 'PersistentVolumeClaim'),
    {
      metadata: meta(),
      spec: ref(CORE + 'PersistentVolumeClaimSpec', 'What the claim asks for.'),
      status: ref(CORE + 'PersistentVolumeClaimStatus', 'Observed state of the claim.'),
    },
  ),
  [CORE + 'PersistentVolumeClaimSpec']: obj('What a claim asks for.', {
    accessModes: modes(),
    selector: ref(META + 'LabelSelector', 'Label query over volumes to bind to.'),
    resources: ref(CORE + 'VolumeResourceRequirements', 'The storage requested.'),
    volumeName: str('The PersistentVolume bound to this claim.'),
    storageClassName: str('The StorageClass; unset means the default class, "" means none.'),
    volumeMode: str('Filesystem (default) or Block.', ['Block', 'Filesystem']),
    dataSource: other('A source to populate the volume from'),
    dataSourceRef: other('A source to populate the volume from'),
    volumeAttributesClassName: str('The VolumeAttributesClass.'),
  }),
  [CORE + 'VolumeResourceRequirements']: obj('Storage a claim requests.', {
    limits: map(quantity(), 'Maximum amounts.'),
    requests: map(quantity(), 'Minimum amounts; storage is required.'),
  }),
  [CORE + 'PersistentVolumeClaimStatus']: obj('Observed state of a claim.', {
    phase: str('Pending, Bound or Lost.', ['Bound', 'Lost', 'Pending']),
    accessModes: modes(),
    capacity: map(quantity(), 'The capacity of the bound volume.'),
    conditions: keyed(ref(CORE + 'PersistentVolumeClaimCondition'), 'Current conditions.', 'type'),
    allocatedResources: map(quantity(), 'Resources allocated to the claim.'),
    allocatedResourceStatuses: map(str(), 'Status of resize operations.'),
    currentVolumeAttributesClassName: str('The VolumeAttributesClass in use.'),
    modifyVolumeStatus: other('Status of a volume modification'),
  }),
  [CORE + 'PersistentVolumeClaimCondition']: obj(
    'One condition of a claim.',
    {
      type: str('Condition type.'),
      status: str('Whether the condition holds.', ['False', 'True', 'Unknown']),
      lastProbeTime: time('When the condition was last probed.'),
      lastTransitionTime: time('When status last changed.'),
      reason: str('CamelCase reason for the last transition.'),
      message: str('Human-readable details.'),
    },
    { required: ['type', 'status'] },
  ),

  [CORE + 'PersistentVolume']: kind(
    'A piece of storage in the cluster.',
    gvk('', 'v1', 'PersistentVolume'),
    {
      metadata: meta(),
      spec: ref(CORE + 'PersistentVolumeSpec', 'The volume.'),
      status: ref(CORE + 'PersistentVolumeStatus', 'Observed state of the volume.'),
    },
  ),
  [CORE + 'PersistentVolumeSpec']: obj('A volume: its size, access, source and binding.', {
    capacity: map(quantity(), 'The capacity; storage is required.'),
    accessModes: modes(),
    claimRef: {
      ...ref(CORE + 'ObjectReference', 'The claim bound to this volume.'),
      'x-kubernetes-map-type': 'granular',
    },
    persistentVolumeReclaimPolicy: str('Retain (default), Delete or Recycle.', [
      'Delete',
      'Recycle',
      'Retain',
    ]),
    storageClassName: str('The StorageClass this volume belongs to.'),
    mountOptions: atomic(str(), 'Mount options.'),
    volumeMode: str('Filesystem (default) or Block.', ['Block', 'Filesystem']),
    nodeAffinity: ref(CORE + 'VolumeNodeAffinity', 'The nodes the volume can be used from.'),
    volumeAttributesClassName: str('The VolumeAttributesClass.'),
    hostPath: ref(CORE + 'HostPathVolumeSource', 'A directory on the node.'),
    local: ref(CORE + 'LocalVolumeSource', 'A local disk or directory on one node.'),
    nfs: ref(CORE + 'NFSVolumeSource', 'An NFS export.'),
    csi: other('A CSI volume'),
    iscsi: other('An iSCSI volume'),
    fc: other('A Fibre Channel volume'),
    cephfs: other('A CephFS volume'),
    rbd: other('A Ceph RBD volume'),
    glusterfs: other('A GlusterFS volume'),
    flexVolume: other('A FlexVolume'),
  }),
  [CORE + 'LocalVolumeSource']: obj(
    'A local disk, partition or directory.',
    { path: str('Full path on the node.'), fsType: str('Filesystem type, for block devices.') },
    { required: ['path'] },
  ),
  [CORE + 'VolumeNodeAffinity']: obj('Nodes a volume can be used from.', {
    required: ref(CORE + 'NodeSelector', 'Nodes must match these terms.'),
  }),
  [CORE + 'PersistentVolumeStatus']: obj('Observed state of a volume.', {
    phase: str('Pending, Available, Bound, Released or Failed.', [
      'Available',
      'Bound',
      'Failed',
      'Pending',
      'Released',
    ]),
    message: str('Human-readable details.'),
    reason: str('CamelCase reason.'),
    lastPhaseTransitionTime: time('When the phase last changed.'),
  }),

  [STORAGE + 'StorageClass']: kind(
    'A class of storage that claims ask for and provisioners make.',
    gvk('storage.k8s.io', 'v1', 'StorageClass'),
    {
      metadata: meta(),
      provisioner: str('The provisioner that makes volumes of this class.'),
      parameters: map(str(), 'Parameters for the provisioner.'),
      reclaimPolicy: str('Delete (default) or Retain, for volumes it provisions.', [
        'Delete',
        'Retain',
      ]),
      mountOptions: atomic(str(), 'Mount options of volumes it provisions.'),
      allowVolumeExpansion: bool('Whether claims of this class may grow.'),
      volumeBindingMode: str('Immediate (default) or WaitForFirstConsumer.', [
        'Immediate',
        'WaitForFirstConsumer',
      ]),
      allowedTopologies: atomic(
        any('A topology selector term.'),
        'Where volumes may be provisioned.',
      ),
    },
    { required: ['provisioner'] },
  ),
};
