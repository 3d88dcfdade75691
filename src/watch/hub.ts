// WatchHub: fans one shard's events out to many watch streams, resumable by revision.
import { DurableObject } from 'cloudflare:workers';
import type { StorageShard } from '../storage/shard';
import type { LogEvent } from '../storage/types';
import type { KObject } from '../api/types';
import { parseLabelSelector } from '../lib/labels';
import { parseFieldSelector } from '../lib/fields';
import { indexedField, selectionMatcher, type FieldGetter } from '../registry/field-labels';
import { encodeHubLine, HUB_CONTENT_TYPE } from './framing';
import { BoundedStream, type QueueBudget } from './bounded-stream';

export interface HubEnv {
  SHARDS: DurableObjectNamespace<StorageShard>;
  /** Milliseconds between progress notes to idle watchers (bookmarks, composite revisions). */
  WATCH_PROGRESS_MS?: string;
}

/** Recent events kept in memory so that new watchers start without reading the shard. */
const RING_EVENTS = 4096;
const RING_BYTES = 16 * 1024 * 1024;
/**
 * Per watcher: catch-up pauses while 64 KiB wait unread; a live event finding more than 4 MiB unread
 * cuts the watcher (it resumes from its last revision; 4 MiB rides out a rollout's burst of pod
 * events). Per hub: when all watchers together hold more than 32 MiB, the furthest behind is cut.
 * So a hub's memory is its ring plus at most 32 MiB (and one event per watcher), whoever stops reading.
 */
export const WATCHER_HIGH_WATER = 64 * 1024;
export const WATCHER_MAX_QUEUED = 4 * 1024 * 1024;
export const HUB_MAX_QUEUED = 32 * 1024 * 1024;
/** Catch-up reads from the shard in small pages, so a paused catch-up holds little. */
const CATCH_UP_PAGE = 200;
/** Renewal also catches up on anything a lost push dropped, so it bounds how stale a hub can be. */
const RENEW_MS = 5_000;

interface Watcher {
  prefix: string;
  /** Every matching event at or below this revision has been delivered (or skipped as non-matching). */
  cursor: number;
  live: boolean;
  closed: boolean;
  out: BoundedStream;
  progressSent: number;
  /** Label and field selectors; undefined when the watcher takes every object under its prefix. */
  match?: (o: KObject) => boolean;
  /** The indexed field's value this watcher pins (spec.nodeName=<node>), if it pins one. */
  trigger?: string;
}

/** What the hub counts, for tests and benches: memory held for readers and watchers cut. */
export interface HubStats {
  watchers: number;
  queuedBytes: number;
  peakQueuedBytes: number;
  cut: number;
  /** Events and bytes sent to watchers since the hub started. */
  sentEvents: number;
  sentBytes: number;
}

const encoder = new TextEncoder();

export class WatchHub extends DurableObject<HubEnv> {
  private shardName = '';
  /** Highest revision the ring is complete up to; undefined until subscribed. */
  private lastRev: number | undefined;
  /** The ring holds every event in (ringFrom - 1, lastRev]. */
  private ringFrom = 0;
  private ring: LogEvent[] = [];
  private ringBytes = 0;
  private watchers = new Set<Watcher>();
  /** Watchers without a trigger value get every event (then their own filter); the rest only events of their value. */
  private unindexed = new Set<Watcher>();
  private byTrigger = new Map<string, Set<Watcher>>();
  /** The indexed field of this hub's resource (set by the first watcher that names the resource). */
  private trigger: { field: string; value: FieldGetter } | undefined;
  private budget: QueueBudget = { queued: 0, peak: 0 };
  private counts = { cut: 0, sentEvents: 0, sentBytes: 0 };
  private subscribedAt = 0;
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const q = url.searchParams;
    const shard = q.get('shard');
    if (!shard) return new Response('missing shard', { status: 400 });
    this.shardName = shard;
    const from = Number(q.get('from') ?? '0');
    const prefix = q.get('prefix') ?? '';
    let match: ((o: KObject) => boolean) | undefined;
    let trigger: string | undefined;
    const resource = q.get('resource') ?? '';
    try {
      const labels = q.get('labelSelector')
        ? parseLabelSelector(q.get('labelSelector')!)
        : undefined;
      const fields = q.get('fieldSelector')
        ? parseFieldSelector(q.get('fieldSelector')!)
        : undefined;
      match = selectionMatcher(resource, labels, fields);
      this.trigger ??= indexedField(resource);
      if (this.trigger && fields) trigger = fields.exactMatch(this.trigger.field);
    } catch (e) {
      return new Response(`bad selector: ${(e as Error).message}`, { status: 400 });
    }
    await this.ensureSubscribed();

