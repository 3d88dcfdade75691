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

export function validateResourceQuota(q: KObject): FieldError[] {
  const errs = validateObjectMeta(q.metadata, META);
  const spec = objOf(q.spec);
  errs.push(...quantities(spec.hard, 'spec.hard', quotaName));
  asArr(spec.scopes).forEach((s, i) => {
    if (!SUPPORTED_SCOPES.includes(asStr(s)))
      errs.push(fieldErr.notSupported(`spec.scopes[${i}]`, s, SUPPORTED_SCOPES));
  });
  if (isSet(spec.scopeSelector))
    errs.push(
      fieldErr.forbidden(
        'spec.scopeSelector',
        'scope selectors (PriorityClass, CrossNamespacePodAffinity) are not supported by edgeplane yet; use spec.scopes',
      ),
    );
  const status = objOf(q.status);
  errs.push(...quantities(status.hard, 'status.hard', quotaName));
  errs.push(...quantities(status.used, 'status.used', quotaName));
  return errs;
}

export function validateResourceQuotaUpdate(q: KObject, old: KObject): FieldError[] {
  return [...validateObjectMetaUpdate(q.metadata, old.metadata), ...validateResourceQuota(q)];
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
