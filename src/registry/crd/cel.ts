// CEL validation rules of CRD schemas (x-kubernetes-validations), evaluated with
// @marcbachmann/cel-js: `self` is the value at the rule's node, `oldSelf` the stored value there
// (transition rules run only on updates that have one). Failures are worded as upstream:
// `<path>: Invalid value: "<schema type>": <message>` (or Forbidden/Required/Duplicate by reason).
// k8s: staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go
import { parse } from '@marcbachmann/cel-js';
import type { JSONSchemaProps } from '../../api/crd';
import type { FieldError } from '../field-errors';

type Rule = NonNullable<JSONSchemaProps['x-kubernetes-validations']>[number] & {
  fieldPath?: string;
  reason?: string;
};
type Program = ReturnType<typeof parse>;

const compiled = new Map<string, Program | Error>();

/** Parses a rule once per isolate; a syntax error comes back as an Error. */
export function compileRule(expr: string): Program | Error {
  let p = compiled.get(expr);
  if (!p) {
    try {
      p = parse(expr);
    } catch (e) {
      p = e instanceof Error ? e : new Error(String(e));
    }
    if (compiled.size > 5000) compiled.clear();
    compiled.set(expr, p);
  }
  return p;
}

const usesOldSelf = (expr: string) => /\boldSelf\b/.test(expr);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** JSON as CEL sees it: integers of integer (and int-or-string) fields as int, other numbers double. */
function toCel(v: unknown, s: JSONSchemaProps | undefined): unknown {
  if (typeof v === 'number') {
    const integral =
      s?.type === 'integer' ||
      s?.['x-kubernetes-int-or-string'] ||
      (!s?.type && Number.isInteger(v));
    return integral && Number.isInteger(v) ? BigInt(v) : v;
  }
  if (Array.isArray(v)) return v.map((x) => toCel(x, s?.items));
  if (isObject(v)) {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      const ap = s?.additionalProperties;
      out[k] = toCel(x, s?.properties?.[k] ?? (isObject(ap) ? (ap as JSONSchemaProps) : undefined));
    }
    return out;
  }
  return v;
}

function typeName(s: JSONSchemaProps, v: unknown): string {
  if (s.type) return s.type;
  if (Array.isArray(v)) return 'array';
  if (isObject(v)) return 'object';
  return typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
}

