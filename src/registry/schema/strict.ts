// Strict decoding against our schemas: unknown fields, duplicate fields and JSON type mismatches, worded as Go reports them.
import { type FieldError } from '../field-errors';
import { INT_OR_STRING, QUANTITY, type Schema, ref, refName } from './dsl';
import { definitionName, resolveSchema, schemaForKind, schemaKind } from './index';

// k8s: staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go (the parse error it returns)
const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const QUANTITY_MSG =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

interface Walk {
  unknown: string[];
  /** The same unknown fields as key paths: a key may itself hold dots or brackets. */
  unknownKeys: (string | number)[][];
  typeErrors: FieldError[];
}

/** Where the walker is: Kubernetes' path (with indexes) and Go's (field names only, inside `struct`). */
interface At {
  path: string;
  goPath: string;
  struct: string;
  keys: (string | number)[];
}

/** Go's name for a JSON value in "cannot unmarshal <value>". */
function jsonWord(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Go's type name for a schema, as printed in decode errors: int32, []v1.Container, map[string]string, v1.PodSpec. */
function goType(prop: Schema): string {
  const name = refName(prop);
  if (name) {
    const parts = name.split('.');
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  const s = resolveSchema(prop);
  switch (s.type) {
    case 'array':
      return '[]' + goType(s.items!);
    case 'object':
      return s.additionalProperties
        ? 'map[string]' + goType(s.additionalProperties)
        : 'map[string]interface {}';
    case 'integer':
      return s.format === 'int64' ? 'int64' : 'int32';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    default:
      return s.format === 'byte' ? '[]uint8' : 'string';
  }
}

function structName(prop: Schema): string {
  const name = refName(prop) ?? '';
  return name.slice(name.lastIndexOf('.') + 1);
}

function fail(w: Walk, at: At, message: string): void {
  w.typeErrors.push({ type: 'FieldValueTypeInvalid', field: at.path, message });
}

function mismatch(w: Walk, at: At, value: unknown, prop: Schema, word = jsonWord(value)): void {
  const where = at.goPath ? `Go struct field ${at.struct}.${at.goPath}` : 'Go value';
  fail(w, at, `json: cannot unmarshal ${word} into ${where} of type ${goType(prop)}`);
}

function checkInteger(w: Walk, at: At, v: number, prop: Schema, format?: string): void {
  const fits = Number.isInteger(v) && (format === 'int64' || (v >= INT32_MIN && v <= INT32_MAX));
  if (!fits) mismatch(w, at, v, prop, `number ${v}`);
}

function checkString(w: Walk, at: At, v: unknown, prop: Schema, s: Schema): void {
  if (typeof v !== 'string') return mismatch(w, at, v, prop);
  if (s.format === 'date-time' && !RFC3339_RE.test(v)) {
    fail(
      w,
      at,
      `parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": not an RFC 3339 time`,
    );
  } else if (
    s.format === 'byte' &&
    (v.replace(/\s/g, '').length % 4 !== 0 || !BASE64_RE.test(v.replace(/\s/g, '')))
  ) {
    fail(
      w,
      at,
      `illegal base64 data in ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '...' : v)}`,
    );
  }
}

function walk(w: Walk, v: unknown, prop: Schema, at: At): void {
  if (v === null) return; // Go leaves the zero value for null, whatever the type.
  const s = resolveSchema(prop);
  const name = refName(prop);
  if (name === QUANTITY) {
    if (typeof v === 'number') return;
    if (typeof v !== 'string' || !QUANTITY_RE.test(v.trim())) fail(w, at, QUANTITY_MSG);
    return;
  }
  if (name === INT_OR_STRING) {
    if (typeof v === 'string') return;
    if (typeof v === 'number') return checkInteger(w, at, v, prop);
    return mismatch(w, at, v, prop);
  }
  switch (schemaKind(s)) {
    case 'string':
      return checkString(w, at, v, prop, s);
    case 'integer':
      return typeof v === 'number'
        ? checkInteger(w, at, v, prop, s.format)
        : mismatch(w, at, v, prop);
    case 'number':
      return typeof v === 'number' ? undefined : mismatch(w, at, v, prop);
    case 'boolean':
      return typeof v === 'boolean' ? undefined : mismatch(w, at, v, prop);
    case 'array':
      if (!Array.isArray(v)) return mismatch(w, at, v, prop);
      v.forEach((item, i) =>
        walk(w, item, s.items!, { ...at, path: `${at.path}[${i}]`, keys: [...at.keys, i] }),
      );
      return;
    case 'map':
      if (typeof v !== 'object' || Array.isArray(v)) return mismatch(w, at, v, prop);
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        walk(w, item, s.additionalProperties!, {
          ...at,
          path: `${at.path}[${k}]`,
          keys: [...at.keys, k],
        });
      }
      return;
    case 'object':
      if (typeof v !== 'object' || Array.isArray(v)) return mismatch(w, at, v, prop);
      walkStruct(w, v as Record<string, unknown>, s, structName(prop) || at.struct, at);
      return;
    default:
      return; // free-form: anything goes
  }
}

function walkStruct(w: Walk, v: Record<string, unknown>, s: Schema, struct: string, at: At): void {
  for (const [key, value] of Object.entries(v)) {
    const path = at.path ? `${at.path}.${key}` : key;
    const child = s.properties![key];
    if (!child) {
      w.unknown.push(path);
      w.unknownKeys.push([...at.keys, key]);
      continue;
    }
    walk(w, value, child, {
      path,
      goPath: at.goPath ? `${at.goPath}.${key}` : key,
      struct,
      keys: [...at.keys, key],
    });
  }
}

function inspect(obj: unknown, apiVersion: string, kind: string): Walk {
  const w: Walk = { unknown: [], unknownKeys: [], typeErrors: [] };
  const root = schemaForKind(apiVersion, kind);
  if (!root) return w; // no schema (custom resources): nothing to be strict about
  const top: At = { path: '', goPath: '', struct: kind, keys: [] };
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    if (obj !== null) mismatch(w, top, obj, ref(definitionName(apiVersion, kind)!));
    return w;
  }
  walkStruct(w, obj as Record<string, unknown>, root, kind, top);
  return w;
}

