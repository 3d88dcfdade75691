// Store: the API Worker's view of storage. Routes keys to shards, merges partitions, encodes revisions.
import type { KObject } from '../api/types';
import type { ResourceInfo } from '../api/resources';
import { storageResource } from '../api/resources';
import type { StorageShard } from './shard';
import type { WatchHub } from '../watch/hub';
import type { ListResult, StoredItem, WriteResult } from './types';
import { namespacePrefix, objectKey } from './keys';
import { partitionOf, shardName } from './partition';
import {
  formatObjectRev,
  formatPosition,
  parseResourceVersion,
  preconditionRev,
  RevisionError,
  type ParsedRV,
  type Position,
} from './revision';
import { decodeContinue, encodeContinue } from './continue-token';
import { readLines, type HubLine } from '../watch/framing';
import { mergeStreams } from '../watch/merge';
import { definitionFor } from '../registry/registry';
import { encodeWrite, spliceResourceVersion } from './stored-shape';

export interface StoreEnv {
  SHARDS: DurableObjectNamespace<StorageShard>;
  HUBS: DurableObjectNamespace<WatchHub>;
}

export type StoreFailure = {
  ok: false;
  reason:
    'not-found' | 'exists' | 'conflict' | 'expired' | 'too-large' | 'invalid' | 'rv-too-large';
  message?: string;
  current?: KObject;
};
export type StoreResult<T> = { ok: true; value: T } | StoreFailure;

export interface ListPage {
  items: KObject[];
  resourceVersion: string;
  continue?: string;
}

export interface ListRequest {
  namespace?: string;
  limit?: number;
  continue?: string;
  /** A resourceVersion with resourceVersionMatch=Exact: a snapshot at that position. */
  exact?: string;
  /** A resourceVersion with NotOlderThan (the default): the current state, once it is at least that. */
  notOlderThan?: string;
}

/**
 * How long a read at a resourceVersion the store has not reached waits before it is refused.
 * k8s: staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go (blockTimeout, 3 s)
 */
export const FRESHNESS_WAIT_MS = 3000;

export type StoreEvent =
  | {
      type: 'ADDED' | 'MODIFIED' | 'DELETED';
      object: KObject;
      prev?: KObject;
      resourceVersion: string;
    }
  | { type: 'PROGRESS'; resourceVersion: string }
  | { type: 'EXPIRED'; message: string }
  /** The watch's position is beyond the store's, even after FRESHNESS_WAIT_MS: "Too large resource version". */
  | { type: 'RV_TOO_LARGE'; message: string };

/**
 * What watchRaw yields: the events of watch, except that an object stored in the relay's shape
 * comes as its served JSON text (resourceVersion set) instead of a parsed object.
 */
export type RawStoreEvent =
  StoreEvent | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; raw: string; resourceVersion: string };

/** Selectors a watch hub applies before sending (strings as the client sent them, already validated). */
export interface WatchSelection {
  labelSelector?: string;
  fieldSelector?: string;
}

export class Store {
  constructor(
    private readonly env: StoreEnv,
    readonly partitions: number,
  ) {}

  /** Number of shards holding a resource. */
  width(r: ResourceInfo): number {
    return r.partitioned ? this.partitions : 1;
  }

  private shardNameOf(r: ResourceInfo, p: number): string {
    return shardName(storageResource(r), p, r.partitioned);
  }

  private shard(r: ResourceInfo, p: number): DurableObjectStub<StorageShard> {
    return this.env.SHARDS.get(this.env.SHARDS.idFromName(this.shardNameOf(r, p)));
  }

  private locate(r: ResourceInfo, namespace: string | undefined, name: string) {
    const key = objectKey(r.namespaced ? namespace : undefined, name);
    const p = partitionOf(key, this.width(r));
    return { key, p, stub: this.shard(r, p) };
  }

  private encode(r: ResourceInfo, obj: KObject): string {
    return encodeWrite(definitionFor(r), obj);
  }

  private decode(r: ResourceInfo, p: number, item: StoredItem): KObject {
    const obj = JSON.parse(item.value) as KObject;
    obj.metadata.resourceVersion = formatObjectRev(item.rev, p, this.width(r));
    return obj;
  }

