// Garbage collector: cascades deletion along ownerReferences (background, foreground and orphan propagation).
// k8s: pkg/controller/garbagecollector/garbagecollector.go (attemptToDeleteItem, processDeletingDependentsItem, orphanDependents)
import { RESOURCES, resourceKey, type ResourceInfo } from '../../src/api/resources';
import type { KObject, OwnerReference } from '../../src/api/types';
import { isConflict, isNotFound } from '../../src/client/errors';
import { objectKey } from '../../src/client/informer';
import type { ClusterCache } from '../shared/cache';
import { keyOf } from '../shared/controller';
import type {
  Controller,
  ControllerContext,
  KeyedContext,
  KeyedControllerDef,
  ReconcileResult,
} from './framework';

const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

// Events are the one kind left out: they are the highest-volume type, nothing owns them in practice,
// and the event TTL removes them anyway. Both event resources are one stored kind.
const TRACKED = RESOURCES.filter((r) => r.resource !== 'events');

interface Item {
  obj: KObject;
  res: ResourceInfo;
}

/** k8s: the RESTMapper resolves an owner by group and kind; the version does not matter. */
function resourceOfRef(ref: OwnerReference): ResourceInfo | undefined {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return TRACKED.find((r) => r.group === group && r.kind === ref.kind);
}

const hasFinalizer = (o: KObject, f: string) => (o.metadata.finalizers ?? []).includes(f);
const deleting = (o: KObject) => Boolean(o.metadata.deletionTimestamp);

class Pass {
  writes = 0;
  retry = false;
  readonly touched = new Set<string>();
  private readonly errors: unknown[] = [];
  constructor(readonly ctx: ControllerContext) {}

  get full(): boolean {
    return this.writes >= this.ctx.config.maxWritesPerPass;
  }

  /** One write; NotFound means someone else finished the job, Conflict means our view was stale. */
  async write(res: ResourceInfo, fn: () => Promise<unknown>): Promise<boolean> {
    this.writes++;
    this.touched.add(resourceKey(res));
    try {
      await fn();
      return true;
    } catch (e) {
      if (isConflict(e)) this.retry = true;
      else if (!isNotFound(e)) this.errors.push(e);
      return false;
    }
  }

  finish(): ReconcileResult {
    for (const key of this.touched) this.ctx.snapshot.invalidate(key);
    if (this.errors.length)
      throw new AggregateError(
        this.errors,
        `garbage collector: ${this.errors.length} writes failed: ${String(this.errors[0])}`,
      );
    if (this.full) return { more: true };
    return this.retry ? { requeueAfterMs: 1000 } : {};
  }
}

export const garbageCollectorController: Controller = {
  name: 'garbage-collector',
  watches: TRACKED.map(resourceKey),
  async reconcile(ctx) {
    const pass = new Pass(ctx);
    const items: Item[] = [];
    for (const res of TRACKED) {
      for (const obj of await ctx.snapshot.list(resourceKey(res))) items.push({ obj, res });
    }
    const byUid = new Map(items.map((i) => [i.obj.metadata.uid!, i]));
    // Who points at whom: owner uid -> dependents (with the reference they hold).
    const dependents = new Map<string, { item: Item; ref: OwnerReference }[]>();
    for (const item of items) {
      for (const ref of item.obj.metadata.ownerReferences ?? []) {
        const list = dependents.get(ref.uid) ?? [];
        list.push({ item, ref });
        dependents.set(ref.uid, list);
      }
    }

    for (const owner of items) {
      if (pass.full) break;
      if (!deleting(owner.obj)) continue;
      if (hasFinalizer(owner.obj, ORPHAN))
        await orphanDependents(pass, owner, dependents.get(owner.obj.metadata.uid!) ?? []);
      else if (hasFinalizer(owner.obj, FOREGROUND))
        await finishForeground(pass, owner, dependents.get(owner.obj.metadata.uid!) ?? []);
    }
    for (const item of items) {
      if (pass.full) break;
      // k8s: "being deleted" is a one-way trip; owners waiting on their dependents were handled above.
      if (deleting(item.obj) || !item.obj.metadata.ownerReferences?.length) continue;
      await attemptToDelete(pass, item, byUid, dependents.has(item.obj.metadata.uid!));
    }
    return pass.finish();
  },
};

type Verdict = 'solid' | 'dangling' | 'waiting' | 'unknown';

/**
 * Classifies one ownerReference against the pass's lists. An owner missing from the lists is
 * confirmed with a live GET first: lists taken at different moments may predate a new owner.
 */
