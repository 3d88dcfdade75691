// Namespace controller, keyed by namespace: empties a terminating namespace, then finalizes and removes it.
// k8s: pkg/controller/namespace/deletion/namespaced_resources_deleter.go
import { RESOURCES, resourceKey, type ResourceInfo } from '../../src/api/resources';
import type { KObject } from '../../src/api/types';
import { ApiStatusError, isConflict, isNotFound } from '../../src/client/errors';
import { namespaceOf, type ClusterCache } from '../shared/cache';
import type { Result } from '../shared/controller';
import type { KeyedContext, KeyedControllerDef } from './framework';

const FINALIZER = 'kubernetes';
// Both event resources are one stored kind; deleting through one empties both.
const CONTENT = RESOURCES.filter(
  (r) => r.namespaced && !(r.group === 'events.k8s.io' && r.resource === 'events'),
);
// k8s: finalizerEstimateSeconds: how long content held by finalizers is assumed to take.
const FINALIZER_ESTIMATE_MS = 15_000;

/** Content of a namespace being deleted enqueues that namespace. */
function terminatingNamespace(obj: KObject, cache: ClusterCache): string[] {
  const ns = obj.metadata.namespace;
  return ns && cache.kind('namespaces').get(ns)?.metadata.deletionTimestamp ? [ns] : [];
}

/**
 * Keys are namespaces. A namespace's change enqueues it; a change to anything in a namespace
 * being deleted enqueues that namespace. Its content comes from the caches' namespace index.
 */
export const namespaceController: KeyedControllerDef = {
  name: 'namespace',
  reconciles: 'namespaces',
  reads: ['namespaces', ...CONTENT.map(resourceKey)],
  watches: CONTENT.map((r) => ({ resource: resourceKey(r), map: terminatingNamespace })),
  indexes: CONTENT.map((r) => ({ resource: resourceKey(r), name: 'namespace', fn: namespaceOf })),
  async reconcile(ctx, key): Promise<Result> {
    const ns = ctx.cache.kind('namespaces').get(key);
    if (!ns?.metadata.deletionTimestamp) return;
    const requeue = await syncNamespace(ctx, ns);
    return requeue === undefined ? undefined : { requeueAfterMs: requeue };
  },
};

/** Deletes what is left in the namespace; finalizes it once empty. Answers when to look again. */
async function syncNamespace(ctx: KeyedContext, ns: KObject): Promise<number | undefined> {
  const name = ns.metadata.name!;
  let remaining = 0;
  let requeueMs = Infinity;
  for (const res of CONTENT) {
    for (const obj of ctx.cache.kind(resourceKey(res)).byIndex('namespace', name)) {
      remaining++;
      if (obj.metadata.deletionTimestamp) {
        requeueMs = Math.min(requeueMs, estimateMs(ctx, obj));
        continue;
      }
      ctx.budget.take();
      try {
        // k8s: content goes with background propagation, so no orphan finalizer can hold the namespace.
        await ctx.client.delete(res, obj.metadata.name!, {
          namespace: name,
          propagationPolicy: 'Background',
          preconditions: { uid: obj.metadata.uid },
        });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
      // Whatever lingers (a pod's grace period, finalizers) is looked at again soon.
      requeueMs = Math.min(requeueMs, 1000);
    }
  }
  if (remaining > 0) return requeueMs;
  if (!(await emptyNow(ctx, name))) return 1000;
  await finalize(ctx, ns);
  return undefined;
}

/** k8s: estimateGracefulTermination: a terminating pod is expected gone when its grace ends; halve it, as upstream requeues. */
function estimateMs(ctx: KeyedContext, obj: KObject): number {
  const deadline = Date.parse(obj.metadata.deletionTimestamp!);
  const left = obj.metadata.finalizers?.length
    ? FINALIZER_ESTIMATE_MS
    : Math.max(0, deadline - ctx.now());
  return Math.floor(left / 2) + 1000;
}

/** A live check before finalizing: the caches may not yet show a create admitted just before termination. */
async function emptyNow(ctx: KeyedContext, namespace: string): Promise<boolean> {
  const found = await Promise.all(
    CONTENT.map((r: ResourceInfo) =>
      ctx.client.list(r, { namespace, limit: 1 }).then((l) => l.items.length > 0),
    ),
  );
  return !found.includes(true);
}

/**
 * Removes our token from spec.finalizers (through the finalize subresource where the API serves
 * it, else a plain update), then deletes the namespace once nothing else holds it.
 */
async function finalize(ctx: KeyedContext, ns: KObject): Promise<void> {
  const name = ns.metadata.name!;
  const spec = (ns.spec ?? {}) as { finalizers?: string[] };
  const rest = (spec.finalizers ?? []).filter((f) => f !== FINALIZER);
  try {
    let current: KObject | undefined = ns;
    if ((spec.finalizers ?? []).includes(FINALIZER)) {
      ctx.budget.take();
      current = await putFinalize(ctx, { ...ns, spec: { ...spec, finalizers: rest } });
    }
    // Other finalizers (spec or metadata) belong to someone else: wait for them.
    if (!current || rest.length || current.metadata.finalizers?.length) return;
    ctx.budget.take();
    const res = await ctx.client.delete('namespaces', name, {
      preconditions: { uid: ns.metadata.uid },
    });
    if (res.kind !== 'Namespace') return;
    // The API kept a finalized namespace on DELETE. It does remove an object being deleted when an
    // update leaves it nothing to wait for, so record the empty finalizer list that way.
    ctx.budget.take();
    await ctx.client.update('namespaces', {
      ...(res as KObject),
      spec: { ...((res as KObject).spec as object), finalizers: [] },
    });
  } catch (e) {
    // Gone: done. A conflict propagates and the namespace is retried.
    if (!isNotFound(e)) throw e;
  }
}

/** Answers the namespace after the write, or undefined when the write removed it. */
async function putFinalize(ctx: KeyedContext, next: KObject): Promise<KObject | undefined> {
  const body = JSON.stringify({ ...next, apiVersion: 'v1', kind: 'Namespace' });
  try {
    const res = await ctx.client.raw(
      'PUT',
      `/api/v1/namespaces/${encodeURIComponent(next.metadata.name!)}/finalize`,
      { body, contentType: 'application/json' },
    );
    return (await res.json()) as KObject;
  } catch (e) {
    // A 404 or 405 for the path (not for the namespace) means the API does not serve finalize.
    if (
      !(e instanceof ApiStatusError) ||
      (e.code !== 404 && e.code !== 405) ||
      e.status.details?.name === next.metadata.name
    )
      throw e;
  }
  await ctx.client.update('namespaces', next);
  // The update may have removed it already: the API deletes an object being deleted that has nothing left to wait for.
  try {
    return await ctx.client.get('namespaces', next.metadata.name!);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
