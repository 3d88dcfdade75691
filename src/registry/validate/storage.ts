// PersistentVolumeClaim, PersistentVolume and StorageClass validation.
// k8s: pkg/apis/core/validation/validation.go ValidatePersistentVolume*, ValidatePersistentVolumeClaim*;
//      pkg/apis/storage/validation/validation.go ValidateStorageClass*
import type { KObject } from '../../api/types';
import { isQuantity, parseQuantity } from '../../lib/quantity';
import { fieldErr, path, type FieldError } from '../field-errors';
import { asArr, asObj, immutable, isSet, objOf, semanticEqual } from './fields';
import {
  nameIsDNSSubdomain,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from './meta';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];

function validateAccessModes(modesIn: unknown, fld: string): FieldError[] {
  const modes = asArr(modesIn);
  if (!modes.length) return [fieldErr.required(fld, 'at least 1 access mode is required')];
  const errs: FieldError[] = [];
  for (const m of modes)
    if (!ACCESS_MODES.includes(String(m))) errs.push(fieldErr.notSupported(fld, m, ACCESS_MODES));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1)
    errs.push(fieldErr.forbidden(fld, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

function validateStorage(value: unknown, fld: string, what: string): FieldError[] {
  if (!isSet(value)) return [fieldErr.required(fld)];
  if (!isQuantity(String(value)))
    return [
      fieldErr.invalid(
        fld,
        value,
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      ),
    ];
  if (parseQuantity(String(value)).cmp(parseQuantity('0')) <= 0)
    return [fieldErr.invalid(fld, value, `must be greater than zero${what}`)];
  return [];
}

/** A claim's spec, shared with StatefulSet volumeClaimTemplates. */
export function validatePvcSpec(specIn: unknown, fld: string): FieldError[] {
  const spec = objOf(specIn);
  const errs = validateAccessModes(spec.accessModes, path.child(fld, 'accessModes'));
  errs.push(...validateLabelSelector(spec.selector, path.child(fld, 'selector')));
  const requests = objOf(objOf(spec.resources).requests);
  errs.push(...validateStorage(requests.storage, `${fld}.resources[storage]`, ''));
  if (isSet(spec.volumeMode) && !VOLUME_MODES.includes(String(spec.volumeMode)))
    errs.push(fieldErr.notSupported(path.child(fld, 'volumeMode'), spec.volumeMode, VOLUME_MODES));
  if (typeof spec.storageClassName === 'string' && spec.storageClassName !== '')
    for (const m of nameIsDNSSubdomain(spec.storageClassName, false))
      errs.push(fieldErr.invalid(path.child(fld, 'storageClassName'), spec.storageClassName, m));
  return errs;
}

const NAMESPACED = { namespaced: true, nameFn: nameIsDNSSubdomain };
const CLUSTER = { namespaced: false, nameFn: nameIsDNSSubdomain };

export function validatePvc(pvc: KObject): FieldError[] {
  return [...validateObjectMeta(pvc.metadata, NAMESPACED), ...validatePvcSpec(pvc.spec, 'spec')];
}

export function validatePvcUpdate(pvc: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pvc.metadata, old.metadata), ...validatePvc(pvc)];
  const spec = objOf(pvc.spec);
  const prev = objOf(old.spec);
  // k8s: ValidatePersistentVolumeClaimUpdate: binding (volumeName set once), a default class assigned
  // to a claim without one, and a larger storage request are the only spec changes.
  const comparable = (s: Record<string, unknown>, o: Record<string, unknown>) => {
    const c: Record<string, unknown> & { resources: { requests: Record<string, unknown> } } = {
      ...s,
      resources: { ...objOf(s.resources), requests: { ...objOf(objOf(s.resources).requests) } },
    };
    if (!o.volumeName) delete c.volumeName;
    if (!isSet(o.storageClassName)) delete c.storageClassName;
    delete c.resources.requests.storage;
    return c;
  };
  if (!semanticEqual(comparable(spec, prev), comparable(prev, prev)))
    errs.push(
      fieldErr.forbidden(
        'spec',
        'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      ),
    );
  const was = objOf(objOf(prev.resources).requests).storage;
  const now = objOf(objOf(spec.resources).requests).storage;
  if (isSet(was) && isSet(now) && isQuantity(String(now)) && isQuantity(String(was))) {
    if (parseQuantity(String(now)).cmp(parseQuantity(String(was))) < 0)
      errs.push(
        fieldErr.forbidden(
          'spec.resources.requests.storage',
          'field can not be less than previous value',
        ),
      );
  }
  return errs;
}

const SOURCES = [
  'hostPath',
  'local',
  'nfs',
  'csi',
  'iscsi',
  'fc',
  'cephfs',
  'rbd',
  'glusterfs',
  'flexVolume',
];
const RECLAIM = ['Delete', 'Recycle', 'Retain'];

function validatePvSpec(pv: KObject): FieldError[] {
  const spec = objOf(pv.spec);
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes');
  const capacity = objOf(spec.capacity);
  if (!Object.keys(capacity).length) errs.push(fieldErr.required('spec.capacity'));
  else errs.push(...validateStorage(capacity.storage, 'spec.capacity[storage]', ''));
  if (
    isSet(spec.persistentVolumeReclaimPolicy) &&
    !RECLAIM.includes(String(spec.persistentVolumeReclaimPolicy))
  )
    errs.push(
      fieldErr.notSupported(
        'spec.persistentVolumeReclaimPolicy',
        spec.persistentVolumeReclaimPolicy,
        RECLAIM,
      ),
    );
  const present = SOURCES.filter((s) => isSet(spec[s]));
  if (present.length === 0) errs.push(fieldErr.required('spec', 'must specify a volume type'));
  else if (present.length > 1)
    errs.push(fieldErr.forbidden(`spec.${present[1]}`, 'may not specify more than 1 volume type'));
  for (const s of ['hostPath', 'local']) {
    const src = asObj(spec[s]);
    if (src && !src.path) errs.push(fieldErr.required(`spec.${s}.path`));
  }
  const affinity = asObj(spec.nodeAffinity);
  if (isSet(spec.local) && !affinity)
    errs.push(fieldErr.required('spec.nodeAffinity', 'Local volume requires node affinity'));
  if (affinity) {
    const terms = asArr(objOf(affinity.required).nodeSelectorTerms);
    if (!terms.length)
      errs.push(
        fieldErr.required(
          'spec.nodeAffinity.required.nodeSelectorTerms',
          'must have at least one node selector term',
        ),
      );
  }
  if (typeof spec.storageClassName === 'string' && spec.storageClassName !== '')
    for (const m of nameIsDNSSubdomain(spec.storageClassName, false))
      errs.push(fieldErr.invalid('spec.storageClassName', spec.storageClassName, m));
  return errs;
}

export function validatePv(pv: KObject): FieldError[] {
  return [...validateObjectMeta(pv.metadata, CLUSTER), ...validatePvSpec(pv)];
}

export function validatePvUpdate(pv: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pv.metadata, old.metadata), ...validatePv(pv)];
  const spec = objOf(pv.spec);
  const prev = objOf(old.spec);
  for (const s of SOURCES) errs.push(...immutable(spec[s], prev[s], `spec.${s}`));
  if (isSet(prev.nodeAffinity))
    errs.push(...immutable(spec.nodeAffinity, prev.nodeAffinity, 'spec.nodeAffinity'));
  if (isSet(prev.storageClassName) && prev.storageClassName !== '')
    errs.push(...immutable(spec.storageClassName, prev.storageClassName, 'spec.storageClassName'));
  return errs;
}

