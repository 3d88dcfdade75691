// One watch of one kind over every namespace, shared by all the dashboard streams a UiHub serves. It
// starts from a list of one (the current position), resumes from the last position it saw when its
// stream ends, and lists again when the history it would resume from is gone (410 Expired): then every
// subscriber is told the kind changed, since some change may have been missed.
import type { KObject } from '../../api/types';
import type { ResourceInfo } from '../../api/resources';
import { parseResourceVersion, type Position } from '../../storage/revision';
import type { Store, StoreEvent } from '../../storage/store';

/** Where the events come from: the store's watch (a test may wrap it). */
export type WatchSource = (
  r: ResourceInfo,
  from: Position,
  signal: AbortSignal,
) => AsyncIterable<StoreEvent>;

export interface KindWatchHooks {
  /** One object changed (the object as it is now, or as it was when deleted). */
  changed(object: KObject): void;
  /** The watch listed again: any object may have changed meanwhile. */
  relisted(): void;
}

export interface KindWatchStats {
  running: boolean;
  /** Lists made to find a position: one at the start, one after each 410. */
  lists: number;
  /** Watch streams opened on the watch hubs (resumes included). */
  streams: number;
  events: number;
}

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

export class KindWatch {
  private abort: AbortController | undefined;
  private readyPromise: Promise<void> | undefined;
  private counts = { lists: 0, streams: 0, events: 0 };

  constructor(
    private readonly store: Store,
    readonly resource: ResourceInfo,
    private readonly source: () => WatchSource,
    private readonly hooks: KindWatchHooks,
  ) {}

  get running(): boolean {
    return this.abort !== undefined;
  }

  /** Starts the watch if it is not running; resolves once it has a position (changes after it reach hooks). */
  start(): Promise<void> {
    if (this.abort && this.readyPromise) return this.readyPromise;
    const abort = new AbortController();
    this.abort = abort;
    let ready!: () => void;
    this.readyPromise = new Promise<void>((res) => (ready = res));
    void this.run(abort.signal, ready);
    return this.readyPromise;
  }

  stop(): void {
    this.abort?.abort();
    this.abort = undefined;
    this.readyPromise = undefined;
  }

  stats(): KindWatchStats {
    return { running: this.running, ...this.counts };
  }

  private async list(): Promise<Position> {
    this.counts.lists++;
    const page = await this.store.list(this.resource, { limit: 1 });
    if (!page.ok) throw new Error(`list ${this.resource.resource}: ${page.message ?? page.reason}`);
    return this.parse(page.value.resourceVersion);
  }

  private parse(rv: string): Position {
    const p = parseResourceVersion(rv, this.store.width(this.resource));
    if (p.kind !== 'position') throw new Error(`not a list resourceVersion: ${rv}`);
    return p.position;
  }

  private async run(signal: AbortSignal, ready: () => void): Promise<void> {
    let delay = RETRY_MIN_MS;
    let first = true;
    let position: Position | undefined;
    while (!signal.aborted) {
      try {
        if (!position) {
          position = await this.list();
          if (first) ready();
          else this.hooks.relisted();
          first = false;
        }
        this.counts.streams++;
        let brought = false;
        for await (const ev of this.source()(this.resource, position, signal)) {
          if (signal.aborted) return;
          brought = true;
          if (ev.type === 'EXPIRED' || ev.type === 'RV_TOO_LARGE') {
            position = undefined;
            break;
          }
          position = this.parse(ev.resourceVersion);
          if (ev.type === 'PROGRESS') continue;
          this.counts.events++;
          this.hooks.changed(ev.object);
        }
        // The stream ended (a hub cut it, or a 410): resume, or list again, at once, unless it ended
        // before bringing anything (then after a pause, as after an error).
        if (brought) {
          delay = RETRY_MIN_MS;
          continue;
        }
      } catch (e) {
        if (signal.aborted) return;
        console.error(`dashboard watch of ${this.resource.resource} failed, retrying`, e);
      }
      await new Promise((res) => setTimeout(res, delay));
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }
}
