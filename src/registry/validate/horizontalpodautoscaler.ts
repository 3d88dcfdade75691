// HorizontalPodAutoscaler validation (autoscaling/v2 shape).
// k8s: pkg/apis/autoscaling/validation/validation.go ValidateHorizontalPodAutoscaler
import type { KObject } from '../../api/types';
import { isQuantity, parseQuantity } from '../../lib/quantity';
import { fieldErr, type FieldError } from '../field-errors';
import { asArr, asNum, asObj, asStr, isSet, objOf } from './fields';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta';

const META = { namespaced: true, nameFn: nameIsDNSSubdomain };
const METRIC_TYPES = ['Object', 'Pods', 'Resource', 'External', 'ContainerResource'];
const TARGET_TYPES = ['Utilization', 'Value', 'AverageValue'];
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;

function validateRef(refIn: unknown, f: string): FieldError[] {
  const ref = objOf(refIn);
  const errs: FieldError[] = [];
  if (!asStr(ref.kind)) errs.push(fieldErr.required(`${f}.kind`));
  if (!asStr(ref.name)) errs.push(fieldErr.required(`${f}.name`));
  else if (/[/%]/.test(asStr(ref.name)))
    errs.push(fieldErr.invalid(`${f}.name`, ref.name, "may not contain '/' or '%'"));
  return errs;
}

function positiveQuantity(v: unknown, f: string): FieldError[] {
  if (!isSet(v)) return [];
  if (typeof v !== 'string' || !isQuantity(v))
    return [fieldErr.invalid(f, v, 'must be a quantity')];
  return parseQuantity(v).sign() > 0 ? [] : [fieldErr.invalid(f, v, 'must be positive')];
}

function validateTarget(tIn: unknown, f: string, utilizationAllowed: boolean): FieldError[] {
  const t = objOf(tIn);
  const errs: FieldError[] = [];
  const type = asStr(t.type);
  if (!type) errs.push(fieldErr.required(`${f}.type`, 'must specify a metric target type'));
  else if (!TARGET_TYPES.includes(type))
    errs.push(fieldErr.notSupported(`${f}.type`, type, TARGET_TYPES));
  errs.push(...positiveQuantity(t.value, `${f}.value`));
  errs.push(...positiveQuantity(t.averageValue, `${f}.averageValue`));
  if (isSet(t.averageUtilization) && (asNum(t.averageUtilization) ?? 0) < 1)
    errs.push(
      fieldErr.invalid(`${f}.averageUtilization`, t.averageUtilization, 'must be greater than 0'),
    );
  const set = [t.value, t.averageValue, t.averageUtilization].filter(isSet).length;
  if (set === 0)
    errs.push(
      fieldErr.required(f, 'must set either a target value, average value, or average utilization'),
    );
  else if (set > 1)
    errs.push(
      fieldErr.forbidden(
        f,
        'may not set more than one of value, averageValue or averageUtilization',
      ),
    );
  if (!utilizationAllowed && isSet(t.averageUtilization))
    errs.push(
      fieldErr.forbidden(
        `${f}.averageUtilization`,
        'may not set average utilization for this metric type',
      ),
    );
  return errs;
}

function validateMetric(mIn: unknown, f: string): FieldError[] {
  const m = objOf(mIn);
  const type = asStr(m.type);
  if (!type) return [fieldErr.required(`${f}.type`, 'must specify a metric source type')];
  if (!METRIC_TYPES.includes(type)) return [fieldErr.notSupported(`${f}.type`, type, METRIC_TYPES)];
  const key = type === 'ContainerResource' ? 'containerResource' : type.toLowerCase();
  const errs: FieldError[] = [];
  for (const k of ['object', 'pods', 'resource', 'external', 'containerResource'])
    if (k !== key && isSet(m[k]))
      errs.push(fieldErr.forbidden(`${f}.${k}`, 'must populate the given metric source only'));
  const src = asObj(m[key]);
  if (!src)
    return [
      ...errs,
      fieldErr.required(`${f}.${key}`, `must populate information for the given metric source`),
    ];
  if (type === 'Resource' || type === 'ContainerResource') {
    if (!asStr(src.name))
      errs.push(fieldErr.required(`${f}.${key}.name`, 'must specify a resource name'));
    if (type === 'ContainerResource' && !asStr(src.container))
      errs.push(fieldErr.required(`${f}.${key}.container`, 'must specify a container'));
    const target = objOf(src.target);
    if (asStr(target.type) === 'Value')
      errs.push(
        fieldErr.forbidden(`${f}.${key}.target.type`, 'must be either Utilization or AverageValue'),
      );
    errs.push(...validateTarget(src.target, `${f}.${key}.target`, true));
  } else errs.push(...validateTarget(src.target, `${f}.${key}.target`, false));
  return errs;
}

