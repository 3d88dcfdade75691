// Garbage collector, keyed by object: cascades deletion along ownerReferences (background,
// foreground and orphan propagation) across the built-in kinds and the custom kinds CRDs add.
// k8s: pkg/controller/garbagecollector/garbagecollector.go (attemptToDeleteItem, processDeletingDependentsItem, orphanDependents)
import { RESOURCES, resourceKey, type ResourceInfo } from '../../src/api/resources';
import type { KObject, OwnerReference } from '../../src/api/types';
import { isNotFound } from '../../src/client/errors';
import { objectKey } from '../../src/client/informer';
import type { ClusterCache } from '../shared/cache';
import { keyOf } from '../shared/controller';
import type { KeyedContext, KeyedControllerDef } from './framework';
import {
  customKindOf,
  customKinds,
  customKindsWatch,
  isCustomKind,
  ownerUids,
} from './lib/custom-kinds';

const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

// Events are the one kind left out: they are the highest-volume type, nothing owns them in practice,
// and the event TTL removes them anyway. Both event resources are one stored kind.
const TRACKED = RESOURCES.filter((r) => r.resource !== 'events');
const TRACKED_KEYS = new Map(TRACKED.map((r) => [resourceKey(r), r]));
// k8s: GarbageCollector.Sync waits this long (its resync period) for the monitors of newly
// discovered kinds to sync before the workers go on.
const NEW_KIND_SYNC_MS = 30_000;
const NEW_KIND_RECHECK_MS = 500;

interface Item {
  obj: KObject;
  res: ResourceInfo;
}

/** A tracked kind by its cache key: a built-in one, or a custom kind cached now. */
function trackedKind(cache: ClusterCache, resource: string): ResourceInfo | undefined {
  return (
    TRACKED_KEYS.get(resource) ?? (isCustomKind(resource) ? cache.peek(resource)?.info : undefined)
  );
}

/** Every tracked kind, built-in and custom, with its cache. */
function trackedKinds(cache: ClusterCache): ResourceInfo[] {
  return [...TRACKED, ...customKinds(cache).map((k) => k.info)];
}

/** k8s: the RESTMapper resolves an owner by group and kind; the version does not matter. */
function resourceOfRef(cache: ClusterCache, ref: OwnerReference): ResourceInfo | undefined {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return (
    TRACKED.find((r) => r.group === group && r.kind === ref.kind) ??
    customKindOf(cache, ref.apiVersion, ref.kind)?.info
  );
}

const hasFinalizer = (o: KObject, f: string) => (o.metadata.finalizers ?? []).includes(f);
const deleting = (o: KObject) => Boolean(o.metadata.deletionTimestamp);

/** One object's pass: its writes go through the controller's budget; a conflict is thrown (the key is retried). */
class Pass {
  constructor(readonly ctx: KeyedContext) {}

