// Turns a request body into an object of the requested kind: kind checks and field validation.
import type { KObject } from '../../api/types';
import { groupVersion } from '../../api/resources';
import { findTypeErrors, findUnknownFieldKeys } from '../../registry/schema/strict';
import { definitionFor } from '../../registry/registry';
import { errors } from '../errors';
import type { ApiContext } from '../context';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidation(ctx: ApiContext): FieldValidation {
  const v = ctx.query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw errors.badRequest(
    `fieldValidation must be one of Strict, Warn or Ignore, not ${JSON.stringify(v)}`,
  );
}

/**
 * Checks apiVersion and kind, reports wrong JSON types (400, as Go's decoder does), and handles
 * unknown fields per fieldValidation: Strict refuses them, Warn adds Warning headers, Ignore drops them.
 * Unknown fields are never stored.
 */
export function decodeAs(
  ctx: ApiContext,
  body: unknown,
  expect: { apiVersion: string; kind: string },
): KObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.badRequest(`the body of the request must be a ${expect.kind} object`);
  }
  const obj = body as KObject;
  if (obj.apiVersion !== undefined && obj.apiVersion !== expect.apiVersion) {
    throw errors.badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expect.apiVersion})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== expect.kind) {
    throw errors.badRequest(
      `the kind in the data (${String(obj.kind)}) does not match the expected kind (${expect.kind})`,
    );
  }
  obj.apiVersion = expect.apiVersion;
  obj.kind = expect.kind;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
    throw errors.badRequest(
      `${expect.kind} in version "${expect.apiVersion.split('/').pop()}" cannot be handled as a ${expect.kind}: metadata must be an object`,
    );
  }
  // A custom resource decodes as an unstructured object: its schema's type errors are a 422 from
  // validation, and its unknown fields are those pruning removes.
  const custom =
    expect.kind === ctx.info.resource.kind ? definitionFor(ctx.info.resource).custom : undefined;
  const typeErrors = custom ? [] : findTypeErrors(obj, expect.apiVersion, expect.kind);
  if (typeErrors.length > 0) {
    const version = expect.apiVersion.split('/').pop();
    throw errors.badRequest(
      `${expect.kind} in version "${version}" cannot be handled as a ${expect.kind}: ${typeErrors.map((e) => `${e.field}: ${e.message}`).join(', ')}`,
      typeErrors.map((e) => ({
        reason: 'FieldValueTypeInvalid',
        message: e.message,
        field: e.field,
      })),
    );
  }
  const mode = fieldValidation(ctx);
  const found = custom
    ? custom.unknownFields(obj)
    : findUnknownFieldKeys(obj, expect.apiVersion, expect.kind);
  const unknown = found.map((f) => f.path);
  if (unknown.length > 0) {
    if (mode === 'Strict') {
      const version = expect.apiVersion.split('/').pop();
      throw errors.badRequest(
        `${expect.kind} in version "${version}" cannot be handled as a ${expect.kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`,
        unknown.map((u) => ({
          reason: 'FieldValueInvalid',
          message: `unknown field "${u}"`,
          field: u,
        })),
      );
    }
    if (mode === 'Warn') for (const u of unknown) ctx.warnings.push(`unknown field "${u}"`);
    for (const f of found) removeKeys(obj, f.keys);
  }
  return obj;
}

export function expectedKind(ctx: ApiContext): { apiVersion: string; kind: string } {
  return { apiVersion: groupVersion(ctx.info.resource), kind: ctx.info.resource.kind };
}

/**
 * Removes a field by its key path. Not by its printed path: a key may hold dots or brackets
 * (`{"[a, b]": 1}`, `{"x.y": 1}`), and parsing the printed form would keep the field, or delete another.
 */
export function removeKeys(obj: unknown, keys: (string | number)[]): void {
  let cur: unknown = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<string | number, unknown>)[keys[i]];
  }
  if (keys.length > 0 && cur && typeof cur === 'object')
    delete (cur as Record<string | number, unknown>)[keys[keys.length - 1]];
}