  async get(r: ResourceInfo, namespace: string | undefined, name: string): Promise<KObject | null> {
    const { p, stub } = this.locate(r, namespace, name);
    const res = await stub.get(objectKey(r.namespaced ? namespace : undefined, name));
    return res.item ? this.decode(r, p, res.item) : null;
  }

  /**
   * GET with a resourceVersion (NotOlderThan): the object as of a state at least that new. A
   * revision the object's partition has not reached gets FRESHNESS_WAIT_MS, then "Too large
   * resource version". Another partition's "p:rev" says nothing about this one and bounds nothing.
   */
  async getNotOlderThan(
    r: ResourceInfo,
    namespace: string | undefined,
    name: string,
    rv: string,
  ): Promise<StoreResult<KObject | null>> {
    const { key, p, stub } = this.locate(r, namespace, name);
    const parsed = this.parse(rv, this.width(r));
    if ('ok' in parsed) return parsed;
    const want =
      parsed.kind === 'position'
        ? parsed.position[p]
        : parsed.kind === 'object' && parsed.partition === p
          ? parsed.rev
          : undefined;
    let res = await stub.get(key);
    if (want !== undefined && res.rev < want) {
      const late = await this.awaitPositions(r, [{ p, want }], rv);
      if (late) return late;
      res = await stub.get(key);
    }
    return { ok: true, value: res.item ? this.decode(r, p, res.item) : null };
  }

  async create(r: ResourceInfo, obj: KObject): Promise<StoreResult<KObject>> {
    const { key, p, stub } = this.locate(r, obj.metadata.namespace, obj.metadata.name!);
    const res = await stub.create(key, this.encode(r, obj), obj.metadata.uid ?? '');
    return this.written(r, p, res, obj);
  }

  /** Writes `obj` if the stored version still matches the preconditions (compare-and-swap). */
  async update(
    r: ResourceInfo,
    obj: KObject,
    pre: { resourceVersion?: string; uid?: string } = {},
  ): Promise<StoreResult<KObject>> {
    const { key, p, stub } = this.locate(r, obj.metadata.namespace, obj.metadata.name!);
    const rev = this.precondition(pre.resourceVersion, p, r);
    if (typeof rev === 'object') return rev;
    const res = await stub.update(
      key,
      this.encode(r, obj),
      { rev, uid: pre.uid },
      obj.metadata.uid,
    );
    return this.written(r, p, res, obj);
  }

  async delete(
    r: ResourceInfo,
    namespace: string | undefined,
    name: string,
    pre: { resourceVersion?: string; uid?: string } = {},
  ): Promise<StoreResult<KObject>> {
    const { key, p, stub } = this.locate(r, namespace, name);
    const rev = this.precondition(pre.resourceVersion, p, r);
    if (typeof rev === 'object') return rev;
    const res = await stub.delete(key, { rev, uid: pre.uid });
    if (!res.ok) return this.failure(r, p, res);
    const last = this.decode(r, p, res.prev!);
    last.metadata.resourceVersion = formatObjectRev(res.rev, p, this.width(r));
    return { ok: true, value: last };
  }

  /**
   * Read-modify-write with retry on conflict (the apiserver's GuaranteedUpdate). `mutate` gets a
   * fresh copy of the current object and returns the next one, or a failure to stop.
   */
  async guaranteedUpdate(
    r: ResourceInfo,
    namespace: string | undefined,
    name: string,
    mutate: (current: KObject) => Promise<KObject | StoreFailure> | KObject | StoreFailure,
    opts: { uid?: string; maxAttempts?: number } = {},
  ): Promise<StoreResult<KObject>> {
    let current = await this.get(r, namespace, name);
    for (let attempt = 0; attempt < (opts.maxAttempts ?? 64); attempt++) {
      if (!current) return { ok: false, reason: 'not-found' };
      const rv = current.metadata.resourceVersion;
      const next = await mutate(structuredClone(current));
      if ('ok' in next && next.ok === false) return next as StoreFailure;
      const res = await this.update(r, next as KObject, { resourceVersion: rv, uid: opts.uid });
      if (res.ok || res.reason !== 'conflict') return res;
      current = res.current ?? (await this.get(r, namespace, name));
    }
    return { ok: false, reason: 'conflict', message: 'too many concurrent updates; try again' };
  }

