// Informer: a local cache of one resource kept current by LIST then WATCH, resuming and relisting as client-go's reflector does.
// k8s: staging/src/k8s.io/client-go/tools/cache/reflector.go
import type { KObject, WatchEvent } from '../api/types';
import type { KubeClient } from './client';
import { errorFromStatusObject, isResourceExpired } from './errors';
import type { ResourceRef } from './paths';

export type InformerEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface InformerEvent<T> {
  type: InformerEventType;
  object: T;
  /** The cached object this event replaces (MODIFIED, DELETED). */
  oldObject?: T;
}

export type InformerHandler<T> = (event: InformerEvent<T>) => void;

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size of each LIST; pages are joined before the store is replaced. */
  pageSize?: number;
  /** Server-side life of one watch stream; the informer rewatches from where it was when it ends. */
  watchTimeoutSeconds?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Failures the informer recovered from (it keeps running); default ignores them. */
  onError?: (err: unknown) => void;
}

export function objectKey(obj: KObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : `${name}`;
}

class Expired extends Error {}

// A watch that ends this soon without delivering anything counts as a failure, so a server that
// closes streams at once is retried with backoff instead of in a tight loop.
const SHORT_WATCH_MS = 1000;

export class Informer<T extends KObject = KObject> {
  readonly store = new Map<string, T>();
  readonly synced: Promise<void>;
  private markSynced!: () => void;
  private readonly handlers = new Set<InformerHandler<T>>();
  private readonly abort = new AbortController();
  private resourceVersion = '';
  private failures = 0;
  private expiredInARow = 0;
  private running = false;
  /** Full lists made so far (the first, then one per 410 or failed resume), and how long the last took. */
  relists = 0;
  lastListMs = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly resource: ResourceRef,
    private readonly opts: InformerOptions = {},
  ) {
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
  }

  /** Register before start() to see the initial ADDED events too. Returns the unsubscribe function. */
  onEvent(handler: InformerHandler<T>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** The resourceVersion the cache reflects (the last list, event or bookmark). */
  get lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  start(): this {
    if (!this.running && !this.abort.signal.aborted) {
      this.running = true;
      void this.run();
    }
    return this;
  }

  stop(): void {
    this.abort.abort();
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        const progressed = await this.watchOnce();
        if (progressed) this.failures = 0;
        else await this.backoff();
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof Expired || isResourceExpired(err)) {
          // The server no longer has history from our resourceVersion: only a fresh list is consistent.
          // Relist at once the first time; a server that expires every fresh list gets backoff.
          this.resourceVersion = '';
          if (this.expiredInARow++ > 0) await this.backoff();
        } else {
          this.opts.onError?.(err);
          await this.backoff();
        }
      }
    }
  }

  private async relist(): Promise<void> {
    const started = Date.now();
    const list = await this.client.list<T>(this.resource, {
      namespace: this.opts.namespace,
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      limit: this.opts.pageSize ?? 500,
      all: true,
      signal: this.abort.signal,
    });
    if (this.stopped) return;
    // List items carry no apiVersion/kind on the wire; watch events do. Cached objects always do.
    const kind = list.kind.replace(/List$/, '');
    for (const item of list.items) {
      item.apiVersion ??= list.apiVersion;
      item.kind ??= kind;
    }
    this.relists++;
    this.lastListMs = Date.now() - started;
    this.replace(list.items);
    this.resourceVersion = list.metadata.resourceVersion ?? '';
    this.markSynced();
  }

  // A relist only reports what changed, so handlers see deletions that happened while the watch was down.
  private replace(items: T[]): void {
    const fresh = new Map(items.map((item) => [objectKey(item), item]));
    for (const [key, old] of this.store) {
      if (!fresh.has(key)) {
        this.store.delete(key);
        this.emit({ type: 'DELETED', object: old, oldObject: old });
      }
    }
    for (const [key, item] of fresh) {
      const old = this.store.get(key);
      this.store.set(key, item);
      if (!old) this.emit({ type: 'ADDED', object: item });
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion)
        this.emit({ type: 'MODIFIED', object: item, oldObject: old });
    }
  }

  /** One watch stream from the current resourceVersion; true when it made progress before ending. */
  private async watchOnce(): Promise<boolean> {
    const started = Date.now();
    let delivered = 0;
    const events = this.client.watch<T>(this.resource, {
      namespace: this.opts.namespace,
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: this.opts.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300),
      signal: this.abort.signal,
    });
    try {
      for await (const event of events) {
        this.apply(event);
        delivered++;
        this.expiredInARow = 0;
      }
    } catch (err) {
      // A dropped stream resumes from the last event applied, so nothing is missed or repeated.
      if (delivered > 0 && !(err instanceof Expired) && !isResourceExpired(err)) {
        this.opts.onError?.(err);
        return true;
      }
      throw err;
    }
    return delivered > 0 || Date.now() - started >= SHORT_WATCH_MS;
  }

  private apply(event: WatchEvent<T>): void {
    if (event.type === 'ERROR') {
      const err = errorFromStatusObject(event.object);
      if (isResourceExpired(err)) throw new Expired(err.message);
      throw err;
    }
    const obj = event.object;
    const rv = obj.metadata?.resourceVersion;
    if (event.type === 'BOOKMARK') {
      if (rv) this.resourceVersion = rv;
      return;
    }
    const key = objectKey(obj);
    const old = this.store.get(key);
    if (event.type === 'DELETED') {
      this.store.delete(key);
      this.emit({ type: 'DELETED', object: obj, oldObject: old });
    } else {
      this.store.set(key, obj);
      this.emit(
        old ? { type: 'MODIFIED', object: obj, oldObject: old } : { type: 'ADDED', object: obj },
      );
    }
    if (rv) this.resourceVersion = rv;
  }

  private emit(event: InformerEvent<T>): void {
    for (const handler of this.handlers) {
      try {
        handler(event);
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }

  private async backoff(): Promise<void> {
    const initial = this.opts.backoffInitialMs ?? 500;
    const max = this.opts.backoffMaxMs ?? 30_000;
    const delay = Math.min(max, initial * 2 ** this.failures);
    this.failures++;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.abort.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
