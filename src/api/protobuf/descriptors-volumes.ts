// Message tables for core/v1 pod volumes: emptyDir, configMap, secret, hostPath, PVC, downwardAPI, projected.
import { CORE, INLINE, PTR, QUANTITY, REP, message, type MessageTable } from './descriptor-types';

const LOR = CORE + 'LocalObjectReference';

// Projections whose localObjectReference is a Go embedded struct, so `name` sits beside the other fields.
const projection = () =>
  message(
    [1, 'localObjectReference', LOR, INLINE],
    [2, 'items', CORE + 'KeyToPath', REP],
    [4, 'optional', 'bool', PTR],
  );

export const volumeMessages: MessageTable = {
  [CORE + 'Volume']: message(
    [1, 'name', 'string'],
    [2, 'volumeSource', CORE + 'VolumeSource', INLINE],
  ),
  // The volume types a generator or a small app uses; the rest land in unknownFields.
  [CORE + 'VolumeSource']: message(
    [1, 'hostPath', CORE + 'HostPathVolumeSource', PTR],
    [2, 'emptyDir', CORE + 'EmptyDirVolumeSource', PTR],
    [6, 'secret', CORE + 'SecretVolumeSource', PTR],
    [10, 'persistentVolumeClaim', CORE + 'PersistentVolumeClaimVolumeSource', PTR],
    [16, 'downwardAPI', CORE + 'DownwardAPIVolumeSource', PTR],
    [19, 'configMap', CORE + 'ConfigMapVolumeSource', PTR],
    [26, 'projected', CORE + 'ProjectedVolumeSource', PTR],
  ),
  [CORE + 'HostPathVolumeSource']: message([1, 'path', 'string'], [2, 'type', 'string', PTR]),
  [CORE + 'EmptyDirVolumeSource']: message(
    [1, 'medium', 'string'],
    [2, 'sizeLimit', QUANTITY, PTR],
  ),
  [CORE + 'SecretVolumeSource']: message(
    [1, 'secretName', 'string'],
    [2, 'items', CORE + 'KeyToPath', REP],
    [3, 'defaultMode', 'int32', PTR],
    [4, 'optional', 'bool', PTR],
  ),
  [CORE + 'ConfigMapVolumeSource']: message(
    [1, 'localObjectReference', LOR, INLINE],
    [2, 'items', CORE + 'KeyToPath', REP],
    [3, 'defaultMode', 'int32', PTR],
    [4, 'optional', 'bool', PTR],
  ),
  [CORE + 'KeyToPath']: message(
    [1, 'key', 'string'],
    [2, 'path', 'string'],
    [3, 'mode', 'int32', PTR],
  ),
  [CORE + 'PersistentVolumeClaimVolumeSource']: message(
    [1, 'claimName', 'string'],
    [2, 'readOnly', 'bool'],
  ),
  [CORE + 'DownwardAPIVolumeSource']: message(
    [1, 'items', CORE + 'DownwardAPIVolumeFile', REP],
    [2, 'defaultMode', 'int32', PTR],
  ),
  [CORE + 'DownwardAPIVolumeFile']: message(
    [1, 'path', 'string'],
    [2, 'fieldRef', CORE + 'ObjectFieldSelector', PTR],
    [3, 'resourceFieldRef', CORE + 'ResourceFieldSelector', PTR],
    [4, 'mode', 'int32', PTR],
  ),
  [CORE + 'ProjectedVolumeSource']: message(
    [1, 'sources', CORE + 'VolumeProjection', REP],
    [2, 'defaultMode', 'int32', PTR],
  ),
  [CORE + 'VolumeProjection']: message(
    [1, 'secret', CORE + 'SecretProjection', PTR],
    [2, 'downwardAPI', CORE + 'DownwardAPIProjection', PTR],
    [3, 'configMap', CORE + 'ConfigMapProjection', PTR],
    [4, 'serviceAccountToken', CORE + 'ServiceAccountTokenProjection', PTR],
  ),
  [CORE + 'SecretProjection']: projection(),
  [CORE + 'ConfigMapProjection']: projection(),
  [CORE + 'DownwardAPIProjection']: message([1, 'items', CORE + 'DownwardAPIVolumeFile', REP]),
  [CORE + 'ServiceAccountTokenProjection']: message(
    [1, 'audience', 'string'],
    [2, 'expirationSeconds', 'int64', PTR],
    [3, 'path', 'string'],
  ),
};
