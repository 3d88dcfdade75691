// GET and LIST: consistent reads, selectors, paging and resourceVersion semantics.
import type { KObject } from '../../api/types';
import { errors } from '../errors';
import { targetOf, type ApiContext } from '../context';
import { parseFilter } from './filter';
import { renderList, renderObject } from './render';
import { failureToError } from './failures';

export async function getObject(ctx: ApiContext, name: string): Promise<KObject> {
  const r = ctx.info.resource;
  const obj = await ctx.store.get(r, r.namespaced ? ctx.info.namespace : undefined, name);
  if (!obj) throw errors.notFound(targetOf(ctx, name));
  return obj;
}

export async function handleGet(ctx: ApiContext): Promise<Response> {
  const rv = ctx.query.get('resourceVersion') ?? '';
  if (rv === '' || rv === '0') return renderObject(ctx, await getObject(ctx, ctx.info.name!));
  // k8s: cacher.go Get waits for its watch cache to reach the resourceVersion, then refuses.
  const r = ctx.info.resource;
  const name = ctx.info.name!;
  const res = await ctx.store.getNotOlderThan(
    r,
    r.namespaced ? ctx.info.namespace : undefined,
    name,
    rv,
  );
  if (!res.ok) throw failureToError(ctx, res, name);
  if (!res.value) throw errors.notFound(targetOf(ctx, name));
  return renderObject(ctx, res.value);
}

/**
 * Upper bound on store pages read to fill one page of a list with a `limit` (a selector may match
 * few objects; the client then gets fewer items and a continue token). A list without a limit
 * reads every page: Kubernetes returns the whole collection then.
 */
const MAX_FILL_ROUNDS = 20;

export async function listObjects(
  ctx: ApiContext,
  opts: { limit?: number; continue?: string } = {},
): Promise<{ items: KObject[]; resourceVersion: string; continue?: string }> {
  const r = ctx.info.resource;
  const q = ctx.query;
  const filter = parseFilter(r, q);
  const limit = opts.limit ?? (q.get('limit') ? Number(q.get('limit')) : undefined);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
    throw errors.badRequest('limit must be a non-negative integer');
  const rv = q.get('resourceVersion') ?? '';
  const match = q.get('resourceVersionMatch') ?? '';
  if (match && !['Exact', 'NotOlderThan'].includes(match))
    throw errors.badRequest(
      `resourceVersionMatch must be Exact or NotOlderThan, not ${JSON.stringify(match)}`,
    );
  if (match && !rv)
    throw errors.badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (match === 'Exact' && rv === '0')
    throw errors.badRequest('resourceVersionMatch "Exact" is forbidden for resourceVersion "0"');
  let cont = opts.continue ?? q.get('continue') ?? undefined;
  if (cont && rv && rv !== '0')
    throw errors.badRequest('specifying resource version is not allowed when using continue');
  const items: KObject[] = [];
  let resourceVersion = '';
  for (let round = 0; !limit || round < MAX_FILL_ROUNDS; round++) {
    const want = limit ? limit - items.length : undefined;
    const res = await ctx.store.list(r, {
      namespace: r.namespaced ? ctx.info.namespace : undefined,
      limit: want && !filter.empty ? Math.max(want, 50) : want,
      continue: cont,
      exact: match === 'Exact' && !cont ? rv : undefined,
      // A state at least this new; one the store has not reached gets a short wait, then 504.
      notOlderThan: match !== 'Exact' && !cont && rv !== '0' ? rv || undefined : undefined,
    });
    if (!res.ok) throw failureToError(ctx, res);
    resourceVersion ||= res.value.resourceVersion;
    for (const o of res.value.items) {
      if (!filter.matches(o)) continue;
      items.push(o);
    }
    cont = res.value.continue;
    if (!cont || (limit && items.length >= limit)) break;
  }
  if (limit && items.length > limit) {
    // Filled past the limit from a larger store page: the token must resume after the last kept item.
    const keep = items.slice(0, limit);
    const page = await ctx.store.continueAfter(r, resourceVersion, keep[keep.length - 1]);
    return { items: keep, resourceVersion, continue: page };
  }
  return { items, resourceVersion, continue: cont };
}

export async function handleList(ctx: ApiContext): Promise<Response> {
  const page = await listObjects(ctx);
  return renderList(ctx, page.items, {
    resourceVersion: page.resourceVersion,
    continue: page.continue,
  });
}
