// ReplicationController validation: a map selector that must match the template, and the RS status rules.
// k8s: pkg/apis/core/validation/validation.go ValidateReplicationControllerSpec, ValidatePodTemplateSpecForRC,
// ValidateReplicationControllerStatus
import type { KObject } from '../../api/types';
import { selectorFromSet } from '../../lib/labels';
import { fieldErr, type FieldError } from '../field-errors';
import { asObj, isSet, nonNegative, objOf, semanticEqual } from './fields';
import {
  nameIsDNSSubdomain,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
import { validatePodTemplateSpec } from './pod-spec';
import { validateReplicaStatus } from './replicaset';

const META = { namespaced: true, nameFn: nameIsDNSSubdomain };
const RC_COUNTERS = ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'];

function validateTemplate(spec: Record<string, unknown>, selector: Record<string, string>) {
  const tplIn = spec.template;
  if (!isSet(tplIn)) return [fieldErr.required('spec.template')];
  const tpl = objOf(tplIn);
  const errs: FieldError[] = [];
  const labels = objOf(objOf(tpl.metadata).labels) as Record<string, string>;
  const sel = selectorFromSet(selector);
  if (!sel.empty && !sel.matches(labels))
    errs.push(
      fieldErr.invalid(
        'spec.template.metadata.labels',
        labels,
        'selector does not match labels in spec.template',
      ),
    );
  errs.push(...validatePodTemplateSpec(tpl, 'spec.template'));
  const podSpec = objOf(tpl.spec);
  if (podSpec.restartPolicy !== 'Always')
    errs.push(
      fieldErr.notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', [
        'Always',
      ]),
    );
  if (isSet(podSpec.activeDeadlineSeconds))
    errs.push(
      fieldErr.forbidden(
        'spec.template.spec.activeDeadlineSeconds',
        'activeDeadlineSeconds in ReplicationController is not Supported',
      ),
    );
  return errs;
}

function validateSpec(rc: KObject): FieldError[] {
  const spec = objOf(rc.spec);
  const selector = (asObj(spec.selector) ?? {}) as Record<string, string>;
  const errs = [...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  if (!Object.keys(selector).length) errs.push(fieldErr.required('spec.selector'));
  else errs.push(...validateLabels(selector, 'spec.selector'));
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateTemplate(spec, selector));
  return errs;
}

export function validateReplicationController(rc: KObject): FieldError[] {
  return [...validateObjectMeta(rc.metadata, META), ...validateSpec(rc)];
}

/** Unlike apps/v1, a ReplicationController's selector may change (the pods it no longer selects are released). */
export function validateReplicationControllerUpdate(rc: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(rc.metadata, old.metadata), ...validateSpec(rc)];
  if (!semanticEqual(rc.status, old.status))
    errs.push(...validateReplicaStatus(rc.status, RC_COUNTERS));
  return errs;
}
