// ServiceAccount validation: metadata only, as upstream.
// k8s: pkg/apis/core/validation/validation.go ValidateServiceAccount
import type { KObject } from '../../api/types';
import type { FieldError } from '../field-errors';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta';

export function validateServiceAccount(sa: KObject): FieldError[] {
  return validateObjectMeta(sa.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
}

export function validateServiceAccountUpdate(sa: KObject, old: KObject): FieldError[] {
  return [...validateObjectMetaUpdate(sa.metadata, old.metadata), ...validateServiceAccount(sa)];
}
