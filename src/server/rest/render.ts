// Response rendering: objects and lists as JSON, or as meta.k8s.io Tables for kubectl get.
import type { KObject } from '../../api/types';
import { groupVersion } from '../../api/resources';
import { buildTable, printerFor } from '../../registry/tables';
import { pickRendering } from '../negotiate';
import { errors } from '../errors';
import type { ApiContext } from '../context';
import { toView } from './view';
import { boolParam } from '../query-params';

export function json(ctx: ApiContext, body: unknown, status = 200): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  // k8s: ?pretty=true indents as json.MarshalIndent(obj, "", "  ") (apiserver's serializer, Pretty).
  const text = boolParam(ctx.query, 'pretty') ? JSON.stringify(body, null, 2) : JSON.stringify(body);
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
    return json(ctx, buildTable(printerFor(r.group, r.resource), [obj], { now: Date.now(), includeObject: includeObject(ctx), apiVersion: groupVersion(r), kind: r.kind }), status);
  }
  return json(ctx, obj, status);
}

export function renderList(ctx: ApiContext, items: KObject[], meta: { resourceVersion: string; continue?: string }): Response {
  const r = ctx.info.resource;
  const view = items.map((o) => toView(r, o));
  const rendering = pickRendering(ctx.request.headers.get('accept'));
  if (rendering?.as === 'table') {
    return json(ctx, buildTable(printerFor(r.group, r.resource), view, { ...meta, now: Date.now(), includeObject: includeObject(ctx), apiVersion: groupVersion(r), kind: r.kind }));
  }
  // List items carry no kind/apiVersion, as the real apiserver's do.
  const listItems = view.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  const metadata: Record<string, string> = { resourceVersion: meta.resourceVersion };
  if (meta.continue) metadata.continue = meta.continue;
  return json(ctx, { kind: r.listKind, apiVersion: groupVersion(r), metadata, items: listItems });
}
