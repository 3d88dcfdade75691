// Readers over untyped JSON objects and the small checks every validator shares.
import { fieldErr, type FieldError, type FieldErrorType } from '../field-errors';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const asObj = (v: unknown): Obj | undefined => (isObj(v) ? v : undefined);
/** An object to read from: a missing or mistyped value reads as {} so validators never throw. */
export const objOf = (v: unknown): Obj => (isObj(v) ? v : {});
export const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asStr = (v: unknown): string => (typeof v === 'string' ? v : '');
export const asNum = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
/** Set in the Go sense of a non-nil pointer: present and not null. */
export const isSet = (v: unknown): boolean => v !== undefined && v !== null;

// k8s: staging/src/k8s.io/apimachinery/pkg/api/validation/generic.go
export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const FIELD_IMMUTABLE = 'field is immutable';

export function inclusiveRange(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

export function nonNegative(value: unknown, field: string): FieldError[] {
  return typeof value === 'number' && value < 0
    ? [fieldErr.invalid(field, value, IS_NEGATIVE)]
    : [];
}

/** One Invalid error per message, the way Go loops over validation.IsXxx results. */
export function invalidEach(messages: string[], field: string, value: unknown): FieldError[] {
  return messages.map((m) => fieldErr.invalid(field, value, m));
}

/**
 * field.NotFound. FieldErrorType has no 'FieldValueNotFound' member, so the type is asserted here;
 * the wire reason is still the one Kubernetes sends.
 */
export function notFound(field: string, value: unknown, detail = ''): FieldError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null);
  return {
    type: 'FieldValueNotFound' as FieldErrorType,
    field,
    message: `Not found: ${shown}${detail ? `: ${detail}` : ''}`,
  };
}

/** An error with extra detail appended, as Go does when a caller sets err.Detail. */
export function withDetail(err: FieldError, detail: string): FieldError {
  return { ...err, message: `${err.message}: ${detail}` };
}

export function immutable(newVal: unknown, oldVal: unknown, field: string): FieldError[] {
  return semanticEqual(newVal, oldVal) ? [] : [fieldErr.invalid(field, newVal, FIELD_IMMUTABLE)];
}

/**
 * Equality after decoding into Go structs: absent, null, empty lists and empty maps are the same
 * (apimachinery's Semantic.DeepEqual treats nil and empty alike). With zeroIsAbsent, "", 0 and false
 * also equal absent, which is what a non-pointer struct field cannot tell apart.
 */
export function semanticEqual(a: unknown, b: unknown, zeroIsAbsent = false): boolean {
  return JSON.stringify(normalize(a, zeroIsAbsent)) === JSON.stringify(normalize(b, zeroIsAbsent));
}

function normalize(v: unknown, zeroIsAbsent: boolean): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    const items = v.map((x) => normalize(x, zeroIsAbsent) ?? null);
    return items.length ? items : undefined;
  }
  if (isObj(v)) {
    const out: Obj = {};
    for (const k of Object.keys(v).sort()) {
      const n = normalize(v[k], zeroIsAbsent);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (zeroIsAbsent && (v === '' || v === 0 || v === false)) return undefined;
  return v;
}

const encoder = new TextEncoder();
/** Length in bytes, as Go's len() counts a string. */
export const byteLength = (s: string): number => encoder.encode(s).length;

/** Bytes a base64 string decodes to, without decoding it. */
export function base64DecodedLength(b64: string): number {
  const s = b64.replace(/\s/g, '');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return Math.floor((s.length * 3) / 4) - pad;
}