  async list(r: ResourceInfo, req: ListRequest): Promise<StoreResult<ListPage>> {
    const n = this.width(r);
    const prefix = namespacePrefix(r.namespaced ? req.namespace : undefined);
    let at: Position | undefined;
    let after: string | undefined;
    let floor: (number | undefined)[] = [];
    let asked = '';
    if (req.continue) {
      const token = decodeContinue(req.continue, n);
      if (!token) return { ok: false, reason: 'invalid', message: 'continue key is not valid' };
      at = token.position;
      after = token.key;
      asked = formatPosition(at);
    } else if (req.exact) {
      const parsed = this.parse(req.exact, n);
      if ('ok' in parsed) return parsed;
      if (parsed.kind !== 'position')
        return {
          ok: false,
          reason: 'invalid',
          message: `resourceVersion ${req.exact} is not a list resourceVersion`,
        };
      at = parsed.position;
      asked = req.exact;
    } else if (req.notOlderThan) {
      const parsed = this.parse(req.notOlderThan, n);
      if ('ok' in parsed) return parsed;
      // An object's "p:rev" bounds its own partition only.
      if (parsed.kind === 'position') floor = parsed.position;
      else if (parsed.kind === 'object' && parsed.partition !== undefined && parsed.partition < n)
        floor[parsed.partition] = parsed.rev;
      asked = req.notOlderThan;
    }
    const limit = req.limit && req.limit > 0 ? req.limit : undefined;
    const read = () =>
      Promise.all(
        Array.from({ length: n }, (_, p) =>
          this.shard(r, p).list({ prefix, startAfter: after, limit, atRev: at?.[p] }),
        ),
      );
    // Partitions that have not reached the position asked for: each gets FRESHNESS_WAIT_MS to get there.
    const behind = (pages: ListResult[]) =>
      pages.flatMap((page, p) => {
        const want = at?.[p] ?? floor[p];
        const rev = page.ok ? page.rev : page.reason === 'future' ? page.rev : undefined;
        return want !== undefined && rev !== undefined && rev < want ? [{ p, want }] : [];
      });
    let pages = await read();
    const late = behind(pages);
    if (late.length > 0) {
      const failure = await this.awaitPositions(r, late, asked);
      if (failure) return failure;
      pages = await read();
      if (behind(pages).length > 0) return this.tooLarge(r, asked);
    }
    const merged: { p: number; item: StoredItem }[] = [];
    const position: Position = [];
    // The smallest last key of a partition that stopped early (its row or byte cap, or `limit`):
    // beyond it that partition may hold keys it has not returned yet, so only keys up to it are
    // certain to be complete. Cutting there keeps the merged list in key order and lets one key
    // resume every partition exactly where the page ended.
    let frontier: string | undefined;
    for (let p = 0; p < n; p++) {
      const page = pages[p];
      if (!page.ok) {
        if (page.reason === 'future') return this.tooLarge(r, asked);
        const message = req.continue
          ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'
          : `too old resource version: ${asked} (${page.compactRev})`;
        return { ok: false, reason: 'expired', message };
      }
      position.push(page.rev);
      if (page.more) {
        const last = page.items[page.items.length - 1]?.key;
        if (last === undefined)
          throw new Error(`shard ${this.shardNameOf(r, p)} reported more keys but returned none`);
        if (frontier === undefined || last < frontier) frontier = last;
      }
      for (const item of page.items) merged.push({ p, item });
    }
    merged.sort((a, b) => (a.item.key < b.item.key ? -1 : a.item.key > b.item.key ? 1 : 0));
    const certain =
      frontier === undefined ? merged : merged.filter(({ item }) => item.key <= frontier!);
    const take = limit ? certain.slice(0, limit) : certain;
    const more = take.length < merged.length || frontier !== undefined;
    const items = take.map(({ p, item }) => this.decode(r, p, item));
    const page: ListPage = { items, resourceVersion: formatPosition(position) };
    if (more && take.length > 0)
      page.continue = encodeContinue({ position, key: take[take.length - 1].item.key });
    return { ok: true, value: page };
  }

  /**
   * Watches a namespace (or everything) from a position. Events carry the resourceVersion a client
   * resumes from: the shard revision, or for partitions the whole vector after this event.
   */
  watch(
    r: ResourceInfo,
    namespace: string | undefined,
    from: Position,
    signal?: AbortSignal,
    select: WatchSelection = {},
  ): AsyncGenerator<StoreEvent> {
    return this.events(r, namespace, from, signal, select, false) as AsyncGenerator<StoreEvent>;
  }

