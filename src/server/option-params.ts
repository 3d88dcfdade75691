// The non-boolean option parameters every verb shares (dryRun, fieldManager, timeoutSeconds,
// resourceVersion), checked once before any handler runs: a value Kubernetes refuses must never be
// read as "absent" (dryRun=Bogus would otherwise write for real, deletecollection included).
import { fieldErr, type FieldError } from '../registry/field-errors';
import { errors } from './errors';

/** The options struct Kubernetes validates for each verb, as its errors name it. */
const OPTIONS_KIND: Record<string, string> = {
  create: 'CreateOptions',
  update: 'UpdateOptions',
  patch: 'PatchOptions',
  delete: 'DeleteOptions',
  deletecollection: 'DeleteOptions',
};

const MAX_FIELD_MANAGER = 128;

function invalidOptions(kind: string, errs: FieldError[], group = 'meta.k8s.io') {
  return errors.invalid({ resource: '', group, name: '' }, kind, errs);
}

/** Throws the Status Kubernetes answers for the first bad option parameter of this verb. */
export function checkOptionParams(query: URLSearchParams, verb: string, subresource = ''): void {
  if (subresource === 'log') return checkLogOptions(query);
  const kind = OPTIONS_KIND[verb];
  if (kind) {
    // k8s: staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go ValidateDryRun
    const dryRun = query.getAll('dryRun');
    if (dryRun.some((v) => v !== 'All')) {
      throw invalidOptions(kind, [fieldErr.notSupported('dryRun', dryRun, ['All'])]);
    }
  }
  if (verb === 'create' || verb === 'update' || verb === 'patch') {
    // k8s: same file, ValidateFieldManager
    const manager = query.get('fieldManager');
    if (manager !== null) {
      if (manager.length > MAX_FIELD_MANAGER) {
        throw invalidOptions(kind, [
          {
            type: 'FieldValueTooLong',
            field: 'fieldManager',
            message: `Too long: may not be more than ${MAX_FIELD_MANAGER} bytes`,
          },
        ]);
      }
      if (/[\p{C}]/u.test(manager))
        throw invalidOptions(kind, [
          fieldErr.invalid('fieldManager', manager, 'invalid characters'),
        ]);
    }
  }
  if (verb === 'list' || verb === 'watch' || verb === 'deletecollection' || verb === 'get') {
    // ListOptions' integers convert from the query as Go parses an int64: anything else is a 400.
    for (const name of ['timeoutSeconds', 'limit']) {
      const v = query.get(name);
      if (v !== null && !/^[+-]?\d+$/.test(v))
        throw errors.badRequest(
          `invalid value ${JSON.stringify(v)} for query parameter "${name}": not an integer`,
        );
    }
    // k8s: staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go GetList: "invalid resource version".
    // Ours are revisions, "<partition>:<revision>", or one revision per partition joined by dots.
    const rv = query.get('resourceVersion');
    if (rv !== null && rv !== '' && !/^\d+([.:]\d+)*$/.test(rv))
      throw errors.badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** PodLogOptions, before any log is read. k8s: pkg/apis/core/validation/validation.go ValidatePodLogOptions */
function checkLogOptions(query: URLSearchParams): void {
  const ints: Record<string, number> = {};
  for (const name of ['tailLines', 'limitBytes', 'sinceSeconds']) {
    const v = query.get(name);
    if (v === null) continue;
    if (!/^[+-]?\d+$/.test(v))
      throw errors.badRequest(
        `invalid value ${JSON.stringify(v)} for query parameter "${name}": not an integer`,
      );
    ints[name] = Number(v);
  }
  const sinceTime = query.get('sinceTime');
  if (sinceTime !== null && !RFC3339.test(sinceTime))
    throw errors.badRequest(
      `invalid value ${JSON.stringify(sinceTime)} for query parameter "sinceTime": not an RFC 3339 time`,
    );
  const errs: FieldError[] = [];
  if (ints.tailLines !== undefined && ints.tailLines < 0)
    errs.push(fieldErr.invalid('tailLines', ints.tailLines, 'must be greater than or equal to 0'));
  if (ints.limitBytes !== undefined && ints.limitBytes < 1)
    errs.push(fieldErr.invalid('limitBytes', ints.limitBytes, 'must be greater than 0'));
  if (ints.sinceSeconds !== undefined) {
    if (sinceTime !== null)
      errs.push(
        fieldErr.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'),
      );
    else if (ints.sinceSeconds < 1)
      errs.push(fieldErr.invalid('sinceSeconds', ints.sinceSeconds, 'must be greater than 0'));
  }
  if (errs.length) throw invalidOptions('PodLogOptions', errs, '');
}