function failure(rule: Rule, path: string, value: string, detail: string): FieldError {
  const field = rule.fieldPath
    ? `${path}${rule.fieldPath.startsWith('[') ? '' : '.'}${rule.fieldPath.replace(/^\./, '')}`
    : path;
  switch (rule.reason) {
    case 'FieldValueForbidden':
      return { type: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
    case 'FieldValueRequired':
      return { type: 'FieldValueRequired', field, message: `Required value: ${detail}` };
    case 'FieldValueDuplicate':
      return { type: 'FieldValueDuplicate', field, message: `Duplicate value: ${detail}` };
    default:
      return {
        type: 'FieldValueInvalid',
        field,
        message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
      };
  }
}

function runRules(
  s: JSONSchemaProps,
  v: unknown,
  old: unknown,
  path: string,
  errs: FieldError[],
): void {
  for (const rule of (s['x-kubernetes-validations'] ?? []) as Rule[]) {
    const transition = usesOldSelf(rule.rule);
    if (transition && old === undefined) continue;
    const program = compileRule(rule.rule);
    const type = typeName(s, v);
    if (program instanceof Error) {
      errs.push(failure(rule, path, type, `compilation failed: ${program.message.split('\n')[0]}`));
      continue;
    }
    let result: unknown;
    try {
      result = program({ self: toCel(v, s), ...(transition ? { oldSelf: toCel(old, s) } : {}) });
    } catch (e) {
      errs.push(
        failure(rule, path, type, `evaluation error: ${(e as Error).message.split('\n')[0]}`),
      );
      continue;
    }
    if (result === true) continue;
    let message = rule.message || `failed rule: ${rule.rule}`;
    if (rule.messageExpression) {
      const mp = compileRule(rule.messageExpression);
      if (!(mp instanceof Error)) {
        try {
          const m = mp({ self: toCel(v, s), ...(transition ? { oldSelf: toCel(old, s) } : {}) });
          if (typeof m === 'string' && m.trim()) message = m;
        } catch {
          // upstream falls back to message (or the rule) when messageExpression fails
        }
      }
    }
    errs.push(failure(rule, path, type, message));
  }
}

function walk(
  v: unknown,
  old: unknown,
  s: JSONSchemaProps,
  path: string,
  errs: FieldError[],
): void {
  if (v === undefined || v === null) return;
  runRules(s, v, old, path, errs);
  if (isObject(v)) {
    const oldObj = isObject(old) ? old : undefined;
    for (const [k, x] of Object.entries(v)) {
      if (!path && k === 'metadata') continue;
      const prop = s.properties?.[k];
      const ap = s.additionalProperties;
      const child = prop ?? (isObject(ap) ? (ap as JSONSchemaProps) : undefined);
      if (child) walk(x, oldObj?.[k], child, path ? `${path}.${k}` : k, errs);
    }
  } else if (Array.isArray(v) && s.items) {
    // Items of map lists correlate with the stored item of the same keys; others have no oldSelf.
    const keys =
      s['x-kubernetes-list-type'] === 'map' ? (s['x-kubernetes-list-map-keys'] ?? []) : [];
    const olds = Array.isArray(old) ? old : [];
    v.forEach((item, i) => {
      const prev = keys.length
        ? olds.find((o) => isObject(o) && isObject(item) && keys.every((k) => o[k] === item[k]))
        : undefined;
      walk(item, prev, s.items!, `${path}[${i}]`, errs);
    });
  }
}

/** Every failing rule of the object (and, on update, transition rules against the stored one). */
export function validateRules(
  obj: unknown,
  old: unknown,
  schema: JSONSchemaProps | undefined,
): FieldError[] {
  const errs: FieldError[] = [];
  if (schema && hasRules(schema)) walk(obj, old, schema, '', errs);
  return errs;
}

const ruleCache = new WeakMap<JSONSchemaProps, boolean>();

/** Whether any node of the schema carries rules (most CRDs have none: skip the walk). */
export function hasRules(s: JSONSchemaProps): boolean {
  let found = ruleCache.get(s);
  if (found === undefined) {
    const ap = s.additionalProperties;
    found =
      !!s['x-kubernetes-validations']?.length ||
      Object.values(s.properties ?? {}).some(hasRules) ||
      (s.items ? hasRules(s.items) : false) ||
      (isObject(ap) ? hasRules(ap as JSONSchemaProps) : false);
    ruleCache.set(s, found);
  }
  return found;
}

/** Compile errors of every rule in a CRD schema, for the CRD's own validation. */
export function ruleCompileErrors(s: JSONSchemaProps, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = s['x-kubernetes-validations'];
  (Array.isArray(rules) ? rules : []).forEach((r, i) => {
    const f = `${field}.x-kubernetes-validations[${i}]`;
    if (!r || typeof r.rule !== 'string' || !r.rule) {
      errs.push({ type: 'FieldValueRequired', field: `${f}.rule`, message: 'Required value' });
      return;
    }
    const p = compileRule(r.rule);
    if (p instanceof Error)
      errs.push({
        type: 'FieldValueInvalid',
        field: `${f}.rule`,
        message: `Invalid value: ${JSON.stringify(r.rule)}: compilation failed: ${p.message.split('\n')[0]}`,
      });
  });
  for (const [k, p] of Object.entries(s.properties ?? {}))
    errs.push(...ruleCompileErrors(p, `${field}.properties[${k}]`));
  if (s.items) errs.push(...ruleCompileErrors(s.items, `${field}.items`));
  const ap = s.additionalProperties;
  if (isObject(ap))
    errs.push(...ruleCompileErrors(ap as JSONSchemaProps, `${field}.additionalProperties`));
  return errs;
}