  /** One write; NotFound means someone else finished the job. */
  async write(fn: () => Promise<unknown>): Promise<boolean> {
    this.ctx.budget.take();
    try {
      await fn();
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
}

type Verdict = 'solid' | 'dangling' | 'waiting' | 'unknown';

/**
 * Classifies one ownerReference against the owners found in the caches. An owner missing there is
 * confirmed with a live GET first: the cache of the owner's kind may trail the dependent's.
 */
async function classify(
  pass: Pass,
  item: Item,
  ref: OwnerReference,
  owners: Map<string, Item>,
): Promise<Verdict> {
  const ownerRes = resourceOfRef(pass.ctx.cache, ref);
  // k8s: an owner kind the server does not serve is never treated as gone.
  if (!ownerRes) return 'unknown';
  if (ownerRes.namespaced && !item.res.namespaced) return 'unknown';
  const namespace = ownerRes.namespaced ? item.obj.metadata.namespace : undefined;
  let owner = owners.get(ref.uid)?.obj;
  if (!owner) {
    try {
      owner = await pass.ctx.client.get(ownerRes, ref.name, { namespace });
    } catch (e) {
      if (isNotFound(e)) return 'dangling';
      throw e;
    }
    if (owner.metadata.uid !== ref.uid) return 'dangling';
  }
  return deleting(owner) && hasFinalizer(owner, FOREGROUND) ? 'waiting' : 'solid';
}

async function attemptToDelete(
  pass: Pass,
  item: Item,
  owners: Map<string, Item>,
  hasDependents: boolean,
): Promise<void> {
  const refs = item.obj.metadata.ownerReferences!;
  const verdicts = await Promise.all(refs.map((r) => classify(pass, item, r, owners)));
  const { client } = pass.ctx;
  const { name, namespace, uid, resourceVersion } = item.obj.metadata;
  if (verdicts.some((v) => v === 'solid' || v === 'unknown')) {
    // k8s: a live owner keeps the dependent; references to gone or foreground-deleting owners are
    // dropped, or the foreground owner would wait on this dependent forever.
    const keep = refs.filter((_, i) => verdicts[i] === 'solid' || verdicts[i] === 'unknown');
    if (keep.length === refs.length) return;
    await pass.write(() =>
      client.patch(
        item.res,
        name!,
        'merge',
        { metadata: { uid, resourceVersion, ownerReferences: keep } },
        { namespace },
      ),
    );
    return;
  }
  let policy: 'Orphan' | 'Foreground' | 'Background';
  if (verdicts.includes('waiting') && hasDependents) policy = 'Foreground';
  else if (hasFinalizer(item.obj, ORPHAN)) policy = 'Orphan';
  else if (hasFinalizer(item.obj, FOREGROUND)) policy = 'Foreground';
  else policy = 'Background';
  await pass.write(() =>
    client.delete(item.res, name!, {
      namespace,
      propagationPolicy: policy,
      preconditions: { uid, resourceVersion },
    }),
  );
}

/** k8s: processDeletingDependentsItem: the owner goes once no dependent blocks it. */
async function finishForeground(
  pass: Pass,
  owner: Item,
  deps: { item: Item; ref: OwnerReference }[],
): Promise<void> {
  if (deps.some((d) => d.ref.blockOwnerDeletion === true)) return;
  await removeFinalizer(pass, owner, FOREGROUND);
}

/** k8s: attemptToOrphanWorker: drop the owner from every dependent, then release the owner. */
async function orphanDependents(
  pass: Pass,
  owner: Item,
  deps: { item: Item; ref: OwnerReference }[],
): Promise<void> {
  const ownerUid = owner.obj.metadata.uid;
  let all = true;
  for (const { item } of deps) {
    const { name, namespace, uid, resourceVersion, ownerReferences } = item.obj.metadata;
    const keep = (ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
    const ok = await pass.write(() =>
      pass.ctx.client.patch(
        item.res,
        name!,
        'merge',
        { metadata: { uid, resourceVersion, ownerReferences: keep.length ? keep : null } },
        { namespace },
      ),
    );
    all &&= ok;
  }
  if (all) await removeFinalizer(pass, owner, ORPHAN);
}

async function removeFinalizer(pass: Pass, item: Item, finalizer: string): Promise<void> {
  const { name, namespace, uid, resourceVersion, finalizers } = item.obj.metadata;
  const rest = (finalizers ?? []).filter((f) => f !== finalizer);
  await pass.write(() =>
    pass.ctx.client.patch(
      item.res,
      name!,
      'merge',
      { metadata: { uid, resourceVersion, finalizers: rest.length ? rest : null } },
      { namespace },
    ),
  );
}

const itemKey = (resource: string, o: KObject) => `${resource} ${objectKey(o)}`;
const sameRefs = (a: KObject | undefined, b: KObject) =>
  JSON.stringify(a?.metadata.ownerReferences ?? []) ===
  JSON.stringify(b.metadata.ownerReferences ?? []);
const sameFinalizers = (a: KObject | undefined, b: KObject) =>
  JSON.stringify(a?.metadata.finalizers ?? []) === JSON.stringify(b.metadata.finalizers ?? []);

/** Everything that names `uid` as an owner, across the tracked kinds (the dependents index). */
function dependentsOf(cache: ClusterCache, uid: string): { item: Item; ref: OwnerReference }[] {
  const out: { item: Item; ref: OwnerReference }[] = [];
  for (const res of trackedKinds(cache)) {
    const kind = cache.peek(resourceKey(res));
    for (const obj of kind?.byIndex('owners', uid) ?? []) {
      const ref = obj.metadata.ownerReferences?.find((r) => r.uid === uid);
      if (ref) out.push({ item: { obj, res }, ref });
    }
  }
  return out;
}

/**
 * k8s: the graph builder's event handling: a new object with owners, or one whose owners or
 * finalizers changed, is looked at; an object deleted or being deleted sends its dependents (to be
 * deleted or orphaned) and its owners (a foreground owner waiting on it) to the queue. A write that
 * changes none of that (a lease renewal, a status update) queues nothing.
 */
function gcKeys(
  obj: KObject,
  cache: ClusterCache,
  event: { type: string; object: KObject; oldObject?: KObject },
  resource: string,
): string[] {
  if (obj !== event.object || !trackedKind(cache, resource)) return [];
  const keys: string[] = [];
  const gone = event.type === 'DELETED';
  const old = event.oldObject;
  const deletingNow = !!obj.metadata.deletionTimestamp;
  if (
    !gone &&
    obj.metadata.ownerReferences?.length &&
    (event.type === 'ADDED' || !sameRefs(old, obj))
  )
    keys.push(itemKey(resource, obj));
  if (!gone && deletingNow && (!old?.metadata.deletionTimestamp || !sameFinalizers(old, obj)))
    keys.push(itemKey(resource, obj));
  if (gone || (deletingNow && !old?.metadata.deletionTimestamp)) {
    for (const d of dependentsOf(cache, obj.metadata.uid!))
      keys.push(itemKey(resourceKey(d.item.res), d.item.obj));
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const ownerRes = resourceOfRef(cache, ref);
      if (ownerRes)
        keys.push(
          `${resourceKey(ownerRes)} ${keyOf(ownerRes.namespaced ? obj.metadata.namespace : undefined, ref.name)}`,
        );
    }
  }
  return keys;
}

/** Whether a custom kind added less than NEW_KIND_SYNC_MS ago is still waiting for its first list. */
function newKindsUnlisted(cache: ClusterCache): boolean {
  const now = Date.now();
  return cache.unlistedDynamic().some((since) => now - since < NEW_KIND_SYNC_MS);
}

/** Owners come from the caches by kind, namespace and name, with the uid checked; a miss is confirmed with a live GET (classify). */
function ownersFromCache(cache: ClusterCache, item: Item): Map<string, Item> {
  const out = new Map<string, Item>();
  for (const ref of item.obj.metadata.ownerReferences ?? []) {
    const res = resourceOfRef(cache, ref);
    if (!res) continue;
    const owner = cache
      .peek(resourceKey(res))
      ?.getNamed(res.namespaced ? item.obj.metadata.namespace : undefined, ref.name);
    if (owner?.metadata.uid === ref.uid) out.set(ref.uid, { obj: owner, res });
  }
  return out;
}

/**
 * Keys are "<resource> <namespace>/<name>" over every tracked kind, custom kinds included (their
 * caches follow the CRDs). An object being deleted with the orphan or foreground finalizer has its
 * dependents orphaned or waited for; an object with owners is deleted once none of them is live
 * (background), or as its owners' policy says.
 */
export const garbageCollector: KeyedControllerDef = {
  name: 'garbage-collector',
  reconciles: '*',
  reads: TRACKED.map(resourceKey),
  watches: [customKindsWatch, { resource: '*', map: gcKeys }],
  indexes: TRACKED.map((r) => ({ resource: resourceKey(r), name: 'owners', fn: ownerUids })),
  resync(cache) {
    const keys: string[] = [];
    for (const res of trackedKinds(cache)) {
      const r = resourceKey(res);
      for (const o of cache.peek(r)?.list() ?? []) {
        if (
          o.metadata.ownerReferences?.length ||
          (o.metadata.deletionTimestamp && (hasFinalizer(o, ORPHAN) || hasFinalizer(o, FOREGROUND)))
        )
          keys.push(itemKey(r, o));
      }
    }
    return keys;
  },
  async reconcile(ctx, key) {
    const space = key.indexOf(' ');
    const resource = key.slice(0, space);
    const res = trackedKind(ctx.cache, resource);
    const obj = res && ctx.cache.peek(resource)?.get(key.slice(space + 1));
    if (!res || !obj) return;
    const item: Item = { obj, res };
    const pass = new Pass(ctx);
    if (deleting(obj)) {
      if (!hasFinalizer(obj, ORPHAN) && !hasFinalizer(obj, FOREGROUND)) return;
      // A custom kind's cache that has not listed yet (a fresh leader, a new CRD) shows none of its
      // objects: releasing the owner now would skip dependents of that kind, which are then
      // deleted as dangling instead of orphaned (or outlive a foreground owner).
      if (newKindsUnlisted(ctx.cache)) return { requeueAfterMs: NEW_KIND_RECHECK_MS };
      const deps = dependentsOf(ctx.cache, obj.metadata.uid!);
      if (hasFinalizer(obj, ORPHAN)) await orphanDependents(pass, item, deps);
      else if (hasFinalizer(obj, FOREGROUND)) await finishForeground(pass, item, deps);
      return;
    }
    if (!obj.metadata.ownerReferences?.length) return;
    await attemptToDelete(
      pass,
      item,
      ownersFromCache(ctx.cache, item),
      dependentsOf(ctx.cache, obj.metadata.uid!).length > 0,
    );
  },
};