/**
 * Fields the schema does not know, in Kubernetes' wording: `spec.template.spec.containers[0].bogusField`.
 * Maps and free-form fields accept any key. Kinds without a schema report nothing.
 */
export function findUnknownFields(obj: unknown, apiVersion: string, kind: string): string[] {
  return inspect(obj, apiVersion, kind).unknown;
}

/** findUnknownFields with each field's key path too, to remove it whatever characters its keys hold. */
export function findUnknownFieldKeys(
  obj: unknown,
  apiVersion: string,
  kind: string,
): { path: string; keys: (string | number)[] }[] {
  const w = inspect(obj, apiVersion, kind);
  return w.unknown.map((path, i) => ({ path, keys: w.unknownKeys[i] }));
}

/**
 * Values of the wrong JSON type (a string where an int32 is required, a malformed quantity or time), which Go's
 * decoder rejects before validation. The server answers 400 BadRequest with
 * `<Kind> in version "<v>" cannot be handled as a <Kind>: <message>`. Messages are Go's text; struct-field ones
 * name the field themselves, the others (quantity, time, base64) rely on `field` to say where.
 */
export function findTypeErrors(obj: unknown, apiVersion: string, kind: string): FieldError[] {
  return inspect(obj, apiVersion, kind).typeErrors;
}

/**
 * Keys repeated within one JSON object of a request body, as `metadata.name` paths. JSON.parse keeps the last
 * silently, so this works on the raw text. Invalid JSON reports nothing (the parse itself fails elsewhere).
 */
export function findDuplicateFields(json: string): string[] {
  const dups: string[] = [];
  let i = 0;
  const ws = () => {
    while (i < json.length && ' \t\r\n'.includes(json[i])) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (i < json.length && json[i] !== '"') i += json[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(json.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = json[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (json[i] === '}') return void i++;
      for (;;) {
        ws();
        if (json[i] !== '"') throw new Error('bad json');
        const key = str();
        const keyPath = path ? `${path}.${key}` : key;
        if (seen.has(key)) dups.push(keyPath);
        seen.add(key);
        ws();
        if (json[i++] !== ':') throw new Error('bad json');
        value(keyPath);
        ws();
        if (json[i] === ',') i++;
        else if (json[i++] === '}') return;
        else throw new Error('bad json');
      }
    } else if (c === '[') {
      i++;
      ws();
      if (json[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (json[i] === ',') i++;
        else if (json[i++] === ']') return;
        else throw new Error('bad json');
      }
    } else if (c === '"') {
      str();
    } else {
      while (i < json.length && !',]} \t\r\n'.includes(json[i])) i++;
    }
  };
  try {
    value('');
  } catch {
    return [];
  }
  return dups;
}
