// Structural schemas of custom resources: pruning of unknown fields, defaulting, and validation
// that collects every error (types, required, enum, pattern, bounds, int-or-string, ...), worded
// as the apiextensions apiserver words them.
// k8s: staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/{pruning,defaulting}
// and pkg/apiserver/validation/validation.go (kube-openapi's messages turned into field errors).
import type { JSONSchemaProps } from '../../api/crd';
import { deepEqual } from '../../lib/json';
import type { FieldError } from '../field-errors';
import { compileRe2 } from './re2';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** The fields at the root of every object that a CRD's schema need not (and may not fully) describe. */
const ROOT_META = new Set(['apiVersion', 'kind', 'metadata']);

const child = (base: string, name: string) => (base ? `${base}.${name}` : name);

// --- pruning ---------------------------------------------------------------------------------

export interface PrunedField {
  /** As Kubernetes prints it: `spec.foo`, `spec.items[0].bar`. */
  path: string;
  keys: (string | number)[];
}

/**
 * Removes every field the schema does not specify (unless x-kubernetes-preserve-unknown-fields),
 * in place, and says which. The root's apiVersion, kind and metadata always stay.
 */
export function prune(obj: Json, schema: JSONSchemaProps | undefined): PrunedField[] {
  const out: PrunedField[] = [];
  if (!schema) return out;
  pruneValue(obj, schema, '', [], true, out);
  return out;
}

/** Properties a schema allows at this level, through allOf/anyOf/oneOf (structural: same shape). */
function propertiesOf(s: JSONSchemaProps): Record<string, JSONSchemaProps> | undefined {
  let props = s.properties;
  for (const sub of [...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])]) {
    if (sub.properties) props = { ...sub.properties, ...(props ?? {}) };
  }
  return props;
}

function pruneValue(
  v: unknown,
  s: JSONSchemaProps,
  path: string,
  keys: (string | number)[],
  root: boolean,
  out: PrunedField[],
): void {
  if (Array.isArray(v)) {
    if (s.items)
      v.forEach((item, i) => pruneValue(item, s.items!, `${path}[${i}]`, [...keys, i], false, out));
    return;
  }
  if (!isObject(v)) return;
  // An embedded object keeps its apiVersion, kind and metadata as the root does.
  const embedded = root || s['x-kubernetes-embedded-resource'] === true;
  const props = propertiesOf(s);
  const additional = s.additionalProperties;
  for (const k of Object.keys(v)) {
    const p = `${child(path, k)}`;
    const prop = props?.[k];
    if (prop) {
      pruneValue(v[k], prop, p, [...keys, k], false, out);
    } else if (isObject(additional)) {
      pruneValue(v[k], additional, p, [...keys, k], false, out);
    } else if (embedded && ROOT_META.has(k)) {
      // metadata is ObjectMeta, validated as such; apiVersion and kind are checked on decode.
    } else if (!s['x-kubernetes-preserve-unknown-fields'] && additional !== true) {
      delete v[k];
      out.push({ path: p, keys: [...keys, k] });
    }
  }
}

// --- defaulting ------------------------------------------------------------------------------

/**
 * Fills `default`s of absent fields, in place, walking into objects, maps and arrays that are
 * present. A null where the schema is not nullable is dropped first, so its default applies.
 */
export function applyDefaults(obj: unknown, schema: JSONSchemaProps | undefined): void {
  if (schema) defaultValue(obj, schema);
}

function defaultValue(v: unknown, s: JSONSchemaProps): void {
  if (Array.isArray(v)) {
    if (s.items) for (const item of v) defaultValue(item, s.items);
    return;
  }
  if (!isObject(v)) return;
  const props = propertiesOf(s);
  for (const [k, prop] of Object.entries(props ?? {})) {
    if (v[k] === null && !prop.nullable && prop.default !== undefined) delete v[k];
    if (v[k] === undefined && prop.default !== undefined) v[k] = structuredClone(prop.default);
    if (v[k] !== undefined) defaultValue(v[k], prop);
  }
  if (isObject(s.additionalProperties)) {
    for (const k of Object.keys(v)) if (!props?.[k]) defaultValue(v[k], s.additionalProperties);
  }
}

