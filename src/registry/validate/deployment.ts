// Deployment validation: replicas, selector and template, rolling-update bounds, history and deadlines.
// k8s: pkg/apis/apps/validation/validation.go ValidateDeploymentSpec, ValidateRollingUpdateDeployment
import type { KObject } from '../../api/types';
import { fieldErr, type FieldError } from '../field-errors';
import { asNum, asObj, immutable, isSet, nonNegative, objOf, semanticEqual } from './fields';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta';
import { APPS_META, validateReplicaStatus, validateSelectorAndTemplate } from './replicaset';

const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
const isPercent = (v: unknown): v is string => typeof v === 'string' && /^[0-9]+%$/.test(v);

function validatePositiveIntOrPercent(v: unknown, fld: string): FieldError[] {
  if (typeof v === 'string') return isPercent(v) ? [] : [fieldErr.invalid(fld, v, PERCENT_MSG)];
  if (typeof v === 'number' || v === undefined || v === null) return nonNegative(v, fld);
  // Upstream's literal text, including the doubled percent sign.
  return [fieldErr.invalid(fld, v, "must be an integer or percentage (e.g '5%%')")];
}

/** The number an int-or-percent stands for; a non-numeric string counts as 0, as Go's IntValue does. */
function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number.parseInt(isPercent(v) ? v.slice(0, -1) : v, 10) || 0;
  return 0;
}

function validateStrategy(strategyIn: unknown): FieldError[] {
  const strategy = objOf(strategyIn);
  const errs: FieldError[] = [];
  switch (strategy.type) {
    case 'Recreate':
      if (isSet(strategy.rollingUpdate)) {
        errs.push(
          fieldErr.forbidden(
            'spec.strategy.rollingUpdate',
            "may not be specified when strategy `type` is 'Recreate'",
          ),
        );
      }
      break;
    case 'RollingUpdate': {
      const ru = asObj(strategy.rollingUpdate);
      if (!ru) {
        errs.push(
          fieldErr.required(
            'spec.strategy.rollingUpdate',
            'this should be defaulted and never be nil',
          ),
        );
        break;
      }
      const mu = 'spec.strategy.rollingUpdate.maxUnavailable';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, mu));
      errs.push(
        ...validatePositiveIntOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'),
      );
      // With neither surge nor unavailability allowed, a rollout could never make progress.
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(
          fieldErr.invalid(mu, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'),
        );
      }
      if (isPercent(ru.maxUnavailable) && intOrPercentValue(ru.maxUnavailable) > 100) {
        errs.push(fieldErr.invalid(mu, ru.maxUnavailable, 'must not be greater than 100%'));
      }
      break;
    }
    default:
      errs.push(fieldErr.notSupported('spec.strategy', strategy, ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

function validateDeploymentSpec(d: KObject): FieldError[] {
  const spec = objOf(d.spec);
  const errs = [
    ...nonNegative(spec.replicas, 'spec.replicas'),
    ...validateSelectorAndTemplate(spec),
  ];
  errs.push(
    ...validateStrategy(spec.strategy),
    ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
  );
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const pds = asNum(spec.progressDeadlineSeconds);
  if (pds !== undefined) {
    errs.push(...nonNegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (asNum(spec.minReadySeconds) ?? 0))
      errs.push(
        fieldErr.invalid(
          'spec.progressDeadlineSeconds',
          pds,
          'must be greater than minReadySeconds',
        ),
      );
  }
  return errs;
}

const DEPLOYMENT_COUNTERS = [
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'unavailableReplicas',
];

export function validateDeployment(d: KObject): FieldError[] {
  return [...validateObjectMeta(d.metadata, APPS_META), ...validateDeploymentSpec(d)];
}

export function validateDeploymentUpdate(d: KObject, old: KObject): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(d.metadata, old.metadata),
    ...validateDeploymentSpec(d),
  ];
  // k8s: pkg/registry/apps/deployment/strategy.go keeps apps/v1 selectors immutable.
  errs.push(...immutable(objOf(d.spec).selector, objOf(old.spec).selector, 'spec.selector'));
  if (!semanticEqual(d.status, old.status))
    errs.push(...validateReplicaStatus(d.status, DEPLOYMENT_COUNTERS));
  return errs;
}
