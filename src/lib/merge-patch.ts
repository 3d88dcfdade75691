// RFC 7386 JSON Merge Patch (application/merge-patch+json): applying one, and computing one.
import { deepClone, jsonEqual, setMember } from './json-patch';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Objects merge member by member, a null member deletes, anything else (arrays included)
 * replaces. Pure: neither argument is mutated and the result shares no structure with them.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return deepClone(patch);
  const out: Record<string, unknown> = isObject(target) ? deepClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else
      setMember(out, key, applyMergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value));
  }
  return out;
}

/**
 * The merge patch that turns original into modified, so that
 * applyMergePatch(original, createMergePatch(original, modified)) equals modified.
 * As RFC 7386 itself, it cannot express a null value inside an object: null means delete.
 */
export function createMergePatch(original: unknown, modified: unknown): unknown {
  if (!isObject(original) || !isObject(modified)) return deepClone(modified);
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(original)) {
    if (!Object.hasOwn(modified, key)) setMember(patch, key, null);
  }
  for (const [key, value] of Object.entries(modified)) {
    if (!Object.hasOwn(original, key)) setMember(patch, key, deepClone(value));
    else if (!jsonEqual(original[key], value))
      setMember(patch, key, createMergePatch(original[key], value));
  }
  return patch;
}