    const w: Watcher = {
      prefix,
      cursor: from,
      live: false,
      closed: false,
      progressSent: from,
      match,
      trigger,
      out: new BoundedStream({
        highWaterMark: WATCHER_HIGH_WATER,
        limit: WATCHER_MAX_QUEUED,
        budget: this.budget,
        onEnd: () => {
          if (w.out.wasCut && !w.closed) this.counts.cut++;
          this.drop(w);
        },
      }),
    };
    this.watchers.add(w);
    if (trigger === undefined) this.unindexed.add(w);
    else {
      let set = this.byTrigger.get(trigger);
      if (!set) this.byTrigger.set(trigger, (set = new Set()));
      set.add(w);
    }
    this.ensureTimer();
    // Headers go out now; the catch-up runs while the client already holds the stream.
    void this.catchUp(w);
    return new Response(w.out.readable, { headers: { 'content-type': HUB_CONTENT_TYPE } });
  }

  /** Called by the shard with committed events, in revision order. */
  async publish(events: LogEvent[]): Promise<void> {
    this.chain = this.chain.then(() => this.ingest(events)).catch(() => undefined);
    await this.chain;
  }

  stats(): HubStats {
    return {
      watchers: this.watchers.size,
      queuedBytes: this.budget.queued,
      peakQueuedBytes: this.budget.peak,
      ...this.counts,
    };
  }

  private async ingest(events: LogEvent[]): Promise<void> {
    for (const e of events) {
      if (this.lastRev === undefined) {
        this.lastRev = e.rev - 1;
        this.ringFrom = e.rev;
      }
      if (e.rev <= this.lastRev) continue;
      if (e.rev > this.lastRev + 1) await this.fillGap(e.rev - 1);
      if (e.rev <= this.lastRev) continue;
      this.append(e);
    }
  }

  /** Reads missed events from the shard so the ring stays gap-free. */
  private async fillGap(upTo: number): Promise<void> {
    while (this.lastRev !== undefined && this.lastRev < upTo) {
      const res = await this.shard().readLog(this.lastRev, 1000);
      if (!res.ok) {
        // History is gone: restart the ring; watchers behind it are told to relist.
        this.resetRing(upTo);
        for (const w of this.watchers) if (w.cursor < upTo) this.expire(w, res.compactRev);
        return;
      }
      for (const e of res.events) if (e.rev > this.lastRev) this.append(e);
      if (!res.more) {
        if (this.lastRev < res.rev) this.lastRev = res.rev;
        return;
      }
    }
  }

  private append(e: LogEvent): void {
    this.ring.push(e);
    this.ringBytes += e.value.length + (e.prev?.length ?? 0);
    this.lastRev = e.rev;
    while (
      this.ring.length > RING_EVENTS ||
      (this.ringBytes > RING_BYTES && this.ring.length > 1)
    ) {
      const old = this.ring.shift()!;
      this.ringBytes -= old.value.length + (old.prev?.length ?? 0);
      this.ringFrom = old.rev + 1;
    }
    this.dispatch(e);
  }

  /**
   * Sends a new event to the live watchers that may want it: the unindexed ones, and those pinned to
   * the indexed field's value in the object or in its previous version (an object leaving a
   * watcher's selection still reaches it, as a DELETED).
   * k8s: staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go (dispatchEvent, triggerValues)
   */
  private dispatch(e: LogEvent): void {
    const parsed = new ParsedEvent(e);
    const targets: Iterable<Watcher>[] = [this.unindexed];
    if (this.byTrigger.size > 0 && this.trigger) {
      const now = parsed.object() ? (this.trigger.value(parsed.object()!) ?? '') : '';
      const before = parsed.previous() ? (this.trigger.value(parsed.previous()!) ?? '') : now;
      const a = this.byTrigger.get(now);
      if (a) targets.push(a);
      const b = before !== now ? this.byTrigger.get(before) : undefined;
      if (b) targets.push(b);
    }
    for (const set of targets) {
      for (const w of [...set]) {
        if (w.live && e.rev > w.cursor) this.deliver(w, parsed, 'live');
      }
    }
  }

  private resetRing(rev: number): void {
    this.ring = [];
    this.ringBytes = 0;
    this.lastRev = rev;
    this.ringFrom = rev + 1;
  }

  /** The index of the first ring event after `rev`. */
  private ringIndexAfter(rev: number): number {
    let lo = 0;
    let hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ring[mid].rev <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Brings a new watcher from its start revision up to the live ring, then makes it live. Catch-up
   * follows the reader's pace (it waits while the reader is behind) instead of queueing history.
   */
  private async catchUp(w: Watcher): Promise<void> {
    try {
      while (!w.closed) {
        if (w.cursor >= this.ringFrom - 1) {
          let i = this.ringIndexAfter(w.cursor);
          while (i < this.ring.length && !w.closed) {
            if (w.out.queued >= WATCHER_HIGH_WATER) {
              if (!(await w.out.ready())) return;
              // The ring moved while we waited: find our place again, or fall back to the shard.
              if (w.cursor < this.ringFrom - 1) break;
              i = this.ringIndexAfter(w.cursor);
              continue;
            }
            this.deliver(w, new ParsedEvent(this.ring[i]), 'paced');
            i++;
          }
          if (w.closed) return;
          if (i < this.ring.length || w.cursor < this.ringFrom - 1) continue;
          // Caught up with no await since the last ring event: from here on append() delivers.
          const last = this.lastRev ?? 0;
          if (w.cursor < last) w.cursor = last;
          w.live = true;
          return;
        }
        const res = await this.shard().readLog(w.cursor, CATCH_UP_PAGE, w.prefix);
        if (w.closed) return;
        if (!res.ok) return this.expire(w, res.compactRev);
        for (const e of res.events) {
          if (e.rev <= w.cursor) continue;
          if (w.out.queued >= WATCHER_HIGH_WATER && !(await w.out.ready())) return;
          this.deliver(w, new ParsedEvent(e), 'paced');
        }
        // The read covered everything up to res.rev for this prefix, matching or not.
        if (res.rev > w.cursor) w.cursor = res.rev;
      }
    } catch {
      this.cut(w);
    }
  }

  /** Live events are offered (a watcher too far behind is cut); catch-up has paced itself already. */
  private deliver(w: Watcher, p: ParsedEvent, mode: 'live' | 'paced'): void {
    if (w.closed) return;
    w.cursor = p.e.rev;
    if (!p.e.key.startsWith(w.prefix)) return;
    if (w.match && !p.matches(w.match)) return;
    const bytes = p.bytes(w.match !== undefined);
    const ok = mode === 'live' ? w.out.offer(bytes) : w.out.write(bytes);
    if (!ok) return;
    this.counts.sentEvents++;
    this.counts.sentBytes += bytes.byteLength;
    this.enforceBudget();
  }

  /** All watchers together may hold HUB_MAX_QUEUED bytes; past that the one furthest behind goes. */
  private enforceBudget(): void {
    while (this.budget.queued > HUB_MAX_QUEUED) {
      let worst: Watcher | undefined;
      for (const w of this.watchers) if (!worst || w.out.queued > worst.out.queued) worst = w;
      if (!worst || worst.out.queued === 0) return;
      this.cut(worst);
    }
  }

  private send(w: Watcher, line: string): void {
    if (w.out.offer(encoder.encode(line))) this.enforceBudget();
  }

  private expire(w: Watcher, compactRev: number): void {
    if (w.closed) return;
    w.out.write(encoder.encode(JSON.stringify({ expired: compactRev }) + '\n'));
    w.out.close();
    this.drop(w);
  }

  /** Too slow: the stream ends now, its queue dropped; the client resumes from its last revision. */
  private cut(w: Watcher): void {
    if (w.closed) return;
    w.out.cut();
  }

  private drop(w: Watcher): void {
    if (w.closed) return;
    w.closed = true;
    this.watchers.delete(w);
    this.unindexed.delete(w);
    if (w.trigger !== undefined) {
      const set = this.byTrigger.get(w.trigger);
      set?.delete(w);
      if (set && set.size === 0) this.byTrigger.delete(w.trigger);
    }
    if (this.watchers.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private shard(): DurableObjectStub<StorageShard> {
    return this.env.SHARDS.get(this.env.SHARDS.idFromName(this.shardName));
  }

  /** Subscribes to the shard's pushes, and catches up on anything a lost push dropped. */
  private async ensureSubscribed(): Promise<void> {
    if (Date.now() - this.subscribedAt < RENEW_MS && this.lastRev !== undefined) return;
    const s = await this.shard().subscribe();
    const lapsed = Date.now() - this.subscribedAt > 60_000;
    this.subscribedAt = Date.now();
    if (this.lastRev === undefined || (lapsed && this.watchers.size === 0)) {
      // Nothing was pushed to us for a while: start a fresh ring at the shard's revision.
      this.resetRing(s.rev);
    } else if (s.rev > this.lastRev) {
      this.chain = this.chain.then(() => this.fillGap(s.rev)).catch(() => undefined);
      await this.chain;
    }
  }

  private ensureTimer(): void {
    if (this.timer) return;
    const every = Math.max(50, Number(this.env.WATCH_PROGRESS_MS) || 5000);
    this.timer = setInterval(() => void this.tick(), every);
  }

  /** Keeps the subscription alive and tells live watchers how far they are caught up. */
  private async tick(): Promise<void> {
    try {
      await this.ensureSubscribed();
    } catch {
      return;
    }
    const last = this.lastRev ?? 0;
    for (const w of [...this.watchers]) {
      if (!w.live || w.closed) continue;
      if (w.cursor < last) w.cursor = last;
      if (w.cursor > w.progressSent) {
        w.progressSent = w.cursor;
        this.send(w, JSON.stringify({ progress: w.cursor }) + '\n');
      }
    }
  }
}

/** One event, its lines encoded and its objects parsed at most once however many watchers look at it. */
class ParsedEvent {
  private full: Uint8Array | undefined;
  private bare: Uint8Array | undefined;
  private obj: KObject | null | undefined;
  private prev: KObject | null | undefined;
  constructor(readonly e: LogEvent) {}

  /** The encoded line, with the previous version for a watcher with selectors, else without. */
  bytes(withPrev: boolean): Uint8Array {
    if (withPrev && this.e.prev !== undefined)
      return (this.full ??= encoder.encode(encodeHubLine(this.e, true)));
    return (this.bare ??= encoder.encode(encodeHubLine(this.e, false)));
  }

  object(): KObject | null {
    if (this.obj === undefined) this.obj = parse(this.e.value);
    return this.obj;
  }

  previous(): KObject | null {
    if (this.prev === undefined) this.prev = this.e.prev !== undefined ? parse(this.e.prev) : null;
    return this.prev;
  }

  /**
   * The object now matches, or it matched before this event (it leaves the selection: the API
   * sends DELETED). A delete's value is the last state, so it is judged by that.
   * k8s: staging/src/k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go (convertToWatchEvent)
   */
  matches(m: (o: KObject) => boolean): boolean {
    const now = this.object();
    if (now && m(now)) return true;
    const before = this.previous();
    return !!before && m(before);
  }
}

function parse(value: string): KObject | null {
  try {
    return JSON.parse(value) as KObject;
  } catch {
    return null;
  }
}
