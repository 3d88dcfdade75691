// Schemas of core/v1 pod volumes: the sources a pod can mount (host paths, scratch, config, secrets, projections).
import {
  CORE,
  META,
  type Schema,
  any,
  atomic,
  bool,
  int32,
  int64,
  map,
  obj,
  quantity,
  ref,
  str,
} from './dsl';

const MODE = 'Octal 0000-0777 or decimal 0-511 in JSON (YAML accepts octal).';

/**
 * Volume sources edgeplane's node agent cannot provide (cloud disks, network filesystems, deprecated plugins).
 * They are accepted as given, so objects written for other clusters still decode, but not described field by field.
 */
const OPAQUE_SOURCES = [
  'awsElasticBlockStore',
  'azureDisk',
  'azureFile',
  'cephfs',
  'cinder',
  'ephemeral',
  'fc',
  'flexVolume',
  'flocker',
  'gcePersistentDisk',
  'gitRepo',
  'glusterfs',
  'iscsi',
  'photonPersistentDisk',
  'portworxVolume',
  'quobyte',
  'rbd',
  'scaleIO',
  'storageos',
  'vsphereVolume',
];
const opaqueSources = (): Record<string, Schema> =>
  Object.fromEntries(
    OPAQUE_SOURCES.map((name) => [
      name,
      any(`A ${name} volume. Not provided by edgeplane nodes; kept as given.`),
    ]),
  );

