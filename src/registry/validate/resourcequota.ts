// ResourceQuota and LimitRange validation.
// k8s: pkg/apis/core/validation/validation.go ValidateResourceQuota, ValidateLimitRange
import { SUPPORTED_SCOPES } from '../../api/quota';
import type { KObject } from '../../api/types';
import { parseQuantity } from '../../lib/quantity';
import { isQualifiedName } from '../../lib/validation';
import { fieldErr, type FieldError } from '../field-errors';
import { asArr, asStr, isSet, objOf } from './fields';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta';

const META = { namespaced: true, nameFn: nameIsDNSSubdomain };
const LIMIT_TYPES = ['Container', 'PersistentVolumeClaim', 'Pod'];

function quantities(mapIn: unknown, f: string, nameOk: (n: string) => boolean): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, v] of Object.entries(objOf(mapIn))) {
    const at = `${f}[${name}]`;
    const bad = isQualifiedName(name);
    if (bad.length || !nameOk(name)) {
      errs.push(
        fieldErr.invalid(at, name, bad[0] ?? 'must be a standard resource type or fully qualified'),
      );
      continue;
    }
    try {
      if (parseQuantity(String(v)).sign() < 0)
        errs.push(fieldErr.invalid(at, v, 'must be greater than or equal to 0'));
    } catch (e) {
      errs.push(fieldErr.invalid(at, v, e instanceof Error ? e.message : String(e)));
    }
  }
  return errs;
}

const quotaName = (n: string) =>
  n.includes('/') ||
  n.startsWith('hugepages-') ||
  n.startsWith('requests.hugepages-') ||
  [
    'cpu',
    'memory',
    'ephemeral-storage',
    'requests.cpu',
    'requests.memory',
    'requests.ephemeral-storage',
    'limits.cpu',
    'limits.memory',
    'limits.ephemeral-storage',
    'pods',
    'services',
    'replicationcontrollers',
    'resourcequotas',
    'secrets',
    'configmaps',
    'persistentvolumeclaims',
    'requests.storage',
    'services.nodeports',
    'services.loadbalancers',
  ].includes(n);

/** k8s: pkg/apis/core/helper IsResourceQuotaScopeValidForResource. */
const POD_COUNT = ['pods'];
const POD_COMPUTE = [
  'cpu',
  'memory',
  'limits.cpu',
  'limits.memory',
  'requests.cpu',
  'requests.memory',
];
function scopeFitsResource(scope: string, resource: string): boolean {
  if (scope === 'BestEffort') return POD_COUNT.includes(resource);
  if (SUPPORTED_SCOPES.includes(scope))
    return POD_COUNT.includes(resource) || POD_COMPUTE.includes(resource);
  return true;
}
/** k8s: IsStandardQuotaResourceName: the names quotas know, the count/ ones excluded. */
const standardName = (n: string) => !n.includes('/') && quotaName(n);
/** Scopes that exclude each other. */
const CONFLICTS = [
  ['BestEffort', 'NotBestEffort'],
  ['Terminating', 'NotTerminating'],
];
const EXISTS_ONLY = [
  'Terminating',
  'NotTerminating',
  'BestEffort',
  'NotBestEffort',
  'CrossNamespacePodAffinity',
];

// k8s: validation.go validateResourceQuotaScopes
function validateScopes(spec: Record<string, unknown>, hard: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const scopes = asArr(spec.scopes).map(asStr);
  if (!scopes.length) return errs;
  scopes.forEach((s, i) => {
    if (!SUPPORTED_SCOPES.includes(s))
      errs.push(fieldErr.notSupported(`spec.scopes[${i}]`, s, SUPPORTED_SCOPES));
    if (hard.some((k) => standardName(k) && !scopeFitsResource(s, k)))
      errs.push(
        fieldErr.invalid('spec.scopes', spec.scopes, 'unsupported scope applied to resource'),
      );
  });
  for (const pair of CONFLICTS)
    if (pair.every((p) => scopes.includes(p)))
      errs.push(fieldErr.invalid('spec.scopes', spec.scopes, 'conflicting scopes'));
  return errs;
}

