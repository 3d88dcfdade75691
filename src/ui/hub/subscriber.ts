// One dashboard stream held by the UiHub: the Server-Sent Events the page's script already reads
// (`event: change` with the kind's name as data, `*` for "anything"), coalesced per kind for 30 ms,
// with a comment line as keep-alive. The hub decides which notes reach it; this only writes them.
import type { User } from '../../server/auth/authenticate';
import type { Scope } from './scope';

const COALESCE_MS = 30;
const HEARTBEAT_MS = 15_000;

export interface SubscriberRequest {
  user: User;
  kinds: string[];
  /** The page's narrowing: one namespace, and one object by name (the pod detail page). */
  namespace?: string;
  name?: string;
}

const encoder = new TextEncoder();

export class Subscriber {
  readonly readable: ReadableStream<Uint8Array>;
  /** Per kind: where this identity may hear about changes (set by the hub, re-checked on RBAC change). */
  readonly scopes = new Map<string, Scope>();
  /** Kinds whose shared watch this subscriber holds. */
  readonly held = new Set<string>();
  closed = false;
  /** Notes written, for tests and benches. */
  sent = 0;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly pending = new Set<string>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly onClose: (s: Subscriber) => void;

  constructor(
    readonly req: SubscriberRequest,
    onClose: (s: Subscriber) => void,
  ) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    this.readable = readable;
    this.writer = writable.getWriter();
    this.onClose = onClose;
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), HEARTBEAT_MS);
    this.write(': open\n\n');
  }

  /** A kind changed where this subscriber may look (`*`: anything may have). */
  note(kind: string): void {
    if (this.closed) return;
    this.pending.add(kind);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      for (const k of this.pending) {
        this.sent++;
        this.write(`event: change\ndata: ${k}\n\n`);
      }
      this.pending.clear();
    }, COALESCE_MS);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.writer.close().catch(() => {});
    this.onClose(this);
  }

  private write(text: string): void {
    if (this.closed) return;
    // A write fails once the browser has gone: that is how the hub learns a stream ended.
    this.writer.write(encoder.encode(text)).catch(() => this.close());
  }
}