export const volumeDefs: Record<string, Schema> = {
  [CORE + 'Volume']: obj(
    'A named volume that containers of the pod may mount. Exactly one source is set; none means an emptyDir.',
    {
      name: str('Name of the volume, a DNS label unique within the pod; volumeMounts refer to it.'),
      hostPath: ref(
        CORE + 'HostPathVolumeSource',
        'A file or directory of the node, exposed as is. For system agents; most pods should not use it.',
      ),
      emptyDir: ref(
        CORE + 'EmptyDirVolumeSource',
        'A scratch directory that lives as long as the pod.',
      ),
      secret: ref(CORE + 'SecretVolumeSource', 'The keys of a Secret, as files.'),
      configMap: ref(CORE + 'ConfigMapVolumeSource', 'The keys of a ConfigMap, as files.'),
      downwardAPI: ref(
        CORE + 'DownwardAPIVolumeSource',
        'Fields of the pod and container resources, as files.',
      ),
      projected: ref(
        CORE + 'ProjectedVolumeSource',
        'Several sources (secrets, config maps, downward API, service account tokens) merged into one directory.',
      ),
      persistentVolumeClaim: ref(
        CORE + 'PersistentVolumeClaimVolumeSource',
        "A PersistentVolumeClaim in the pod's namespace.",
      ),
      nfs: ref(CORE + 'NFSVolumeSource', 'An NFS export.'),
      csi: ref(CORE + 'CSIVolumeSource', 'An ephemeral volume provided by a CSI driver.'),
      image: ref(
        CORE + 'ImageVolumeSource',
        'The contents of an OCI image or artifact, mounted read-only.',
      ),
      ...opaqueSources(),
    },
    { required: ['name'] },
  ),

  [CORE + 'HostPathVolumeSource']: obj(
    'A path on the node.',
    {
      path: str('Path on the node; a symlink is followed to its target.'),
      type: str('What must (or will be made to) exist at the path. Empty means no check.', [
        '',
        'BlockDevice',
        'CharDevice',
        'Directory',
        'DirectoryOrCreate',
        'File',
        'FileOrCreate',
        'Socket',
      ]),
    },
    { required: ['path'] },
  ),

  [CORE + 'EmptyDirVolumeSource']: obj(
    'An empty directory created when the pod starts and removed when it ends.',
    {
      medium: str('Backing storage: "" for the node\'s disk, "Memory" for tmpfs.'),
      sizeLimit: quantity(
        "Most space the volume may use; for Memory also capped by the pod's memory limit.",
      ),
    },
  ),

  [CORE + 'SecretVolumeSource']: obj(
    'Presents the keys of a Secret as files, one per key unless items narrows it.',
    {
      secretName: str("Name of the Secret in the pod's namespace."),
      items: atomic(
        ref(CORE + 'KeyToPath'),
        'Keys to project and the paths to write them to; unlisted keys are left out. Without it, every key becomes a file named after the key.',
      ),
      defaultMode: int32('Permission bits for created files, ' + MODE + ' Defaults to 0644.'),
      optional: bool('When true, a missing Secret or key is not an error.'),
    },
  ),

  [CORE + 'ConfigMapVolumeSource']: obj(
    'Presents the keys of a ConfigMap as files, one per key unless items narrows it.',
    {
      name: str("Name of the ConfigMap in the pod's namespace."),
      items: atomic(
        ref(CORE + 'KeyToPath'),
        'Keys to project and the paths to write them to; unlisted keys are left out.',
      ),
      defaultMode: int32('Permission bits for created files, ' + MODE + ' Defaults to 0644.'),
      optional: bool('When true, a missing ConfigMap or key is not an error.'),
    },
  ),

  [CORE + 'KeyToPath']: obj(
    'Maps one key to a file path inside the volume.',
    {
      key: str('The key to project.'),
      path: str('Relative path of the file; may not contain ".." or start with "..".'),
      mode: int32(
        'Permission bits for this file, ' + MODE + " Defaults to the volume's defaultMode.",
      ),
    },
    { required: ['key', 'path'] },
  ),

  [CORE + 'DownwardAPIVolumeSource']: obj('Presents pod fields and container resources as files.', {
    items: atomic(ref(CORE + 'DownwardAPIVolumeFile'), 'The files to create.'),
    defaultMode: int32('Permission bits for created files, ' + MODE + ' Defaults to 0644.'),
  }),

  [CORE + 'DownwardAPIVolumeFile']: obj(
    'One file holding a pod field or a container resource value.',
    {
      path: str('Relative path of the file; may not be absolute or contain "..".'),
      fieldRef: ref(
        CORE + 'ObjectFieldSelector',
        'A pod field: metadata.name, metadata.namespace, metadata.uid, metadata.labels or metadata.annotations.',
      ),
      resourceFieldRef: ref(
        CORE + 'ResourceFieldSelector',
        'A container resource limit or request.',
      ),
      mode: int32('Permission bits for this file, ' + MODE),
    },
    { required: ['path'] },
  ),

  [CORE + 'ProjectedVolumeSource']: obj('Several volume sources projected into one directory.', {
    sources: atomic(ref(CORE + 'VolumeProjection'), 'The sources, one per entry.'),
    defaultMode: int32('Permission bits for created files, ' + MODE + ' Defaults to 0644.'),
  }),

  [CORE + 'VolumeProjection']: obj('One source of a projected volume. Exactly one field is set.', {
    secret: ref(CORE + 'SecretProjection', 'Keys of a Secret.'),
    downwardAPI: ref(CORE + 'DownwardAPIProjection', 'Pod fields and container resources.'),
    configMap: ref(CORE + 'ConfigMapProjection', 'Keys of a ConfigMap.'),
    serviceAccountToken: ref(
      CORE + 'ServiceAccountTokenProjection',
      'A short-lived, automatically rotated service account token.',
    ),
    clusterTrustBundle: ref(
      CORE + 'ClusterTrustBundleProjection',
      'Certificates from ClusterTrustBundle objects.',
    ),
  }),

  [CORE + 'SecretProjection']: obj('Keys of a Secret inside a projected volume.', {
    name: str('Name of the Secret.'),
    items: atomic(
      ref(CORE + 'KeyToPath'),
      'Keys to project and their paths; without it every key is projected.',
    ),
    optional: bool('When true, a missing Secret or key is not an error.'),
  }),

  [CORE + 'ConfigMapProjection']: obj('Keys of a ConfigMap inside a projected volume.', {
    name: str('Name of the ConfigMap.'),
    items: atomic(
      ref(CORE + 'KeyToPath'),
      'Keys to project and their paths; without it every key is projected.',
    ),
    optional: bool('When true, a missing ConfigMap or key is not an error.'),
  }),

  [CORE + 'DownwardAPIProjection']: obj(
    'Pod fields and container resources inside a projected volume.',
    {
      items: atomic(ref(CORE + 'DownwardAPIVolumeFile'), 'The files to create.'),
    },
  ),

  [CORE + 'ServiceAccountTokenProjection']: obj(
    "A token for the pod's service account, refreshed before it expires.",
    {
      audience: str('Intended audience of the token. Defaults to the API server.'),
      expirationSeconds: int64('Requested lifetime in seconds; at least 600. Defaults to 3600.'),
      path: str('Relative path of the token file.'),
    },
    { required: ['path'] },
  ),

  [CORE + 'ClusterTrustBundleProjection']: obj(
    'Selects ClusterTrustBundle objects by name, or by signer and labels, and writes their certificates to one file.',
    {
      name: str('Select one bundle by name; exclusive with signerName and labelSelector.'),
      signerName: str('Select every bundle of this signer.'),
      labelSelector: ref(META + 'LabelSelector', 'Narrow signerName selection by labels.'),
      optional: bool('When true, missing bundles do not block pod startup.'),
      path: str('Relative path of the file.'),
    },
    { required: ['path'] },
  ),

  [CORE + 'PersistentVolumeClaimVolumeSource']: obj(
    'Mounts the volume bound to a PersistentVolumeClaim.',
    {
      claimName: str("Name of the claim in the pod's namespace."),
      readOnly: bool('Force a read-only mount. Defaults to false.'),
    },
    { required: ['claimName'] },
  ),

  [CORE + 'NFSVolumeSource']: obj(
    "An NFS export mounted for the pod's lifetime.",
    {
      server: str('Host name or IP of the NFS server.'),
      path: str('Exported path.'),
      readOnly: bool('Mount read-only. Defaults to false.'),
    },
    { required: ['server', 'path'] },
  ),

  [CORE + 'CSIVolumeSource']: obj(
    'An ephemeral volume provided by a CSI driver.',
    {
      driver: str('Name of the CSI driver.'),
      readOnly: bool('Mount read-only. Defaults to false.'),
      fsType: str('Filesystem type, such as ext4; empty lets the driver choose.'),
      volumeAttributes: map(str(), 'Driver-specific settings.'),
      nodePublishSecretRef: ref(
        CORE + 'LocalObjectReference',
        'Secret passed to the driver when the volume is published.',
      ),
    },
    { required: ['driver'] },
  ),

  [CORE + 'ImageVolumeSource']: obj('An OCI image or artifact mounted read-only.', {
    reference: str('Image or artifact reference, as for a container image.'),
    pullPolicy: str('When to pull. Defaults to Always for :latest and IfNotPresent otherwise.', [
      'Always',
      'IfNotPresent',
      'Never',
    ]),
  }),
};