async function classify(
  pass: Pass,
  item: Item,
  ref: OwnerReference,
  byUid: Map<string, Item>,
): Promise<Verdict> {
  const ownerRes = resourceOfRef(ref);
  // k8s: an owner kind the server does not serve is never treated as gone.
  if (!ownerRes) return 'unknown';
  if (ownerRes.namespaced && !item.res.namespaced) return 'unknown';
  const namespace = ownerRes.namespaced ? item.obj.metadata.namespace : undefined;
  let owner = byUid.get(ref.uid)?.obj;
  if (
    owner &&
    (owner.kind !== ref.kind ||
      owner.metadata.name !== ref.name ||
      (namespace && owner.metadata.namespace !== namespace))
  )
    owner = undefined;
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
  byUid: Map<string, Item>,
  hasDependents: boolean,
): Promise<void> {
  const refs = item.obj.metadata.ownerReferences!;
  const verdicts = await Promise.all(refs.map((r) => classify(pass, item, r, byUid)));
  const { client } = pass.ctx;
  const { name, namespace, uid, resourceVersion } = item.obj.metadata;
  if (verdicts.some((v) => v === 'solid' || v === 'unknown')) {
    // k8s: a live owner keeps the dependent; references to gone or foreground-deleting owners are
    // dropped, or the foreground owner would wait on this dependent forever.
    const keep = refs.filter((_, i) => verdicts[i] === 'solid' || verdicts[i] === 'unknown');
    if (keep.length === refs.length) return;
    await pass.write(item.res, () =>
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
  await pass.write(item.res, () =>
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
    if (pass.full) return;
    const { name, namespace, uid, resourceVersion, ownerReferences } = item.obj.metadata;
    const keep = (ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
    const ok = await pass.write(item.res, () =>
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
  if (all && !pass.full) await removeFinalizer(pass, owner, ORPHAN);
}

async function removeFinalizer(pass: Pass, item: Item, finalizer: string): Promise<void> {
  const { name, namespace, uid, resourceVersion, finalizers } = item.obj.metadata;
  const rest = (finalizers ?? []).filter((f) => f !== finalizer);
  await pass.write(item.res, () =>
    pass.ctx.client.patch(
      item.res,
      name!,
      'merge',
      { metadata: { uid, resourceVersion, finalizers: rest.length ? rest : null } },
      { namespace },
    ),
  );
}

// ---- Keyed: one object at a time, from the caches. ----

/** Every owner uid an object names (not only its controller): the dependents index. */
const ownerUids = (o: KObject): string[] => (o.metadata.ownerReferences ?? []).map((r) => r.uid);
const itemKey = (resource: string, o: KObject) => `${resource} ${objectKey(o)}`;
const sameRefs = (a: KObject | undefined, b: KObject) =>
  JSON.stringify(a?.metadata.ownerReferences ?? []) ===
  JSON.stringify(b.metadata.ownerReferences ?? []);
const sameFinalizers = (a: KObject | undefined, b: KObject) =>
  JSON.stringify(a?.metadata.finalizers ?? []) === JSON.stringify(b.metadata.finalizers ?? []);

/** Everything that names `uid` as an owner, across the tracked kinds (the dependents index). */
function dependentsOf(cache: ClusterCache, uid: string): { item: Item; ref: OwnerReference }[] {
  const out: { item: Item; ref: OwnerReference }[] = [];
  for (const res of TRACKED) {
    for (const obj of cache.kind(resourceKey(res)).byIndex('owners', uid)) {
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
function gcKeys(resource: string) {
  return (
    obj: KObject,
    cache: ClusterCache,
    event: { type: string; object: KObject; oldObject?: KObject },
  ): string[] => {
    if (obj !== event.object) return [];
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
        const ownerRes = resourceOfRef(ref);
        if (ownerRes)
          keys.push(
            `${resourceKey(ownerRes)} ${keyOf(ownerRes.namespaced ? obj.metadata.namespace : undefined, ref.name)}`,
          );
      }
    }
    return keys;
  };
}

/** One object's pass: its writes go through the controller's budget; a conflict is thrown (the key is retried). */
class ItemPass extends Pass {
  constructor(readonly kctx: KeyedContext) {
    super(kctx);
  }
  override get full(): boolean {
    return false;
  }
  override async write(res: ResourceInfo, fn: () => Promise<unknown>): Promise<boolean> {
    this.kctx.budget.take();
    try {
      await fn();
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
}

/** Owners come from the caches by kind, namespace and name, with the uid checked; a miss is confirmed with a live GET (classify). */
function ownersFromCache(cache: ClusterCache, item: Item): Map<string, Item> {
  const out = new Map<string, Item>();
  for (const ref of item.obj.metadata.ownerReferences ?? []) {
    const res = resourceOfRef(ref);
    if (!res) continue;
    const owner = cache
      .kind(resourceKey(res))
      .getNamed(res.namespaced ? item.obj.metadata.namespace : undefined, ref.name);
    if (owner?.metadata.uid === ref.uid) out.set(ref.uid, { obj: owner, res });
  }
  return out;
}

/**
 * Keys are "<resource> <namespace>/<name>" over every tracked kind. An object being deleted with
 * the orphan or foreground finalizer has its dependents orphaned or waited for; an object with
 * owners is deleted once none of them is live (background), or as its owners' policy says.
 */
export const garbageCollector: KeyedControllerDef = {
  name: 'garbage-collector',
  reconciles: '*',
  reads: TRACKED.map(resourceKey),
  watches: TRACKED.map((r) => ({ resource: resourceKey(r), map: gcKeys(resourceKey(r)) })),
  indexes: TRACKED.map((r) => ({ resource: resourceKey(r), name: 'owners', fn: ownerUids })),
  resync(cache) {
    const keys: string[] = [];
    for (const res of TRACKED) {
      const r = resourceKey(res);
      for (const o of cache.kind(r).list()) {
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
    const res = TRACKED.find((r) => resourceKey(r) === resource);
    const obj = res && ctx.cache.kind(resource).get(key.slice(space + 1));
    if (!res || !obj) return;
    const item: Item = { obj, res };
    const pass = new ItemPass(ctx);
    if (deleting(obj)) {
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