// --- validation ------------------------------------------------------------------------------

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined || v === null) return 'null';
  if (Array.isArray(v)) return '[]interface {}{...}';
  if (isObject(v)) return 'map[string]interface {}{...}';
  return String(v);
}

const invalid = (field: string, value: unknown, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${showValue(value)}: ${detail}`,
});

/** Validates the whole object against the schema; every error, in document order. */
export function validateSchema(obj: unknown, schema: JSONSchemaProps | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (schema) validateValue(obj, schema, '', true, errs);
  return errs;
}

function typeMatches(v: unknown, s: JSONSchemaProps): boolean {
  if (v === null) return s.nullable === true;
  if (s['x-kubernetes-int-or-string'])
    return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  switch (s.type) {
    case undefined:
    case '':
      return true;
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

function validateValue(
  v: unknown,
  s: JSONSchemaProps,
  path: string,
  root: boolean,
  errs: FieldError[],
): void {
  const name = path || '<root>';
  if (!typeMatches(v, s)) {
    const want = s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type!;
    errs.push({
      type: 'FieldValueTypeInvalid',
      field: path,
      message: `Invalid value: ${JSON.stringify(typeName(v))}: ${name} in body must be of type ${want}: ${JSON.stringify(typeName(v))}`,
    });
    return;
  }
  if (v === null) return;

  if (s.enum && !s.enum.some((e) => deepEqual(e, v))) {
    const values = s.enum.map((e) =>
      typeof e === 'string' ? JSON.stringify(e) : JSON.stringify(e),
    );
    errs.push({
      type: 'FieldValueNotSupported',
      field: path,
      message: `Unsupported value: ${showValue(v)}: supported values: ${values.join(', ')}`,
    });
  }

  if (typeof v === 'string') validateString(v, s, path, name, errs);
  if (typeof v === 'number') validateNumber(v, s, path, name, errs);
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems)
      errs.push({
        type: 'FieldValueTooMany',
        field: path,
        message: `Too many: ${v.length}: must have at most ${s.maxItems} items`,
      });
    if (s.minItems !== undefined && v.length < s.minItems)
      errs.push(invalid(path, v, `${name} in body should have at least ${s.minItems} items`));
    if (s.uniqueItems && v.some((x, i) => v.findIndex((y) => deepEqual(x, y)) !== i))
      errs.push(invalid(path, v, `${name} in body shouldn't contain duplicates`));
    if (s.items)
      v.forEach((item, i) => validateValue(item, s.items!, `${path}[${i}]`, false, errs));
    validateListType(v, s, path, errs);
  }
  if (isObject(v)) {
    const n = Object.keys(v).length;
    if (s.maxProperties !== undefined && n > s.maxProperties)
      errs.push({
        type: 'FieldValueTooMany',
        field: path,
        message: `Too many: ${n}: must have at most ${s.maxProperties} items`,
      });
    if (s.minProperties !== undefined && n < s.minProperties)
      errs.push(
        invalid(path, v, `${name} in body should have at least ${s.minProperties} properties`),
      );
    for (const r of s.required ?? []) {
      if (v[r] === undefined)
        errs.push({ type: 'FieldValueRequired', field: child(path, r), message: 'Required value' });
    }
    for (const [k, value] of Object.entries(v)) {
      if (root && k === 'metadata') continue;
      const prop = s.properties?.[k];
      if (prop) validateValue(value, prop, child(path, k), false, errs);
      else if (isObject(s.additionalProperties))
        validateValue(value, s.additionalProperties, child(path, k), false, errs);
    }
  }
  validateCombinators(v, s, path, name, errs);
}

