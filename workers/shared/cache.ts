// Watch-fed caches of the kinds a leader reads, held in the leader's memory between passes, with indexes.
// k8s: staging/src/k8s.io/client-go/tools/cache/shared_informer.go, thread_safe_store.go (indexers)
import type { ResourceInfo } from '../../src/api/resources';
import type { KObject } from '../../src/api/types';
import type { KubeClient } from '../../src/client/client';
import { Informer, objectKey, type InformerEvent } from '../../src/client/informer';

/** Maps an object to the index values it is filed under (none: not in this index). */
export type IndexFunc = (obj: KObject) => string[];

export type ChangeHandler = (resource: string, event: InformerEvent<KObject>) => void;

export const namespaceOf = (o: KObject): string[] => [o.metadata.namespace ?? ''];
/** The controller owner's uid (ReplicaSets by Deployment, pods by ReplicaSet). */
export const controllerUidOf = (o: KObject): string[] => {
  const ref = o.metadata.ownerReferences?.find((r) => r.controller);
  return ref ? [ref.uid] : [];
};
export const nodeNameOf = (o: KObject): string[] => {
  const node = (o.spec as { nodeName?: string } | undefined)?.nodeName;
  return node ? [node] : [];
};

class Index {
  readonly values = new Map<string, Set<string>>();
  constructor(readonly fn: IndexFunc) {}
  add(key: string, obj: KObject): void {
    for (const v of this.fn(obj)) {
      let set = this.values.get(v);
      if (!set) this.values.set(v, (set = new Set()));
      set.add(key);
    }
  }
  remove(key: string, obj: KObject): void {
    for (const v of this.fn(obj)) {
      const set = this.values.get(v);
      set?.delete(key);
      if (set?.size === 0) this.values.delete(v);
    }
  }
}

/** One kind: an informer (list once, watch from its resourceVersion, relist on 410) plus indexes. */
export class KindCache<T extends KObject = KObject> {
  readonly informer: Informer<T>;
  /** Set for a kind known only at run time (ClusterCache.dynamicKind). */
  readonly info?: ResourceInfo;
  private readonly indexes = new Map<string, Index>();

  constructor(
    client: KubeClient,
    readonly resource: string,
    opts: {
      namespace?: string;
      labelSelector?: string;
      fieldSelector?: string;
      onError?: (e: unknown) => void;
      /** The kind's identity, for a kind the built-in table does not know (a CRD's). */
      info?: ResourceInfo;
    } = {},
  ) {
    this.info = opts.info;
    this.informer = new Informer<T>(client, opts.info ?? resource, {
      namespace: opts.namespace,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      onError: opts.onError,
    });
    this.informer.onEvent((e) => {
      const key = objectKey(e.object);
      if (e.oldObject) for (const ix of this.indexes.values()) ix.remove(key, e.oldObject);
      if (e.type !== 'DELETED') for (const ix of this.indexes.values()) ix.add(key, e.object);
    });
  }

  /** Register before the cache starts; an index added later is filled from what is cached. */
  addIndex(name: string, fn: IndexFunc): void {
    if (this.indexes.has(name)) return;
    const ix = new Index(fn);
    for (const [key, obj] of this.informer.store) ix.add(key, obj);
    this.indexes.set(name, ix);
  }

  get(key: string): T | undefined {
    return this.informer.store.get(key);
  }

