// PodDisruptionBudget validation: one of minAvailable/maxUnavailable as an int or a percentage up to
// 100%, a valid selector, a known unhealthyPodEvictionPolicy; counters in status are non-negative.
// k8s: pkg/apis/policy/validation/validation.go ValidatePodDisruptionBudget(Spec|StatusUpdate),
// pkg/apis/apps/validation ValidatePositiveIntOrPercent, IsNotMoreThan100Percent
import type { KObject } from '../../api/types';
import { isPercent } from '../../lib/intstr';
import { fieldErr, path, type FieldError } from '../field-errors';
import { asArr, asStr, isSet, nonNegative, objOf, semanticEqual } from './fields';
import {
  nameIsDNSSubdomain,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from './meta';

const META = { namespaced: true, nameFn: nameIsDNSSubdomain };
const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
const POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];
const STATUS_COUNTERS = ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'];
const MAX_CONDITION_MESSAGE = 32 * 1024;

function intOrPercent(v: unknown, fld: string): FieldError[] {
  if (typeof v === 'string') {
    if (!isPercent(v)) return [fieldErr.invalid(fld, v, PERCENT_MSG)];
    return Number.parseInt(v, 10) > 100
      ? [fieldErr.invalid(fld, v, 'must not be greater than 100%')]
      : [];
  }
  if (typeof v === 'number') return nonNegative(v, fld);
  return [fieldErr.invalid(fld, v, "must be an integer or percentage (e.g '5%%')")];
}

function validateSpec(pdb: KObject): FieldError[] {
  const spec = objOf(pdb.spec);
  const errs: FieldError[] = [];
  if (isSet(spec.minAvailable) && isSet(spec.maxUnavailable))
    errs.push(fieldErr.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  if (isSet(spec.minAvailable)) errs.push(...intOrPercent(spec.minAvailable, 'spec.minAvailable'));
  if (isSet(spec.maxUnavailable))
    errs.push(...intOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (
    isSet(spec.unhealthyPodEvictionPolicy) &&
    !POLICIES.includes(asStr(spec.unhealthyPodEvictionPolicy))
  )
    errs.push(
      fieldErr.notSupported(
        'spec.unhealthyPodEvictionPolicy',
        spec.unhealthyPodEvictionPolicy,
        POLICIES,
      ),
    );
  return errs;
}

// k8s: apimachinery/pkg/apis/meta/v1/validation ValidateConditions (the parts a status writer can get wrong)
function validateConditions(list: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  asArr(list).forEach((cIn, i) => {
    const c = objOf(cIn);
    const p = path.index(fld, i);
    const type = asStr(c.type);
    if (!type) errs.push(fieldErr.required(path.child(p, 'type')));
    else {
      errs.push(...validateQualifiedName(type, path.child(p, 'type')));
      if (seen.has(type)) errs.push(fieldErr.duplicate(path.child(p, 'type'), type));
      seen.add(type);
    }
    if (!['True', 'False', 'Unknown'].includes(asStr(c.status)))
      errs.push(
        fieldErr.notSupported(path.child(p, 'status'), c.status ?? '', [
          'False',
          'True',
          'Unknown',
        ]),
      );
    errs.push(...nonNegative(c.observedGeneration, path.child(p, 'observedGeneration')));
    if (!isSet(c.lastTransitionTime))
      errs.push(fieldErr.required(path.child(p, 'lastTransitionTime'), 'must be set'));
    if (!asStr(c.reason)) errs.push(fieldErr.required(path.child(p, 'reason')));
    else if (!/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/.test(asStr(c.reason)))
      errs.push(
        fieldErr.invalid(
          path.child(p, 'reason'),
          c.reason,
          "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')",
        ),
      );
    if (asStr(c.message).length > MAX_CONDITION_MESSAGE)
      errs.push(fieldErr.tooLong(path.child(p, 'message'), MAX_CONDITION_MESSAGE));
  });
  return errs;
}

function validateStatus(statusIn: unknown): FieldError[] {
  const status = objOf(statusIn);
  const errs: FieldError[] = [];
  for (const f of STATUS_COUNTERS) errs.push(...nonNegative(status[f], path.child('status', f)));
  errs.push(...validateConditions(status.conditions, 'status.conditions'));
  return errs;
}

export function validatePodDisruptionBudget(pdb: KObject): FieldError[] {
  return [...validateObjectMeta(pdb.metadata, META), ...validateSpec(pdb)];
}

/** In policy/v1 the spec may change (the controller recomputes status for the new generation). */
export function validatePodDisruptionBudgetUpdate(pdb: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pdb.metadata, old.metadata), ...validateSpec(pdb)];
  if (!semanticEqual(pdb.status, old.status)) errs.push(...validateStatus(pdb.status));
  return errs;
}
