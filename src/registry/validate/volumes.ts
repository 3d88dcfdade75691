// Pod volumes: unique DNS-label names, exactly one source each, and the checks of the common sources.
// k8s: pkg/apis/core/validation/validation.go ValidateVolumes, validateVolumeSource
import { isDNS1123Label } from '../../lib/validation';
import { parseQuantity } from '../../lib/quantity';
import { fieldErr, path, type FieldError } from '../field-errors';
import { asArr, asNum, asObj, asStr, invalidEach, isSet, objOf, type Obj } from './fields';

// Checked in this order, so "more than 1 volume type" lands on the later key as upstream reports it.
const SOURCES = [
  'emptyDir',
  'hostPath',
  'gitRepo',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'flocker',
  'persistentVolumeClaim',
  'rbd',
  'cinder',
  'cephfs',
  'quobyte',
  'downwardAPI',
  'fc',
  'flexVolume',
  'configMap',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'storageos',
  'projected',
  'scaleIO',
  'csi',
  'ephemeral',
  'image',
];

const FILE_MODE_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';
const HOST_PATH_TYPES = [
  '',
  'DirectoryOrCreate',
  'Directory',
  'FileOrCreate',
  'File',
  'Socket',
  'CharDevice',
  'BlockDevice',
];

/** Returns the volumes that validated cleanly (mounts may only name those) and every error found. */
export function validateVolumes(
  volsIn: unknown,
  fld: string,
): { volumes: Map<string, Obj>; errors: FieldError[] } {
  const volumes = new Map<string, Obj>();
  const errors: FieldError[] = [];
  asArr(volsIn).forEach((vIn, i) => {
    const v = objOf(vIn);
    const p = path.index(fld, i);
    const name = asStr(v.name);
    const el = validateVolumeSource(v, p);
    if (!name) el.push(fieldErr.required(path.child(p, 'name')));
    else el.push(...invalidEach(isDNS1123Label(name), path.child(p, 'name'), name));
    if (volumes.has(name)) el.push(fieldErr.duplicate(path.child(p, 'name'), name));
    if (el.length === 0) volumes.set(name, v);
    else errors.push(...el);
  });
  return { volumes, errors };
}

function validateVolumeSource(v: Obj, p: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const key of SOURCES) {
    if (!isSet(v[key])) continue;
    if (count > 0) {
      errs.push(fieldErr.forbidden(path.child(p, key), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...validateSource(key, objOf(v[key]), path.child(p, key)));
  }
  if (count === 0) errs.push(fieldErr.required(p, 'must specify a volume type'));
  return errs;
}

function validateSource(key: string, s: Obj, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const required = (f: string) => {
    if (!asStr(s[f])) errs.push(fieldErr.required(path.child(p, f)));
  };
  switch (key) {
    case 'emptyDir':
      if (isSet(s.sizeLimit) && isNegativeQuantity(s.sizeLimit)) {
        errs.push(
          fieldErr.forbidden(
            path.child(p, 'sizeLimit'),
            'SizeLimit field must be a valid resource quantity',
          ),
        );
      }
      break;
    case 'hostPath':
      required('path');
      if (asStr(s.path).split('/').includes('..'))
        errs.push(fieldErr.invalid(path.child(p, 'path'), s.path, "must not contain '..'"));
      if (isSet(s.type) && !HOST_PATH_TYPES.includes(asStr(s.type))) {
        errs.push(fieldErr.notSupported(path.child(p, 'type'), s.type, HOST_PATH_TYPES));
      }
      break;
    case 'secret':
      required('secretName');
      errs.push(
        ...fileMode(s.defaultMode, path.child(p, 'defaultMode')),
        ...keyToPaths(s.items, path.child(p, 'items')),
      );
      break;
    case 'configMap':
      required('name');
      errs.push(
        ...fileMode(s.defaultMode, path.child(p, 'defaultMode')),
        ...keyToPaths(s.items, path.child(p, 'items')),
      );
      break;
    case 'persistentVolumeClaim':
      required('claimName');
      break;
    case 'nfs':
      required('server');
      required('path');
      if (!asStr(s.path).startsWith('/'))
        errs.push(
          fieldErr.invalid(path.child(p, 'path'), asStr(s.path), 'must be an absolute path'),
        );
      break;
    case 'downwardAPI':
      errs.push(...fileMode(s.defaultMode, path.child(p, 'defaultMode')));
      break;
    case 'projected':
      errs.push(...fileMode(s.defaultMode, path.child(p, 'defaultMode')));
      break;
    case 'csi':
      required('driver');
      break;
    case 'ephemeral':
      if (!asObj(s.volumeClaimTemplate))
        errs.push(fieldErr.required(path.child(p, 'volumeClaimTemplate')));
      break;
  }
  return errs;
}

function fileMode(mode: unknown, fld: string): FieldError[] {
  const m = asNum(mode);
  return m !== undefined && (m < 0 || m > 0o777) ? [fieldErr.invalid(fld, m, FILE_MODE_MSG)] : [];
}

function keyToPaths(itemsIn: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(itemsIn).forEach((itIn, i) => {
    const it = objOf(itIn);
    const p = path.index(fld, i);
    if (!asStr(it.key)) errs.push(fieldErr.required(path.child(p, 'key')));
    if (!asStr(it.path)) errs.push(fieldErr.required(path.child(p, 'path')));
    errs.push(...localDescendingPath(asStr(it.path), path.child(p, 'path')));
    // The kubelet keeps its own "..data" links beside projected files, so item paths may not start with "..".
    if (asStr(it.path).startsWith('..'))
      errs.push(fieldErr.invalid(path.child(p, 'path'), it.path, "must not start with '..'"));
    errs.push(...fileMode(it.mode, path.child(p, 'mode')));
  });
  return errs;
}

/** A relative path that cannot climb out of its volume. */
export function localDescendingPath(p: string, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(fieldErr.invalid(fld, p, 'must be a relative path'));
  if (p.split(/[\\/]/).includes('..')) errs.push(fieldErr.invalid(fld, p, "must not contain '..'"));
  return errs;
}

function isNegativeQuantity(raw: unknown): boolean {
  try {
    return parseQuantity(String(raw)).cmp(parseQuantity('0')) < 0;
  } catch {
    return true;
  }
}