/** Go's %#v of a decoded JSON value, as upstream prints a duplicate map-list key. */
function goValue(v: unknown): string {
  if (isObject(v))
    return `map[string]interface {}{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${goValue(x)}`)
      .join(', ')}}`;
  return JSON.stringify(v);
}

// k8s: apiextensions-apiserver/pkg/apiserver/schema/listtype/validation.go
function validateListType(
  v: unknown[],
  s: JSONSchemaProps,
  path: string,
  errs: FieldError[],
): void {
  const type = s['x-kubernetes-list-type'];
  if (type === 'set') {
    v.forEach((x, i) => {
      if (v.findIndex((y) => deepEqual(x, y)) !== i)
        errs.push({
          type: 'FieldValueDuplicate',
          field: `${path}[${i}]`,
          message: `Duplicate value: ${showValue(x)}`,
        });
    });
  } else if (type === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const keyOf = (x: unknown) =>
      isObject(x)
        ? Object.fromEntries(keys.filter((k) => x[k] !== undefined).map((k) => [k, x[k]]))
        : x;
    v.forEach((x, i) => {
      const key = keyOf(x);
      if (v.findIndex((y) => deepEqual(keyOf(y), key)) !== i)
        errs.push({
          type: 'FieldValueDuplicate',
          field: `${path}[${i}]`,
          message: `Duplicate value: ${goValue(key)}`,
        });
    });
  }
}

function validateString(
  v: string,
  s: JSONSchemaProps,
  path: string,
  name: string,
  errs: FieldError[],
): void {
  // Lengths count characters (runes), as Go's validator does.
  const len = [...v].length;
  if (s.maxLength !== undefined && len > s.maxLength)
    errs.push({
      type: 'FieldValueTooLong',
      field: path,
      message: `Too long: may not be more than ${s.maxLength} bytes`,
    });
  if (s.minLength !== undefined && len < s.minLength)
    errs.push(invalid(path, v, `${name} in body should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined) {
    // RE2, as Go's validator: linear time, so a pattern cannot stall the API (no ReDoS).
    const re = compileRe2(s.pattern);
    if (!(re instanceof Error) && !re.matcher(v).find())
      errs.push(invalid(path, v, `${name} in body should match '${s.pattern}'`));
  }
  const formatError = checkFormat(v, s.format);
  if (formatError)
    errs.push(
      invalid(path, v, `${name} in body must be of type ${s.format}: ${JSON.stringify(v)}`),
    );
}

// The formats the apiextensions apiserver checks (a subset of kube-openapi's strfmt registry).
const FORMATS: Record<string, RegExp> = {
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  uuid: /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/,
  byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  ipv4: /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/,
};

function checkFormat(v: string, format: string | undefined): boolean {
  const re = format ? FORMATS[format] : undefined;
  return !!re && !re.test(v);
}

function validateNumber(
  v: number,
  s: JSONSchemaProps,
  path: string,
  name: string,
  errs: FieldError[],
): void {
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)
      errs.push(
        invalid(
          path,
          v,
          `${name} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`,
        ),
      );
  }
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)
      errs.push(
        invalid(
          path,
          v,
          `${name} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`,
        ),
      );
  }
  if (s.multipleOf !== undefined && s.multipleOf !== 0 && !Number.isInteger(v / s.multipleOf))
    errs.push(invalid(path, v, `${name} in body should be a multiple of ${s.multipleOf}`));
}

function validateCombinators(
  v: unknown,
  s: JSONSchemaProps,
  path: string,
  name: string,
  errs: FieldError[],
): void {
  const passes = (sub: JSONSchemaProps) => {
    const e: FieldError[] = [];
    validateValue(v, { type: s.type, ...sub }, path, false, e);
    return e;
  };
  for (const sub of s.allOf ?? []) errs.push(...passes(sub));
  if (s.anyOf?.length && !s.anyOf.some((sub) => passes(sub).length === 0))
    errs.push(invalid(path, v, `${name} in body must validate at least one schema (anyOf)`));
  if (s.oneOf?.length && s.oneOf.filter((sub) => passes(sub).length === 0).length !== 1)
    errs.push(invalid(path, v, `${name} in body must validate one and only one schema (oneOf)`));
  if (s.not && passes(s.not).length === 0)
    errs.push(invalid(path, v, `${name} in body must not validate the schema (not)`));
}
