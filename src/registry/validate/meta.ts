// ObjectMeta validation on create and update, and the label, annotation and selector rules kinds reuse.
// k8s: staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go,
//      staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go
import { fieldErr, path, type FieldError } from '../field-errors';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
} from '../../lib/validation';
import {
  asArr,
  asNum,
  asObj,
  asStr,
  byteLength,
  immutable,
  invalidEach,
  nonNegative,
  objOf,
  type Obj,
} from './fields';

/** Checks a name; prefix=true when it is a generateName that gets a suffix appended. */
export type NameValidator = (name: string, prefix: boolean) => string[];

// A generateName may end in '-' because a random suffix follows it.
const maskTrailingDash = (n: string) =>
  n.length > 1 && n.endsWith('-') ? `${n.slice(0, -1)}a` : n;

export const nameIsDNSSubdomain: NameValidator = (n, prefix) =>
  isDNS1123Subdomain(prefix ? maskTrailingDash(n) : n);
export const nameIsDNSLabel: NameValidator = (n, prefix) =>
  isDNS1123Label(prefix ? maskTrailingDash(n) : n);
export const nameIsDNS1035Label: NameValidator = (n, prefix) =>
  isDNS1035Label(prefix ? maskTrailingDash(n) : n);

export interface MetaOptions {
  namespaced: boolean;
  nameFn: NameValidator;
  /** Core and apps kinds also require unqualified finalizers to be the standard ones. */
  kubeFinalizers?: boolean;
}

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateObjectMeta(
  metaIn: unknown,
  opts: MetaOptions,
  fld = 'metadata',
): FieldError[] {
  const meta = objOf(metaIn);
  const errs: FieldError[] = [];
  const generateName = asStr(meta.generateName);
  if (generateName)
    errs.push(
      ...invalidEach(
        opts.nameFn(generateName, true),
        path.child(fld, 'generateName'),
        generateName,
      ),
    );
  const name = asStr(meta.name);
  if (!name)
    errs.push(fieldErr.required(path.child(fld, 'name'), 'name or generateName is required'));
  else errs.push(...invalidEach(opts.nameFn(name, false), path.child(fld, 'name'), name));

  const ns = asStr(meta.namespace);
  if (opts.namespaced) {
    if (!ns) errs.push(fieldErr.required(path.child(fld, 'namespace')));
    else errs.push(...invalidEach(nameIsDNSLabel(ns, false), path.child(fld, 'namespace'), ns));
  } else if (ns) {
    errs.push(fieldErr.forbidden(path.child(fld, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...nonNegative(meta.generation, path.child(fld, 'generation')));
  errs.push(...validateMetaCommon(meta, opts, fld));
  return errs;
}

export function validateObjectMetaUpdate(
  newIn: unknown,
  oldIn: unknown,
  opts?: Pick<MetaOptions, 'kubeFinalizers'>,
  fld = 'metadata',
): FieldError[] {
  const n = objOf(newIn);
  const o = objOf(oldIn);
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const oldFin = new Set(asArr(o.finalizers).map(asStr));
    const extra = asArr(n.finalizers)
      .map(asStr)
      .filter((f) => !oldFin.has(f));
    if (extra.length) {
      const list = [...new Set(extra)]
        .sort()
        .map((f) => JSON.stringify(f))
        .join(', ');
      errs.push(
        fieldErr.forbidden(
          path.child(fld, 'finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${list}}`,
        ),
      );
    }
  }
  // The server fills resourceVersion in for unconditional updates before validating, as Kubernetes does.
  if (!asStr(n.resourceVersion)) {
    errs.push(
      fieldErr.invalid(
        path.child(fld, 'resourceVersion'),
        asStr(n.resourceVersion),
        'must be specified for an update',
      ),
    );
  }
  const ng = asNum(n.generation) ?? 0;
  if (ng < (asNum(o.generation) ?? 0))
    errs.push(fieldErr.invalid(path.child(fld, 'generation'), ng, 'must not be decremented'));
  for (const f of [
    'name',
    'namespace',
    'uid',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
  ]) {
    errs.push(...immutable(n[f], o[f], path.child(fld, f)));
  }
  errs.push(...validateMetaCommon(n, { kubeFinalizers: opts?.kubeFinalizers }, fld));
  return errs;
}

function validateMetaCommon(
  meta: Obj,
  opts: Pick<MetaOptions, 'kubeFinalizers'>,
  fld: string,
): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabels(meta.labels, path.child(fld, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child(fld, 'annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, path.child(fld, 'ownerReferences')));
  errs.push(
    ...validateFinalizers(
      meta.finalizers,
      path.child(fld, 'finalizers'),
      opts.kubeFinalizers !== false,
    ),
  );
  return errs;
}

export function validateLabelName(key: string, fld: string): FieldError[] {
  return invalidEach(isQualifiedName(key), fld, key);
}

/** Label errors name the whole map as the field, as Kubernetes does. */
export function validateLabels(labelsIn: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(objOf(labelsIn))) {
    errs.push(...validateLabelName(k, fld));
    errs.push(...invalidEach(isValidLabelValue(asStr(v)), fld, v));
  }
  return errs;
}

export function validateAnnotations(annIn: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(objOf(annIn))) {
    // Annotation keys are qualified names compared case-insensitively.
    errs.push(...invalidEach(isQualifiedName(k.toLowerCase()), fld, k));
    total += byteLength(k) + byteLength(asStr(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT)
    errs.push(fieldErr.tooLong(fld, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

// k8s: the v1 Event kind may never own anything (BannedOwners).
function validateOwnerReferences(refsIn: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const r of asArr(refsIn).map(objOf)) {
    const apiVersion = asStr(r.apiVersion);
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    if (!version)
      errs.push(
        fieldErr.invalid(path.child(fld, 'apiVersion'), apiVersion, 'version must not be empty'),
      );
    if (!asStr(r.kind))
      errs.push(fieldErr.invalid(path.child(fld, 'kind'), asStr(r.kind), 'must not be empty'));
    if (!asStr(r.name))
      errs.push(fieldErr.invalid(path.child(fld, 'name'), asStr(r.name), 'must not be empty'));
    if (!asStr(r.uid))
      errs.push(fieldErr.invalid(path.child(fld, 'uid'), asStr(r.uid), 'must not be empty'));
    if (group === '' && version === 'v1' && r.kind === 'Event') {
      errs.push(fieldErr.invalid(fld, r, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (r.controller === true) {
      const cur = `${asStr(r.kind)}/${asStr(r.name)}`;
      if (firstController) {
        errs.push(
          fieldErr.invalid(
            fld,
            refsIn,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`,
          ),
        );
      } else firstController = cur;
    }
  }
  return errs;
}

function validateFinalizers(finIn: unknown, fld: string, kube: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const fins = asArr(finIn).map(asStr);
  fins.forEach((f, i) => {
    errs.push(...invalidEach(isQualifiedName(f), fld, f));
    if (kube && !f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(
        fieldErr.invalid(
          path.index(fld, i),
          f,
          'name is neither a standard finalizer name nor is it fully qualified',
        ),
      );
    }
  });
  if (fins.includes('orphan') && fins.includes('foregroundDeletion')) {
    errs.push(
      fieldErr.invalid(fld, fins, 'finalizer orphan and foregroundDeletion cannot be both set'),
    );
  }
  return errs;
}

export function validateQualifiedName(value: string, fld: string): FieldError[] {
  return invalidEach(isQualifiedName(value), fld, value);
}

// k8s: staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go ValidateLabelSelector
export function validateLabelSelector(selIn: unknown, fld: string): FieldError[] {
  const sel = asObj(selIn);
  if (!sel) return [];
  const errs: FieldError[] = [];
  asArr(sel.matchExpressions).forEach((reqIn, i) => {
    const req = objOf(reqIn);
    const p = path.index(path.child(fld, 'matchExpressions'), i);
    const values = asArr(req.values);
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (!values.length)
          errs.push(
            fieldErr.required(
              path.child(p, 'values'),
              "must be specified when `operator` is 'In' or 'NotIn'",
            ),
          );
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length)
          errs.push(
            fieldErr.forbidden(
              path.child(p, 'values'),
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        break;
      default:
        errs.push(
          fieldErr.invalid(
            path.child(p, 'operator'),
            req.operator,
            'not a valid selector operator',
          ),
        );
    }
    errs.push(...validateLabelName(asStr(req.key), path.child(p, 'key')));
    values.forEach((v, j) =>
      errs.push(
        ...invalidEach(isValidLabelValue(asStr(v)), path.index(path.child(p, 'values'), j), v),
      ),
    );
  });
  errs.push(...validateLabels(sel.matchLabels, path.child(fld, 'matchLabels')));
  return errs;
}
