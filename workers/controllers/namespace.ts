// Namespace controller, keyed by namespace: empties a terminating namespace (built-in kinds and every
// namespaced custom kind), reports progress in its status conditions, then finalizes and removes it.
// k8s: pkg/controller/namespace/deletion/namespaced_resources_deleter.go, status_condition_utils.go
import type { CustomResourceDefinition } from '../../src/api/crd';
import { RESOURCES, resourceKey, type ResourceInfo } from '../../src/api/resources';
import type { KObject } from '../../src/api/types';
import { ApiStatusError, isConflict, isNotFound } from '../../src/client/errors';
import { namespaceOf, type ClusterCache } from '../shared/cache';
import type { Result } from '../shared/controller';
import type { KeyedContext, KeyedControllerDef } from './framework';
import { CRDS, cachedVersionOf, customKindsWatch, isCustomKind } from './lib/custom-kinds';
import { conditionsAfter, type DeletionTally } from './namespace-conditions';

const FINALIZER = 'kubernetes';
// Both event resources are one stored kind; deleting through one empties both.
const ALL_CONTENT = RESOURCES.filter(
  (r) => r.namespaced && !(r.group === 'events.k8s.io' && r.resource === 'events'),
);
const isCoreEvents = (r: ResourceInfo) => r.group === '' && r.resource === 'events';
/**
 * Built-in content from the caches. Events are not cached: they are the most written kind (one or
 * more per pod) and nothing else in the controllers reads them, so a cache would cost a watch event
 * per Event for this controller alone. They are listed live, as custom resources are.
 */
const CONTENT = ALL_CONTENT.filter((r) => !isCoreEvents(r));
const LIVE_CONTENT = ALL_CONTENT.filter(isCoreEvents);
// k8s: finalizerEstimateSeconds: how long content held by finalizers is assumed to take.
const FINALIZER_ESTIMATE_MS = 15_000;
/** How soon a namespace whose content could not all be discovered or deleted is tried again. */
const FAILURE_RETRY_MS = 5000;

/** Content of a namespace being deleted (any kind, custom ones too) enqueues that namespace. */
function terminatingNamespace(
  obj: KObject,
  cache: ClusterCache,
  _event: unknown,
  resource: string,
): string[] {
  const ns = obj.metadata.namespace;
  if (!ns || resource === 'namespaces') return [];
  return cache.kind('namespaces').get(ns)?.metadata.deletionTimestamp ? [ns] : [];
}

/** The namespaced custom kinds the cached CRDs serve now (discovery of the custom groups). */
function customContent(ctx: KeyedContext): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const crd of ctx.cache.kind<CustomResourceDefinition>(CRDS).list()) {
    const info = cachedVersionOf(crd);
    if (info?.namespaced && isCustomKind(resourceKey(info))) out.push(info);
  }
  return out;
}

/**
 * Keys are namespaces. A namespace's change enqueues it; a change to anything in a namespace
 * being deleted enqueues that namespace. Built-in content comes from the caches' namespace index;
 * Events and custom resources are listed live, kind by kind, as upstream's deleter lists every
 * discovered kind (an Event written into a terminating namespace is found by the live check before
 * finalizing, or at the requeue that follows).
 */
export const namespaceController: KeyedControllerDef = {
  name: 'namespace',
  reconciles: 'namespaces',
  reads: ['namespaces', CRDS, ...CONTENT.map(resourceKey)],
  watches: [
    customKindsWatch,
    ...CONTENT.map((r) => ({ resource: resourceKey(r), map: terminatingNamespace })),
    {
      resource: '*',
      map: (obj: KObject, cache: ClusterCache, event: unknown, resource: string) =>
        isCustomKind(resource) ? terminatingNamespace(obj, cache, event, resource) : [],
    },
  ],
  indexes: CONTENT.map((r) => ({ resource: resourceKey(r), name: 'namespace', fn: namespaceOf })),
  async reconcile(ctx, key): Promise<Result> {
    const cached = ctx.cache.kind('namespaces').get(key);
    if (!cached?.metadata.deletionTimestamp) return;
    const ns = await liveNamespace(ctx, cached);
    if (!ns) return;
    const requeue = await syncNamespace(ctx, ns);
    return requeue === undefined ? undefined : { requeueAfterMs: requeue };
  },
};

/**
 * k8s: the deleter reads the namespace live before touching its content. The cache may still show
 * a namespace of that name that was finalized and removed since, and recreated: emptying the new
 * one would delete objects nobody asked to delete. Undefined: nothing to do.
 */