const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const SC_RECLAIM = ['Delete', 'Retain'];

export function validateStorageClass(sc: KObject): FieldError[] {
  const errs = validateObjectMeta(sc.metadata, CLUSTER);
  if (!sc.provisioner) errs.push(fieldErr.required('provisioner'));
  else errs.push(...validateQualifiedName(String(sc.provisioner), 'provisioner'));
  if (isSet(sc.reclaimPolicy) && !SC_RECLAIM.includes(String(sc.reclaimPolicy)))
    errs.push(fieldErr.notSupported('reclaimPolicy', sc.reclaimPolicy, SC_RECLAIM));
  if (isSet(sc.volumeBindingMode) && !BINDING_MODES.includes(String(sc.volumeBindingMode)))
    errs.push(fieldErr.notSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
  for (const [k, v] of Object.entries(objOf(sc.parameters)))
    if (typeof v !== 'string')
      errs.push(fieldErr.invalid(path.key('parameters', k), v, 'must be a string'));
  return errs;
}

export function validateStorageClassUpdate(sc: KObject, old: KObject): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(sc.metadata, old.metadata),
    ...validateStorageClass(sc),
  ];
  if (!semanticEqual(sc.parameters, old.parameters))
    errs.push(fieldErr.forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner)
    errs.push(fieldErr.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if ((sc.reclaimPolicy ?? 'Delete') !== (old.reclaimPolicy ?? 'Delete'))
    errs.push(fieldErr.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...immutable(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}