// k8s: validation.go validateScopedResourceSelectorRequirement
function validateScopeSelector(spec: Record<string, unknown>, hard: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (!isSet(spec.scopeSelector)) return errs;
  const f = 'spec.scopeSelector.matchExpressions';
  const names: string[] = [];
  for (const reqIn of asArr(objOf(spec.scopeSelector).matchExpressions)) {
    const req = objOf(reqIn);
    const scope = asStr(req.scopeName);
    const op = asStr(req.operator);
    const values = asArr(req.values);
    if (!SUPPORTED_SCOPES.includes(scope))
      errs.push(fieldErr.invalid(`${f}.scopeName`, req.scopeName, 'unsupported scope'));
    if (hard.some((k) => standardName(k) && !scopeFitsResource(scope, k)))
      errs.push(fieldErr.invalid(f, spec.scopeSelector, 'unsupported scope applied to resource'));
    if (EXISTS_ONLY.includes(scope) && op !== 'Exists')
      errs.push(
        fieldErr.invalid(
          `${f}.operator`,
          req.operator,
          "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
        ),
      );
    if (op === 'In' || op === 'NotIn') {
      if (!values.length)
        errs.push(
          fieldErr.required(
            `${f}.values`,
            "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
          ),
        );
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length)
        errs.push(
          fieldErr.invalid(
            `${f}.values`,
            req.values,
            "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
          ),
        );
    } else
      errs.push(fieldErr.invalid(`${f}.operator`, req.operator, 'not a valid selector operator'));
    names.push(scope);
  }
  for (const pair of CONFLICTS)
    if (pair.every((p) => names.includes(p)))
      errs.push(fieldErr.invalid(f, spec.scopes, 'conflicting scopes'));
  return errs;
}

export function validateResourceQuota(q: KObject): FieldError[] {
  const errs = validateObjectMeta(q.metadata, META);
  const spec = objOf(q.spec);
  errs.push(...quantities(spec.hard, 'spec.hard', quotaName));
  const hard = Object.keys(objOf(spec.hard)).sort();
  errs.push(...validateScopes(spec, hard), ...validateScopeSelector(spec, hard));
  const status = objOf(q.status);
  errs.push(...quantities(status.hard, 'status.hard', quotaName));
  errs.push(...quantities(status.used, 'status.used', quotaName));
  return errs;
}

export function validateResourceQuotaUpdate(q: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(q.metadata, old.metadata), ...validateResourceQuota(q)];
  // k8s: ValidateResourceQuotaUpdate: the scopes cannot change.
  const set = (o: KObject) => [...new Set(asArr(objOf(o.spec).scopes).map(asStr))].sort();
  if (JSON.stringify(set(q)) !== JSON.stringify(set(old)))
    errs.push(fieldErr.invalid('spec.scopes', objOf(q.spec).scopes, 'field is immutable'));
  return errs;
}

const milli = (v: unknown) => parseQuantity(String(v)).milli();