function validateRules(rIn: unknown, f: string): FieldError[] {
  if (!isSet(rIn)) return [];
  const r = objOf(rIn);
  const errs: FieldError[] = [];
  const w = r.stabilizationWindowSeconds;
  if (isSet(w) && ((asNum(w) ?? -1) < 0 || (asNum(w) ?? 0) > MAX_STABILIZATION_WINDOW_SECONDS))
    errs.push(
      fieldErr.invalid(
        `${f}.stabilizationWindowSeconds`,
        w,
        `must be greater than or equal to zero and less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`,
      ),
    );
  if (isSet(r.selectPolicy) && !['Max', 'Min', 'Disabled'].includes(asStr(r.selectPolicy)))
    errs.push(
      fieldErr.notSupported(`${f}.selectPolicy`, r.selectPolicy, ['Disabled', 'Max', 'Min']),
    );
  const policies = asArr(r.policies);
  if (isSet(r.policies) && policies.length === 0)
    errs.push(fieldErr.required(`${f}.policies`, 'must specify at least one Policy'));
  policies.forEach((pIn, i) => {
    const p = objOf(pIn);
    const pf = `${f}.policies[${i}]`;
    if (!['Pods', 'Percent'].includes(asStr(p.type)))
      errs.push(fieldErr.notSupported(`${pf}.type`, p.type, ['Percent', 'Pods']));
    if ((asNum(p.value) ?? 0) <= 0)
      errs.push(fieldErr.invalid(`${pf}.value`, p.value, 'must be greater than zero'));
    const period = asNum(p.periodSeconds) ?? 0;
    if (period <= 0)
      errs.push(
        fieldErr.invalid(`${pf}.periodSeconds`, p.periodSeconds, 'must be greater than zero'),
      );
    else if (period > MAX_PERIOD_SECONDS)
      errs.push(
        fieldErr.invalid(
          `${pf}.periodSeconds`,
          p.periodSeconds,
          `must be less than or equal to ${MAX_PERIOD_SECONDS}`,
        ),
      );
  });
  return errs;
}

export function validateHorizontalPodAutoscaler(hpa: KObject): FieldError[] {
  const errs = validateObjectMeta(hpa.metadata, META);
  const spec = objOf(hpa.spec);
  errs.push(...validateRef(spec.scaleTargetRef, 'spec.scaleTargetRef'));
  const min = asNum(spec.minReplicas);
  const max = asNum(spec.maxReplicas) ?? 0;
  if (isSet(spec.minReplicas) && (min ?? 0) < 1)
    errs.push(
      fieldErr.invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'),
    );
  if (max < 1)
    errs.push(fieldErr.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than 0'));
  if (min !== undefined && max < min)
    errs.push(
      fieldErr.invalid(
        'spec.maxReplicas',
        spec.maxReplicas,
        'must be greater than or equal to `minReplicas`',
      ),
    );
  asArr(spec.metrics).forEach((m, i) => errs.push(...validateMetric(m, `spec.metrics[${i}]`)));
  const behavior = objOf(spec.behavior);
  errs.push(...validateRules(behavior.scaleUp, 'spec.behavior.scaleUp'));
  errs.push(...validateRules(behavior.scaleDown, 'spec.behavior.scaleDown'));
  return errs;
}

export function validateHorizontalPodAutoscalerUpdate(hpa: KObject, old: KObject): FieldError[] {
  return [
    ...validateObjectMetaUpdate(hpa.metadata, old.metadata),
    ...validateHorizontalPodAutoscaler(hpa),
  ];
}
