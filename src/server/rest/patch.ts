// PATCH: JSON patch, merge patch, strategic merge patch, and server-side apply.
import type { KObject } from '../../api/types';
import { applyJsonPatch, PatchError as JsonPatchError } from '../../lib/json-patch';
import { applyMergePatch } from '../../lib/merge-patch';
import { applyStrategicMergePatch, PatchError } from '../../lib/strategic-merge-patch';
import { applyServerSide, conflictCauses, formatConflictMessage } from '../../lib/managed-fields';
import { navFor } from '../../registry/schema';
import { definitionFor } from '../../registry/registry';
import { ApiError, errors } from '../errors';
import { targetOf, type ApiContext } from '../context';
import { decodePatchBody, mediaType, readBody } from '../body';
import { decodeAs, expectedKind } from './decode';
import { checkResourceVersion, updateObject } from './update';
import { createObject } from './create';
import { fromView, toView } from './view';
import { timestamp } from './objects';
import { boolParam } from '../query-params';

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/**
 * Patches the object at ctx.info.name. `project`/`embed` let subresources (scale) patch a view of
 * the object rather than the object itself.
 */
export async function patchObject(
  ctx: ApiContext,
  view?: {
    project: (o: KObject) => KObject;
    embed: (o: KObject, v: KObject) => KObject;
    kind: { apiVersion: string; kind: string };
  },
): Promise<{ object: KObject; created: boolean }> {
  const type = mediaType(ctx.request);
  // Custom resources have no Go types to carry patch strategies: no strategic merge patch, as upstream.
  const accepted = definitionFor(ctx.info.resource).custom
    ? PATCH_TYPES.filter((t) => t !== 'application/strategic-merge-patch+json')
    : PATCH_TYPES;
  if (!accepted.includes(type)) {
    throw errors.unsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    );
  }
  const patch = decodePatchBody(await readBody(ctx.request), type);
  const r = ctx.info.resource;
  const name = ctx.info.name!;
  const kind = view?.kind ?? expectedKind(ctx);
  const apply = type === 'application/apply-patch+yaml';
  const manager = ctx.query.get('fieldManager') ?? (apply ? '' : 'unknown');
  if (apply && !manager)
    throw errors.badRequest(
      'PATCH with an apply patch (application/apply-patch+yaml) requires the fieldManager parameter',
    );
  const force = boolParam(ctx.query, 'force');
  if (!apply && ctx.query.has('force'))
    throw errors.badRequest('force may only be set for apply patches');

  if (apply) {
    // An apply configuration names its type in full: the apiserver refuses one without apiVersion or
    // kind instead of filling them in from the URL (k8s: fieldmanager's Apply, "Incorrect version
    // specified in apply patch", and unstructured's "Object 'Kind' is missing").
    const typed = patch as { apiVersion?: unknown; kind?: unknown } | null;
    if (typed && typeof typed === 'object' && !Array.isArray(typed)) {
      if (typed.apiVersion === undefined || typed.apiVersion === '') {
        throw errors.badRequest(
          `Incorrect version specified in apply patch. Specified patch version: , expected: ${kind.apiVersion}`,
        );
      }
      if (typed.kind === undefined || typed.kind === '')
        throw errors.badRequest(`Object 'Kind' is missing in apply patch`);
    }
    const applied = decodeAs(ctx, structuredClone(patch), kind);
    const existing = await ctx.store.get(r, r.namespaced ? ctx.info.namespace : undefined, name);
    // Server-side apply creates what is missing, but never through a subresource: applying to the
    // status of a missing object is 404 (k8s: each StatusREST.Update, e.g. pkg/registry/core/pod/
    // storage/storage.go, passes forceAllowCreate=false).
    if (!existing && !view && ctx.info.subresource === '') {
      const res = applyServerSide({
        live: undefined,
        applied,
        manager,
        force,
        nav: navFor(kind.apiVersion, kind.kind),
        now: timestamp(),
      });
      if ('conflicts' in res) throw conflictError(ctx, res.conflicts);
      const obj = fromView(r, res.object as KObject);
      obj.metadata.name ??= name;
      return {
        object: await createObject(ctx, obj, {
          manager,
          managedFields: res.managedFields as never,
        }),
        created: true,
      };
    }
  }

  const object = await updateObject(ctx, name, {
    manager,
    skipManagedFields: apply,
    mutate: (cur) => {
      const live = view ? view.project(cur) : toView(r, cur);
      let next: KObject;
      try {
        if (type === 'application/json-patch+json') next = applyJsonPatch(live, patch) as KObject;
        else if (type === 'application/merge-patch+json')
          next = applyMergePatch(live, patch) as KObject;
        else if (type === 'application/strategic-merge-patch+json')
          next = applyStrategicMergePatch(
            live,
            patch,
            navFor(kind.apiVersion, kind.kind),
          ) as KObject;
        else {
          const res = applyServerSide({
            live,
            applied: decodeAs(ctx, structuredClone(patch), kind),
            manager,
            force,
            nav: navFor(kind.apiVersion, kind.kind),
            now: timestamp(),
          });
          if ('conflicts' in res) throw conflictError(ctx, res.conflicts);
          next = res.object as KObject;
          next.metadata.managedFields = res.managedFields as never;
        }
      } catch (e) {
        if (e instanceof ApiError) throw e;
        if (e instanceof PatchError || e instanceof JsonPatchError)
          throw errors.invalid(targetOf(ctx, name), r.kind, [
            { type: 'FieldValueInvalid', field: '', message: e.message },
          ]);
        throw errors.badRequest(`unable to apply the patch: ${(e as Error).message}`);
      }
      // k8s: endpoints/handlers/patch.go checkName: a patch that drops or renames metadata.name is
      // refused, never refilled from the URL.
      const patchedName = (next as { metadata?: { name?: unknown } } | null)?.metadata?.name;
      if (patchedName !== name) {
        throw errors.badRequest(
          `the name of the object (${typeof patchedName === 'string' ? patchedName : ''}) does not match the name on the URL (${name})`,
        );
      }
      if (!apply) next = decodeAs(ctx, next, kind);
      const rv = next.metadata?.resourceVersion;
      if (rv) checkResourceVersion(ctx, name, rv, cur);
      return view ? view.embed(cur, next) : fromView(r, next);
    },
  });
  return { object, created: false };
}

function conflictError(ctx: ApiContext, conflicts: Parameters<typeof conflictCauses>[0]): ApiError {
  const t = targetOf(ctx);
  return new ApiError(409, 'Conflict', formatConflictMessage(conflicts), {
    name: t.name,
    group: t.group || undefined,
    kind: t.resource,
    causes: conflictCauses(conflicts).map((c) => ({
      reason: c.type,
      message: c.message,
      field: c.field,
    })),
  });
}
