// ReplicaSet validation, and the selector-and-template rules a Deployment shares with it.
// k8s: pkg/apis/apps/validation/validation.go ValidateReplicaSetSpec, ValidatePodTemplateSpecForReplicaSet
import type { KObject, LabelSelector } from '../../api/types';
import { selectorFromLabelSelector } from '../../lib/labels';
import { fieldErr, path, type FieldError } from '../field-errors';
import { asNum, asObj, immutable, isSet, nonNegative, objOf, semanticEqual } from './fields';
import {
  nameIsDNSSubdomain,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
import { validatePodTemplateSpec } from './pod-spec';

export const APPS_META = { namespaced: true, nameFn: nameIsDNSSubdomain };

/** spec.selector must be set, non-empty, and match the template, whose pods must restart Always. */
export function validateSelectorAndTemplate(spec: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  const sel = asObj(spec.selector);
  if (!sel) errs.push(fieldErr.required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (
      !Object.keys(objOf(sel.matchLabels)).length &&
      !(Array.isArray(sel.matchExpressions) && sel.matchExpressions.length)
    ) {
      // Upstream says "deployment" for ReplicaSets too.
      errs.push(fieldErr.invalid('spec.selector', sel, 'empty selector is invalid for deployment'));
    }
  }
  const tpl = objOf(spec.template);
  const labels = objOf(objOf(tpl.metadata).labels) as Record<string, string>;
  let matches: boolean;
  try {
    // A missing selector selects nothing, so the template cannot match it either.
    const selector = selectorFromLabelSelector((sel ?? null) as LabelSelector | null);
    matches = selector.empty || selector.matches(labels);
  } catch {
    errs.push(fieldErr.invalid('spec.selector', sel, 'invalid label selector'));
    matches = true;
  }
  if (!matches)
    errs.push(
      fieldErr.invalid(
        'spec.template.metadata.labels',
        labels,
        '`selector` does not match template `labels`',
      ),
    );
  errs.push(...validatePodTemplateSpec(tpl, 'spec.template'));
  const podSpec = objOf(tpl.spec);
  if (podSpec.restartPolicy !== 'Always') {
    errs.push(
      fieldErr.notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', [
        'Always',
      ]),
    );
  }
  if (isSet(podSpec.activeDeadlineSeconds)) {
    // Deployments share this check upstream, message included.
    errs.push(
      fieldErr.forbidden(
        'spec.template.spec.activeDeadlineSeconds',
        'activeDeadlineSeconds in ReplicaSet is not Supported',
      ),
    );
  }
  return errs;
}

/** Status counters: non-negative, and none above status.replicas. */
export function validateReplicaStatus(statusIn: unknown, counters: string[]): FieldError[] {
  const status = objOf(statusIn);
  const errs: FieldError[] = [];
  for (const f of ['replicas', 'observedGeneration', 'collisionCount', ...counters])
    errs.push(...nonNegative(status[f], path.child('status', f)));
  const replicas = asNum(status.replicas) ?? 0;
  for (const f of counters) {
    const v = asNum(status[f]) ?? 0;
    if (f !== 'unavailableReplicas' && v > replicas)
      errs.push(
        fieldErr.invalid(path.child('status', f), v, 'cannot be greater than status.replicas'),
      );
  }
  const available = asNum(status.availableReplicas) ?? 0;
  if (available > (asNum(status.readyReplicas) ?? 0)) {
    errs.push(
      fieldErr.invalid(
        'status.availableReplicas',
        available,
        'cannot be greater than readyReplicas',
      ),
    );
  }
  return errs;
}

const RS_COUNTERS = ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'];

function validateReplicaSetSpec(rs: KObject): FieldError[] {
  const spec = objOf(rs.spec);
  return [
    ...nonNegative(spec.replicas, 'spec.replicas'),
    ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateSelectorAndTemplate(spec),
  ];
}

export function validateReplicaSet(rs: KObject): FieldError[] {
  return [...validateObjectMeta(rs.metadata, APPS_META), ...validateReplicaSetSpec(rs)];
}

export function validateReplicaSetUpdate(rs: KObject, old: KObject): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(rs.metadata, old.metadata),
    ...validateReplicaSetSpec(rs),
  ];
  // k8s: pkg/registry/apps/replicaset/strategy.go keeps apps/v1 selectors immutable.
  errs.push(...immutable(objOf(rs.spec).selector, objOf(old.spec).selector, 'spec.selector'));
  if (!semanticEqual(rs.status, old.status))
    errs.push(...validateReplicaStatus(rs.status, RS_COUNTERS));
  return errs;
}
