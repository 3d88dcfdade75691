// WatchHub: fans one shard's events out to many watch streams, resumable by revision.
import { DurableObject } from 'cloudflare:workers';
import type { StorageShard } from '../storage/shard';
import type { LogEvent } from '../storage/types';
import { encodeHubLine, HUB_CONTENT_TYPE } from './framing';

export interface HubEnv {
  SHARDS: DurableObjectNamespace<StorageShard>;
  /** Milliseconds between progress notes to idle watchers (bookmarks, composite revisions). */
  WATCH_PROGRESS_MS?: string;
}

/** Recent events kept in memory so that new watchers start without reading the shard. */
const RING_EVENTS = 4096;
const RING_BYTES = 16 * 1024 * 1024;
/** A watcher this far behind (bytes queued and unread) is cut off; it resumes from its last revision. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
/** Renewal also catches up on anything a lost push dropped, so it bounds how stale a hub can be. */
const RENEW_MS = 5_000;

interface Watcher {
  prefix: string;
  /** Every matching event at or below this revision has been delivered (or skipped as non-matching). */
  cursor: number;
  live: boolean;
  closed: boolean;
  controller: ReadableStreamDefaultController<Uint8Array>;
  progressSent: number;
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
  private subscribedAt = 0;
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const shard = url.searchParams.get('shard');
    if (!shard) return new Response('missing shard', { status: 400 });
    this.shardName = shard;
    const from = Number(url.searchParams.get('from') ?? '0');
    const prefix = url.searchParams.get('prefix') ?? '';
    await this.ensureSubscribed();

    let watcher!: Watcher;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          watcher = { prefix, cursor: from, live: false, closed: false, controller, progressSent: from };
        },
        cancel: () => this.drop(watcher),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 256 * 1024 }),
    );
    this.watchers.add(watcher);
    this.ensureTimer();
    // Headers go out now; the catch-up runs while the client already holds the stream.
    void this.catchUp(watcher);
    return new Response(stream, { headers: { 'content-type': HUB_CONTENT_TYPE } });
  }

  /** Called by the shard with committed events, in revision order. */
  async publish(events: LogEvent[]): Promise<void> {
    this.chain = this.chain.then(() => this.ingest(events)).catch(() => undefined);
    await this.chain;
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
    while (this.ring.length > RING_EVENTS || (this.ringBytes > RING_BYTES && this.ring.length > 1)) {
      const old = this.ring.shift()!;
      this.ringBytes -= old.value.length + (old.prev?.length ?? 0);
      this.ringFrom = old.rev + 1;
    }
    for (const w of this.watchers) {
      if (w.live && e.rev > w.cursor) this.deliver(w, e);
    }
  }

  private resetRing(rev: number): void {
    this.ring = [];
    this.ringBytes = 0;
    this.lastRev = rev;
    this.ringFrom = rev + 1;
  }

  /** Brings a new watcher from its start revision up to the live ring, then makes it live. */
  private async catchUp(w: Watcher): Promise<void> {
    try {
      while (!w.closed) {
        const last = this.lastRev ?? 0;
        if (w.cursor >= this.ringFrom - 1) {
          for (const e of this.ring) if (e.rev > w.cursor) this.deliver(w, e);
          if (w.cursor < last) w.cursor = last;
          w.live = true;
          return;
        }
        const res = await this.shard().readLog(w.cursor, 1000, w.prefix);
        if (w.closed) return;
        if (!res.ok) return this.expire(w, res.compactRev);
        for (const e of res.events) if (e.rev > w.cursor) this.deliver(w, e);
        // The read covered everything up to res.rev for this prefix, matching or not.
        if (res.rev > w.cursor) w.cursor = res.rev;
      }
    } catch (err) {
      this.cut(w);
    }
  }

  private deliver(w: Watcher, e: LogEvent): void {
    if (w.closed) return;
    w.cursor = e.rev;
    if (!e.key.startsWith(w.prefix)) return;
    this.send(w, encodeHubLine(e));
  }

  private send(w: Watcher, line: string): void {
    const size = w.controller.desiredSize;
    if (size !== null && size < -MAX_QUEUED_BYTES) {
      // Too slow: close rather than buffer without bound. The client resumes from its last revision.
      this.cut(w);
      return;
    }
    w.controller.enqueue(encoder.encode(line));
  }

  private expire(w: Watcher, compactRev: number): void {
    if (w.closed) return;
    w.controller.enqueue(encoder.encode(JSON.stringify({ expired: compactRev }) + '\n'));
    this.cut(w);
  }

  private cut(w: Watcher): void {
    if (w.closed) return;
    try {
      w.controller.close();
    } catch {
      // already errored or closed by the reader
    }
    this.drop(w);
  }

  private drop(w: Watcher): void {
    w.closed = true;
    this.watchers.delete(w);
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
    for (const w of this.watchers) {
      if (!w.live || w.closed) continue;
      if (w.cursor < last) w.cursor = last;
      if (w.cursor > w.progressSent) {
        w.progressSent = w.cursor;
        this.send(w, JSON.stringify({ progress: w.cursor }) + '\n');
      }
    }
  }
}
