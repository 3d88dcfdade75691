// Response rendering: objects and lists as JSON, or as meta.k8s.io Tables for kubectl get.
import type { KObject } from '../../api/types';
import { groupVersion } from '../../api/resources';
import { buildTable } from '../../registry/tables';
import { defaultPrinter } from '../../registry/tables/default';
import { definitionFor } from '../../registry/registry';
import { pickRendering } from '../negotiate';
import { errors } from '../errors';
import type { ApiContext } from '../context';
import { toView } from './view';
import { boolParam } from '../query-params';

export function json(ctx: ApiContext, body: unknown, status = 200): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  // k8s: ?pretty=true indents as json.MarshalIndent(obj, "", "  ") (apiserver's serializer, Pretty).
  const text = boolParam(ctx.query, 'pretty')
    ? JSON.stringify(body, null, 2)
    : JSON.stringify(body);
  const res = new Response(text, { status, headers });
  for (const w of ctx.warnings) res.headers.append('Warning', `299 - ${JSON.stringify(w)}`);
  return res;
}

export function includeObject(ctx: ApiContext): 'None' | 'Metadata' | 'Object' {
  const v = ctx.query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

export function renderObject(ctx: ApiContext, stored: KObject, status = 200): Response {
  const r = ctx.info.resource;
  const obj = toView(r, stored);
  const rendering = pickRendering(ctx.request.headers.get('accept'));
  if (rendering?.as === 'table') {
    return json(
      ctx,
      buildTable(definitionFor(r).printer ?? defaultPrinter, [obj], {
        now: Date.now(),
        includeObject: includeObject(ctx),
        apiVersion: groupVersion(r),
        kind: r.kind,
      }),
      status,
    );
  }
  return json(ctx, obj, status);
}

// k8s: the registries that set ReturnDeletedObject (pods, services, namespaces, serviceaccounts).
const RETURNS_DELETED_OBJECT = new Set(['/pods', '/services', '/namespaces', '/serviceaccounts']);

/**
 * The answer to a DELETE: an object that lingers (finalizers, a grace period) is returned as it now
 * stands; one removed at once is a Status Success naming it, except for the kinds whose registries
 * return the deleted object. Typed clients (Python's delete_* return V1Status) read that Status.
 */
// k8s: staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go finalizeDelete
export function renderDeleted(ctx: ApiContext, obj: KObject, removed: boolean): Response {
  const r = ctx.info.resource;
  if (!removed || RETURNS_DELETED_OBJECT.has(`${r.group}/${r.resource}`))
    return renderObject(ctx, obj);
  const details = {
    name: obj.metadata.name,
    group: r.group || undefined,
    kind: r.resource,
    uid: obj.metadata.uid,
  };
  return json(ctx, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
}

export function renderList(
  ctx: ApiContext,
  items: KObject[],
  meta: { resourceVersion: string; continue?: string },
): Response {
  const r = ctx.info.resource;
  const view = items.map((o) => toView(r, o));
  const rendering = pickRendering(ctx.request.headers.get('accept'));
  if (rendering?.as === 'table') {
    return json(
      ctx,
      buildTable(definitionFor(r).printer ?? defaultPrinter, view, {
        ...meta,
        now: Date.now(),
        includeObject: includeObject(ctx),
        apiVersion: groupVersion(r),
        kind: r.kind,
      }),
    );
  }
  // List items carry no kind/apiVersion, as the real apiserver's do.
  const listItems = view.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  const metadata: Record<string, string> = { resourceVersion: meta.resourceVersion };
  if (meta.continue) metadata.continue = meta.continue;
  return json(ctx, { kind: r.listKind, apiVersion: groupVersion(r), metadata, items: listItems });
}
