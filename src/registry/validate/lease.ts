// Lease validation: a positive duration and a non-negative transition count.
// k8s: pkg/apis/coordination/validation/validation.go ValidateLease
import type { KObject } from '../../api/types';
import { fieldErr, type FieldError } from '../field-errors';
import { asNum, asStr, isSet, objOf } from './fields';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta';

// coordination uses apimachinery's metadata rules, without the core-only finalizer check.
const META = { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: false };

function validateLeaseSpec(specIn: unknown): FieldError[] {
  const spec = objOf(specIn);
  const errs: FieldError[] = [];
  const duration = asNum(spec.leaseDurationSeconds);
  if (duration !== undefined && duration <= 0)
    errs.push(fieldErr.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = asNum(spec.leaseTransitions);
  if (transitions !== undefined && transitions < 0)
    errs.push(
      fieldErr.invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'),
    );
  if (isSet(spec.strategy) && spec.strategy !== 'OldestEmulationVersion') {
    errs.push(fieldErr.notSupported('spec.strategy', spec.strategy, ['OldestEmulationVersion']));
  }
  if (asStr(spec.preferredHolder) && !asStr(spec.strategy)) {
    errs.push(
      fieldErr.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'),
    );
  }
  return errs;
}

export function validateLease(lease: KObject): FieldError[] {
  return [...validateObjectMeta(lease.metadata, META), ...validateLeaseSpec(lease.spec)];
}

export function validateLeaseUpdate(lease: KObject, old: KObject): FieldError[] {
  return [
    ...validateObjectMetaUpdate(lease.metadata, old.metadata, META),
    ...validateLeaseSpec(lease.spec),
  ];
}
