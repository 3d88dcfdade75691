// DELETE: preconditions, graceful deletion (the kind's strategy), finalizers and propagation policies.
import type { KObject } from '../../api/types';
import { errors } from '../errors';
import { isDryRun, targetOf, type ApiContext } from '../context';
import { timestamp } from './objects';
import { definitionFor } from '../../registry/registry';
import { failureToError } from './failures';
import { admitDelete, afterDelete } from '../admission';
import { notifyWrite } from '../wake';
import { boolParam } from '../query-params';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
}

export function parseDeleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const o: DeleteOptions = body && typeof body === 'object' ? { ...(body as DeleteOptions) } : {};
  const g = query.get('gracePeriodSeconds');
  if (g !== null) o.gracePeriodSeconds = Number(g);
  const p = query.get('propagationPolicy');
  if (p) o.propagationPolicy = p as DeleteOptions['propagationPolicy'];
  if (query.has('orphanDependents')) o.orphanDependents = boolParam(query, 'orphanDependents');
  if (o.orphanDependents === true && !o.propagationPolicy) o.propagationPolicy = 'Orphan';
  if (
    o.propagationPolicy &&
    !['Orphan', 'Background', 'Foreground'].includes(o.propagationPolicy)
  ) {
    throw errors.badRequest(
      `propagationPolicy must be one of Orphan, Background or Foreground, not ${JSON.stringify(o.propagationPolicy)}`,
    );
  }
  if (
    o.gracePeriodSeconds !== undefined &&
    (!Number.isInteger(o.gracePeriodSeconds) || o.gracePeriodSeconds < 0)
  ) {
    throw errors.badRequest('gracePeriodSeconds must be a non-negative integer');
  }
  return o;
}

/** Returns the object as it stands after the call: gone (last state) or marked for deletion. */
export async function deleteObject(
  ctx: ApiContext,
  name: string,
  opts: DeleteOptions,
): Promise<KObject> {
  return (await deleteObjectReporting(ctx, name, opts)).object;
}

/** deleteObject, also saying whether the object is gone now (or, under dryRun, would be). */
export async function deleteObjectReporting(
  ctx: ApiContext,
  name: string,
  opts: DeleteOptions,
): Promise<{ object: KObject; removed: boolean }> {
  const r = ctx.info.resource;
  const ns = r.namespaced ? ctx.info.namespace : undefined;
  for (let attempt = 0; attempt < 16; attempt++) {
    const cur = await ctx.store.get(r, ns, name);
    if (!cur) throw errors.notFound(targetOf(ctx, name));
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== cur.metadata.uid) {
      throw errors.conflict(
        targetOf(ctx, name),
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`,
      );
    }
    // Either spelling of the current version passes (Store.sameVersion); anything else is 409, as
    // the apiserver's Preconditions.Check answers.
    if (pre.resourceVersion && !ctx.store.sameVersion(r, pre.resourceVersion, cur)) {
      throw errors.conflict(
        targetOf(ctx, name),
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`,
      );
    }
    await admitDelete(ctx, cur);
    const marked = markForDeletion(ctx, cur, opts);
    if (isDryRun(ctx)) return { object: marked ?? cur, removed: !marked };
    if (marked) {
      if (marked === cur) return { object: cur, removed: false };
      const res = await ctx.store.update(r, marked, {
        resourceVersion: cur.metadata.resourceVersion,
      });
      if (res.ok) {
        notifyWrite(ctx);
        return { object: res.value, removed: false };
      }
      if (res.reason === 'conflict') continue;
      throw failureToError(ctx, res, name);
    }
    const res = await ctx.store.delete(r, ns, name, {
      resourceVersion: cur.metadata.resourceVersion,
    });
    if (res.ok) {
      await afterDelete(ctx, res.value);
      notifyWrite(ctx);
      return { object: res.value, removed: true };
    }
    if (res.reason === 'conflict') continue;
    throw failureToError(ctx, res, name);
  }
  throw errors.conflict(
    targetOf(ctx, name),
    'too many concurrent changes while deleting; try again',
  );
}

/**
 * Returns the object marked for deletion when it must linger (finalizers, foreground or orphan
 * propagation, a grace period the kind's strategy asks for, a kind's own deletion process), `cur` itself when nothing more is to be done yet, or
 * undefined when it can be removed now.
 */
function markForDeletion(ctx: ApiContext, cur: KObject, opts: DeleteOptions): KObject | undefined {
  const strategy = definitionFor(ctx.info.resource).strategy;
  const next = structuredClone(cur);
  const meta = next.metadata;
  const finalizers = new Set(meta.finalizers ?? []);
  const policy = opts.propagationPolicy;
  if (policy === 'Foreground') finalizers.add('foregroundDeletion');
  if (policy === 'Orphan') finalizers.add('orphan');
  if (strategy.markForDeletion) return strategy.markForDeletion(cur, finalizers);
  const grace = strategy.gracePeriod?.(cur, opts) ?? 0;
  if (finalizers.size === 0 && grace === 0) {
    // A pod already terminating that is forced (grace 0) goes now; anything else without finalizers too.
    return undefined;
  }
  if (meta.deletionTimestamp) {
    // Already being deleted: only a shorter grace period changes anything.
    const left = meta.deletionGracePeriodSeconds ?? 0;
    if (finalizers.size === (cur.metadata.finalizers?.length ?? 0) && grace >= left) return cur;
    if (grace === 0 && finalizers.size === 0) return undefined;
  }
  const deadline = new Date(Date.now() + grace * 1000);
  meta.deletionTimestamp =
    meta.deletionTimestamp && grace >= (meta.deletionGracePeriodSeconds ?? 0)
      ? meta.deletionTimestamp
      : timestamp(deadline);
  meta.deletionGracePeriodSeconds = grace;
  if (finalizers.size > 0) meta.finalizers = [...finalizers];
  return next;
}
