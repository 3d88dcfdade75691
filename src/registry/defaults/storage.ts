// PersistentVolumeClaim, PersistentVolume and StorageClass defaults.
// k8s: pkg/apis/core/v1/defaults.go SetDefaults_PersistentVolume(Claim)(Spec); pkg/apis/storage/v1/defaults.go
import type { KObject } from '../../api/types';
import { isSet, objOf, type Obj } from '../validate/fields';
import { isNew, struct } from './always';

/** A claim's spec, also a StatefulSet's volumeClaimTemplates. */
export function defaultPvcSpec(spec: Obj): void {
  if (!isSet(spec.volumeMode)) spec.volumeMode = 'Filesystem';
  struct(spec, 'resources');
}

export function defaultPvc(pvc: KObject): void {
  const spec = objOf(pvc.spec);
  pvc.spec = spec;
  defaultPvcSpec(spec);
  // k8s: pkg/registry/core/persistentvolumeclaim/strategy.go PrepareForCreate clears status; SetDefaults sets Pending.
  if (isNew(pvc)) pvc.status = {};
  const status = struct(pvc as Obj, 'status');
  if (!isSet(status.phase)) status.phase = 'Pending';
}

export function defaultPv(pv: KObject): void {
  const spec = objOf(pv.spec);
  pv.spec = spec;
  if (!isSet(spec.persistentVolumeReclaimPolicy)) spec.persistentVolumeReclaimPolicy = 'Retain';
  if (!isSet(spec.volumeMode)) spec.volumeMode = 'Filesystem';
  if (isNew(pv)) pv.status = {};
  const status = struct(pv as Obj, 'status');
  if (!isSet(status.phase)) status.phase = 'Pending';
}

export function defaultStorageClass(sc: KObject): void {
  if (!isSet(sc.reclaimPolicy)) sc.reclaimPolicy = 'Delete';
  if (!isSet(sc.volumeBindingMode)) sc.volumeBindingMode = 'Immediate';
}