  /**
   * watch for a relay that sends objects on as served JSON and needs no parsed copy: the caller
   * serves the stored shape (no view, not a table) and filters nothing itself (no selectors, so no
   * previous versions either). Values not in the marked shape still come parsed.
   */
  watchRaw(
    r: ResourceInfo,
    namespace: string | undefined,
    from: Position,
    signal?: AbortSignal,
  ): AsyncGenerator<RawStoreEvent> {
    return this.events(r, namespace, from, signal, {}, true);
  }

  private async *events(
    r: ResourceInfo,
    namespace: string | undefined,
    from: Position,
    signal: AbortSignal | undefined,
    select: WatchSelection,
    raw: boolean,
  ): AsyncGenerator<RawStoreEvent> {
    const n = this.width(r);
    const prefix = namespacePrefix(r.namespaced ? namespace : undefined);
    const position = [...from];
    // A position the store has not reached is not served as the present (events up to it would
    // be skipped): wait a little for it, as the apiserver waits for its watch cache, then refuse.
    const late = await this.awaitPositions(
      r,
      from.map((want, p) => ({ p, want })),
      formatPosition(from),
    );
    if (late) {
      yield { type: 'RV_TOO_LARGE', message: late.message! };
      return;
    }
    const streams: AsyncGenerator<HubLine>[] = [];
    const aborter = new AbortController();
    const onAbort = () => aborter.abort();
    signal?.addEventListener('abort', onAbort);
    try {
      const responses = await Promise.all(
        Array.from({ length: n }, (_, p) => {
          const name = this.shardNameOf(r, p);
          const hub = this.env.HUBS.get(this.env.HUBS.idFromName(name));
          // The hub filters by the selectors, so only this watcher's events leave it.
          const qs = new URLSearchParams({
            shard: name,
            from: String(from[p]),
            prefix,
            resource: r.resource,
          });
          if (select.labelSelector) qs.set('labelSelector', select.labelSelector);
          if (select.fieldSelector) qs.set('fieldSelector', select.fieldSelector);
          return hub.fetch(`https://hub/watch?${qs}`, { signal: aborter.signal });
        }),
      );
      for (const res of responses) {
        if (!res.ok || !res.body) throw new Error(`watch hub answered ${res.status}`);
        streams.push(readLines(res.body, raw));
      }
      for await (const { index: p, value: line } of mergeStreams(streams)) {
        if ('expired' in line) {
          yield {
            type: 'EXPIRED',
            message: `too old resource version: ${formatPosition(from)} (${line.expired})`,
          };
          return;
        }
        if ('progress' in line) {
          if (line.progress <= position[p]) continue;
          position[p] = line.progress;
          yield { type: 'PROGRESS', resourceVersion: formatPosition(position) };
          continue;
        }
        position[p] = line.rev;
        const type = line.type === 0 ? 'ADDED' : line.type === 1 ? 'MODIFIED' : 'DELETED';
        const resourceVersion = formatPosition(position);
        if ('raw' in line) {
          const served = spliceResourceVersion(line.raw, resourceVersion);
          if (served !== undefined) {
            yield { type, raw: served, resourceVersion };
            continue;
          }
        }
        const object = ('raw' in line ? JSON.parse(line.raw) : line.value) as KObject;
        object.metadata.resourceVersion = resourceVersion;
        const ev: StoreEvent = { type, object, resourceVersion };
        if ('prev' in line && line.prev) {
          ev.prev = line.prev as KObject;
          ev.prev.metadata.resourceVersion = object.metadata.resourceVersion;
        }
        yield ev;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      aborter.abort();
      await Promise.allSettled(streams.map((s) => s.return(undefined)));
    }
  }

  /** A continue token that resumes a list at `listRV` right after `last`. */
  continueAfter(r: ResourceInfo, listRV: string, last: KObject): string {
    const parsed = parseResourceVersion(listRV, this.width(r));
    if (parsed.kind !== 'position') throw new Error(`not a list resourceVersion: ${listRV}`);
    return encodeContinue({
      position: parsed.position,
      key: objectKey(r.namespaced ? last.metadata.namespace : undefined, last.metadata.name!),
    });
  }

  /**
   * Whether `rv`, given as a precondition, names the version `current` is at. A partitioned kind
   * spells one object version two ways: "p:rev" (GET, list items, write answers) and the vector of
   * the watch event that carried it, whose component for the object's partition is that revision.
   * Both are accepted, so a client writing from an informer's cache is not refused. Returns
   * undefined when `rv` is not a resourceVersion at all.
   */
  sameVersion(r: ResourceInfo, rv: string, current: KObject): boolean | undefined {
    const n = this.width(r);
    const own = parseResourceVersion(current.metadata.resourceVersion, n);
    const at =
      own.kind === 'object'
        ? own
        : own.kind === 'position'
          ? { partition: 0, rev: own.position[0] }
          : undefined;
    if (!at) return false;
    try {
      return preconditionRev(rv, at.partition ?? 0, n) === at.rev;
    } catch (e) {
      if (e instanceof RevisionError) return undefined;
      throw e;
    }
  }

  /** Records a cluster-wide setting in the first shard on first use; returns what is recorded. */
  async ensureSetting(name: string, value: string): Promise<string> {
    const stub = this.env.SHARDS.get(this.env.SHARDS.idFromName('_cluster'));
    return stub.ensureSetting(name, value);
  }

  /** A cluster-wide setting, if one is recorded. */
  async getSetting(name: string): Promise<string | undefined> {
    return this.env.SHARDS.get(this.env.SHARDS.idFromName('_cluster')).getSetting(name);
  }

  /** Replaces a setting only if it still holds `expected`; returns what is recorded after. */
  async replaceSetting(name: string, expected: string, value: string): Promise<string> {
    const stub = this.env.SHARDS.get(this.env.SHARDS.idFromName('_cluster'));
    return stub.replaceSetting(name, expected, value);
  }

  /**
   * Waits until each partition `p` reaches revision `want` (FRESHNESS_WAIT_MS at most); answers the
   * apiserver's "Too large resource version" failure if one does not.
   */
  private async awaitPositions(
    r: ResourceInfo,
    wants: { p: number; want: number }[],
    asked: string,
  ): Promise<StoreFailure | undefined> {
    const revs = await Promise.all(
      wants.map(({ p, want }) => this.shard(r, p).awaitRevision(want, FRESHNESS_WAIT_MS)),
    );
    if (revs.every((rev, i) => rev >= wants[i].want)) return undefined;
    return this.tooLarge(r, asked);
  }

  private async tooLarge(r: ResourceInfo, asked: string): Promise<StoreFailure> {
    const current = await Promise.all(
      Array.from({ length: this.width(r) }, (_, p) => this.shard(r, p).awaitRevision(0, 0)),
    );
    return {
      ok: false,
      reason: 'rv-too-large',
      message: `Too large resource version: ${asked}, current: ${formatPosition(current)}`,
    };
  }

  private parse(rv: string, n: number): ParsedRV | StoreFailure {
    try {
      return parseResourceVersion(rv, n);
    } catch (e) {
      if (e instanceof RevisionError) return { ok: false, reason: 'invalid', message: e.message };
      throw e;
    }
  }

  private precondition(
    rv: string | undefined,
    p: number,
    r: ResourceInfo,
  ): number | undefined | StoreFailure {
    if (rv === undefined || rv === '') return undefined;
    try {
      return preconditionRev(rv, p, this.width(r));
    } catch (e) {
      return { ok: false, reason: 'invalid', message: (e as Error).message };
    }
  }

  private written(
    r: ResourceInfo,
    p: number,
    res: WriteResult,
    obj: KObject,
  ): StoreResult<KObject> {
    if (!res.ok) return this.failure(r, p, res);
    const resourceVersion = formatObjectRev(res.rev, p, this.width(r));
    return { ok: true, value: { ...obj, metadata: { ...obj.metadata, resourceVersion } } };
  }

  private failure(
    r: ResourceInfo,
    p: number,
    res: Extract<WriteResult, { ok: false }>,
  ): StoreFailure {
    return {
      ok: false,
      reason: res.reason,
      message: res.message,
      current: res.current ? this.decode(r, p, res.current) : undefined,
    };
  }
}
