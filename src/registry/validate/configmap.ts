// ConfigMap validation: config keys, 1 MiB of data in total, and no data changes once immutable.
// k8s: pkg/apis/core/validation/validation.go ValidateConfigMap, ValidateConfigMapUpdate
import type { KObject } from '../../api/types';
import { fieldErr, path, type FieldError } from '../field-errors';
import { isConfigMapKey } from './config-key';
import {
  asStr,
  base64DecodedLength,
  byteLength,
  invalidEach,
  objOf,
  semanticEqual,
} from './fields';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta';

/** Shared by ConfigMaps and Secrets (core.MaxSecretSize). */
export const MAX_DATA_SIZE = 1024 * 1024;
const IMMUTABLE_MSG = 'field is immutable when `immutable` is set';

export function validateConfigMap(cm: KObject): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const data = objOf(cm.data);
  const binary = objOf(cm.binaryData);
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    errs.push(...invalidEach(isConfigMapKey(key), path.key('data', key), key));
    if (key in binary)
      errs.push(
        fieldErr.invalid(path.key('data', key), key, 'duplicate of key present in binaryData'),
      );
    total += byteLength(asStr(value));
  }
  for (const [key, value] of Object.entries(binary)) {
    errs.push(...invalidEach(isConfigMapKey(key), path.key('binaryData', key), key));
    total += base64DecodedLength(asStr(value));
  }
  // The empty field path means the whole object, as upstream reports it.
  if (total > MAX_DATA_SIZE) errs.push(fieldErr.tooLong('', MAX_DATA_SIZE));
  return errs;
}

export function validateConfigMapUpdate(cm: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(cm.metadata, old.metadata);
  if (old.immutable === true) {
    if (cm.immutable !== true) errs.push(fieldErr.forbidden('immutable', IMMUTABLE_MSG));
    if (!semanticEqual(cm.data, old.data)) errs.push(fieldErr.forbidden('data', IMMUTABLE_MSG));
    if (!semanticEqual(cm.binaryData, old.binaryData))
      errs.push(fieldErr.forbidden('binaryData', IMMUTABLE_MSG));
  }
  return [...errs, ...validateConfigMap(cm)];
}