async function liveNamespace(ctx: KeyedContext, cached: KObject): Promise<KObject | undefined> {
  let live: KObject;
  try {
    live = await ctx.client.get('namespaces', cached.metadata.name!);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  if (live.metadata.uid !== cached.metadata.uid || !live.metadata.deletionTimestamp)
    return undefined;
  return live;
}

const newTally = (): DeletionTally => ({
  remaining: new Map(),
  finalizers: new Map(),
  contentErrors: [],
  discoveryErrors: [],
});

/** Deletes one object of the namespace unless it is already going; counts it when it lingers. */
async function deleteOne(
  ctx: KeyedContext,
  res: ResourceInfo,
  obj: KObject,
  tally: DeletionTally,
): Promise<number> {
  let still: KObject | undefined = obj;
  let requeueMs = Infinity;
  if (obj.metadata.deletionTimestamp) requeueMs = estimateMs(ctx, obj);
  else {
    ctx.budget.take();
    try {
      // k8s: content goes with background propagation, so no orphan finalizer can hold the namespace.
      const out = await ctx.client.delete(res, obj.metadata.name!, {
        namespace: obj.metadata.namespace,
        propagationPolicy: 'Background',
        preconditions: { uid: obj.metadata.uid },
      });
      // The answer is the object while it lingers (grace period, finalizers), else it is gone.
      const o = out as KObject;
      still = o.kind !== 'Status' && o.metadata?.deletionTimestamp ? o : undefined;
    } catch (e) {
      if (isNotFound(e)) still = undefined;
      else if (!isConflict(e)) {
        tally.contentErrors.push(e instanceof Error ? e.message : String(e));
        return FAILURE_RETRY_MS;
      }
    }
    // Whatever lingers (a pod's grace period, finalizers) is looked at again soon.
    requeueMs = 1000;
  }
  if (!still) return requeueMs;
  const gr = res.group ? `${res.resource}.${res.group}` : `${res.resource}.`;
  tally.remaining.set(gr, (tally.remaining.get(gr) ?? 0) + 1);
  for (const f of still.metadata.finalizers ?? [])
    tally.finalizers.set(f, (tally.finalizers.get(f) ?? 0) + 1);
  return requeueMs;
}

/** Deletes what is left in the namespace; finalizes it once empty. Answers when to look again. */
async function syncNamespace(ctx: KeyedContext, ns: KObject): Promise<number | undefined> {
  const name = ns.metadata.name!;
  const tally = newTally();
  let requeueMs = Infinity;
  for (const res of CONTENT) {
    for (const obj of ctx.cache.kind(resourceKey(res)).byIndex('namespace', name))
      requeueMs = Math.min(requeueMs, await deleteOne(ctx, res, obj, tally));
  }
  for (const res of [...LIVE_CONTENT, ...customContent(ctx)]) {
    let items: KObject[];
    try {
      items = (await ctx.client.list(res, { namespace: name, all: true })).items;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      // k8s: a kind discovery names that the server will not list is a discovery failure of its group.
      if (isNotFound(e)) tally.discoveryErrors.push(`${res.group}/${res.version}: ${msg}`);
      else tally.contentErrors.push(msg);
      requeueMs = Math.min(requeueMs, FAILURE_RETRY_MS);
      continue;
    }
    for (const obj of items) requeueMs = Math.min(requeueMs, await deleteOne(ctx, res, obj, tally));
  }
  const current = await recordConditions(ctx, ns, tally);
  if (!current) return undefined;
  if (tally.contentErrors.length || tally.discoveryErrors.length)
    return Math.min(requeueMs, FAILURE_RETRY_MS);
  if (tally.remaining.size > 0) return requeueMs;
  if (!(await emptyNow(ctx, name))) return 1000;
  await finalize(ctx, current);
  return undefined;
}

/** Writes the deletion conditions when they changed; answers the namespace after it (undefined: gone). */
async function recordConditions(
  ctx: KeyedContext,
  ns: KObject,
  tally: DeletionTally,
): Promise<KObject | undefined> {
  const status = (ns.status ?? {}) as { conditions?: unknown[] };
  const next = conditionsAfter(
    (status.conditions ?? []) as Parameters<typeof conditionsAfter>[0],
    tally,
    ctx.now(),
  );
  if (!next) return ns;
  ctx.budget.take();
  try {
    return await ctx.client.updateStatus('namespaces', {
      ...ns,
      status: { ...status, conditions: next },
    });
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** k8s: estimateGracefulTermination: a terminating pod is expected gone when its grace ends; halve it, as upstream requeues. */
function estimateMs(ctx: KeyedContext, obj: KObject): number {
  const deadline = Date.parse(obj.metadata.deletionTimestamp!);
  const left = obj.metadata.finalizers?.length
    ? FINALIZER_ESTIMATE_MS
    : Math.max(0, deadline - ctx.now());
  return Math.floor(left / 2) + 1000;
}

/**
 * A live check before finalizing: the caches may not yet show a create admitted just before
 * termination, nor a CRD established a moment ago, so the CRDs are read live too.
 */
async function emptyNow(ctx: KeyedContext, namespace: string): Promise<boolean> {
  const crds = await ctx.client.list<CustomResourceDefinition>(CRDS, { all: true });
  const custom = crds.items
    .map(cachedVersionOf)
    .filter((i): i is ResourceInfo => !!i?.namespaced && isCustomKind(resourceKey(i)));
  const found = await Promise.all(
    [...ALL_CONTENT, ...custom].map((r: ResourceInfo) =>
      ctx.client.list(r, { namespace, limit: 1 }).then(
        (l) => l.items.length > 0,
        // A kind the API does not serve (yet) has nothing to list, as upstream skips it.
        (e: unknown) => {
          if (isNotFound(e)) return false;
          throw e;
        },
      ),
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