  getNamed(namespace: string | undefined, name: string): T | undefined {
    return this.informer.store.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.informer.store.values()];
  }

  byIndex(name: string, value: string): T[] {
    const ix = this.index(name);
    const out: T[] = [];
    for (const key of ix.values.get(value) ?? []) {
      const obj = this.informer.store.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  /** How many cached objects are filed under `value` in index `name` (no copy). */
  count(name: string, value: string): number {
    return this.index(name).values.get(value)?.size ?? 0;
  }

  /** The values index `name` currently files objects under (the zones that have nodes, ...). */
  indexValues(name: string): string[] {
    return [...this.index(name).values.keys()];
  }

  /** The keys filed under `value` in index `name`. */
  keysByIndex(name: string, value: string): string[] {
    return [...(this.index(name).values.get(value) ?? [])];
  }

  private index(name: string): Index {
    const ix = this.indexes.get(name);
    if (!ix) throw new Error(`${this.resource} has no index ${name}`);
    return ix;
  }

  get size(): number {
    return this.informer.store.size;
  }
}

/**
 * The caches of one leader, created on first use. Every change to a cached object goes to the
 * change handler (the controllers' queues), after the cache and its indexes already hold it.
 */
export class ClusterCache {
  private readonly kinds = new Map<string, KindCache>();
  /** Kinds added at run time (custom resources): synced() does not wait for them, and they can be dropped. */
  private readonly dynamic = new Set<string>();
  /** Run-time kinds whose first list has not arrived yet, with when each was added (Date.now()). */
  private readonly unlisted = new Map<string, number>();
  private started = false;

  constructor(
    private readonly client: KubeClient,
    private readonly onChange: ChangeHandler,
    private readonly opts: {
      namespace?: string;
      onError?: (e: unknown) => void;
      /** Per kind, another namespace or a narrower list and watch (client-go's tweakListOptions): tests keep to their own objects. */
      selectors?: Record<
        string,
        { namespace?: string; labelSelector?: string; fieldSelector?: string }
      >;
    } = {},
  ) {}

  kind<T extends KObject = KObject>(resource: string): KindCache<T> {
    let k = this.kinds.get(resource);
    if (!k) {
      k = new KindCache(this.client, resource, {
        namespace: this.opts.namespace,
        onError: this.opts.onError,
        ...this.opts.selectors?.[resource],
      });
      const cache = k;
      cache.informer.onEvent((e) => this.onChange(resource, e));
      this.kinds.set(resource, cache);
      if (this.started) cache.informer.start();
    }
    return k as unknown as KindCache<T>;
  }

  /** The cache of a kind if one exists; never creates one (a custom kind's key cannot be resolved without its identity). */
  peek<T extends KObject = KObject>(resource: string): KindCache<T> | undefined {
    return this.kinds.get(resource) as unknown as KindCache<T> | undefined;
  }

  /**
   * A kind learned at run time (a CRD's), cached from its identity. A pass does not wait for its
   * first list: a kind the API does not serve yet must not hold every controller.
   */
  dynamicKind<T extends KObject = KObject>(resource: string, info: ResourceInfo): KindCache<T> {
    const known = this.kinds.get(resource);
    if (known) return known as unknown as KindCache<T>;
    this.dynamic.add(resource);
    const k = new KindCache(this.client, resource, {
      namespace: this.opts.namespace,
      onError: this.opts.onError,
      ...this.opts.selectors?.[resource],
      info,
    });
    k.informer.onEvent((e) => this.onChange(resource, e));
    this.kinds.set(resource, k);
    this.unlisted.set(resource, Date.now());
    void k.informer.synced.then(() => {
      if (this.kinds.get(resource) === k) this.unlisted.delete(resource);
    });
    if (this.started) k.informer.start();
    return k as unknown as KindCache<T>;
  }

  /**
   * When each run-time kind still waiting for its first list was added: until it lists, its cache
   * is empty, and "no dependents" read from it is not the truth.
   */
  unlistedDynamic(): number[] {
    return [...this.unlisted.values()];
  }

  /** The kinds added with dynamicKind that are still cached. */
  dynamicResources(): string[] {
    return [...this.dynamic];
  }

  /** Stops and forgets a run-time kind (its CRD is gone). */
  drop(resource: string): void {
    if (!this.dynamic.delete(resource)) return;
    this.unlisted.delete(resource);
    this.kinds.get(resource)?.informer.stop();
    this.kinds.delete(resource);
  }

  /** Starts every informer and waits until each has listed once. */
  async start(): Promise<void> {
    this.started = true;
    for (const k of this.kinds.values()) k.informer.start();
    await this.synced();
  }

  async synced(): Promise<void> {
    await Promise.all(
      [...this.kinds].filter(([r]) => !this.dynamic.has(r)).map(([, k]) => k.informer.synced),
    );
  }

  stop(): void {
    for (const k of this.kinds.values()) k.informer.stop();
  }

  resources(): string[] {
    return [...this.kinds.keys()];
  }

  stats(): Record<string, { objects: number; relists: number; lastListMs: number }> {
    const out: Record<string, { objects: number; relists: number; lastListMs: number }> = {};
    for (const [r, k] of this.kinds)
      out[r] = { objects: k.size, relists: k.informer.relists, lastListMs: k.informer.lastListMs };
    return out;
  }
}