function compare(item: Record<string, unknown>, f: string): FieldError[] {
  const errs: FieldError[] = [];
  const get = (k: string) => objOf(item[k]);
  const [min, max, def, defReq, ratio] = [
    'min',
    'max',
    'default',
    'defaultRequest',
    'maxLimitRequestRatio',
  ].map(get);
  const names = new Set([min, max, def, defReq, ratio].flatMap((m) => Object.keys(m)));
  for (const k of names) {
    try {
      if (min[k] !== undefined && max[k] !== undefined && milli(min[k]) > milli(max[k]))
        errs.push(
          fieldErr.invalid(
            `${f}.min[${k}]`,
            min[k],
            `min value ${min[k]} is greater than max value ${max[k]}`,
          ),
        );
      if (defReq[k] !== undefined && min[k] !== undefined && milli(min[k]) > milli(defReq[k]))
        errs.push(
          fieldErr.invalid(
            `${f}.defaultRequest[${k}]`,
            defReq[k],
            `min value ${min[k]} is greater than default request value ${defReq[k]}`,
          ),
        );
      if (defReq[k] !== undefined && max[k] !== undefined && milli(defReq[k]) > milli(max[k]))
        errs.push(
          fieldErr.invalid(
            `${f}.defaultRequest[${k}]`,
            defReq[k],
            `default request value ${defReq[k]} is greater than max value ${max[k]}`,
          ),
        );
      if (defReq[k] !== undefined && def[k] !== undefined && milli(defReq[k]) > milli(def[k]))
        errs.push(
          fieldErr.invalid(
            `${f}.defaultRequest[${k}]`,
            defReq[k],
            `default request value ${defReq[k]} is greater than default limit value ${def[k]}`,
          ),
        );
      if (def[k] !== undefined && min[k] !== undefined && milli(min[k]) > milli(def[k]))
        errs.push(
          fieldErr.invalid(
            `${f}.default[${k}]`,
            def[k],
            `min value ${min[k]} is greater than default value ${def[k]}`,
          ),
        );
      if (def[k] !== undefined && max[k] !== undefined && milli(def[k]) > milli(max[k]))
        errs.push(
          fieldErr.invalid(
            `${f}.default[${k}]`,
            def[k],
            `default value ${def[k]} is greater than max value ${max[k]}`,
          ),
        );
      if (ratio[k] !== undefined && milli(ratio[k]) < 1000)
        errs.push(
          fieldErr.invalid(
            `${f}.maxLimitRequestRatio[${k}]`,
            ratio[k],
            `ratio ${ratio[k]} is less than 1`,
          ),
        );
      if (
        ratio[k] !== undefined &&
        min[k] !== undefined &&
        max[k] !== undefined &&
        milli(min[k]) > 0
      ) {
        const most = milli(max[k]) / milli(min[k]);
        if (milli(ratio[k]) / 1000 > most)
          errs.push(
            fieldErr.invalid(
              `${f}.maxLimitRequestRatio[${k}]`,
              ratio[k],
              `ratio ${ratio[k]} is greater than max/min = ${most.toFixed(6)}`,
            ),
          );
      }
    } catch {
      // a bad quantity is reported by quantities()
    }
  }
  return errs;
}

export function validateLimitRange(lr: KObject): FieldError[] {
  const errs = validateObjectMeta(lr.metadata, META);
  const ok = (n: string) =>
    n.includes('/') ||
    ['cpu', 'memory', 'ephemeral-storage', 'storage'].includes(n) ||
    n.startsWith('hugepages-');
  asArr(objOf(lr.spec).limits).forEach((itemIn, i) => {
    const item = objOf(itemIn);
    const f = `spec.limits[${i}]`;
    const type = asStr(item.type);
    if (!LIMIT_TYPES.includes(type))
      errs.push(fieldErr.notSupported(`${f}.type`, item.type, LIMIT_TYPES));
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'])
      errs.push(...quantities(item[k], `${f}.${k}`, ok));
    if (type === 'Pod' && Object.keys(objOf(item.default)).length)
      errs.push(fieldErr.forbidden(`${f}.default`, "may not be specified when `type` is 'Pod'"));
    if (type === 'Pod' && Object.keys(objOf(item.defaultRequest)).length)
      errs.push(
        fieldErr.forbidden(`${f}.defaultRequest`, "may not be specified when `type` is 'Pod'"),
      );
    errs.push(...compare(item, f));
  });
  return errs;
}

export function validateLimitRangeUpdate(lr: KObject, old: KObject): FieldError[] {
  return [...validateObjectMetaUpdate(lr.metadata, old.metadata), ...validateLimitRange(lr)];
}
