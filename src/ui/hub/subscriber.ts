// One dashboard stream held by the UiHub: the Server-Sent Events the page's script already reads
// (`event: change` with the kind's name as data, `*` for "anything"), one per kind per flush, with
// a comment line as keep-alive. The hub decides which notes reach it and when to flush.
import type { User } from '../../server/auth/authenticate';
import type { Scope } from './scope';

const HEARTBEAT_MS = 15_000;
/** Messages a stream may leave unread before it is ended (the page reconnects and re-renders). */
const MAX_UNREAD = 1000;

export interface SubscriberRequest {
  user: User;
  /** The bearer token the user signed in with: authenticated again while the stream is open. */
  token?: string;
  kinds: string[];
  /** The page's narrowing: one namespace, and one object by name (the pod detail page). */
  namespace?: string;
  name?: string;
}

const encoder = new TextEncoder();
/** Each kind's note is encoded once for every stream. */
const encoded = new Map<string, Uint8Array>();
function noteBytes(kind: string): Uint8Array {
  let b = encoded.get(kind);
  if (!b) encoded.set(kind, (b = encoder.encode(`event: change\ndata: ${kind}\n\n`)));
  return b;
}

export class Subscriber {
  readonly readable: ReadableStream<Uint8Array>;
  /** Per kind: where this identity may hear about changes (set by the hub, re-checked on RBAC change). */
  readonly scopes = new Map<string, Scope>();
  /** Kinds whose shared watch this subscriber holds. */
  readonly held = new Set<string>();
  /** Scope computations started for this subscriber: only the latest may set `scopes`. */
  scopeGen = 0;
  closed = false;
  /** Notes written, for tests and benches. */
  sent = 0;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly pending = new Set<string>();
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
    // The browser going away cancels the readable, which errors the writable: leave at once, not at
    // the next note or keep-alive (up to 15 s on a quiet cluster, holding the shared watches).
    this.writer.closed.catch(() => this.close());
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), HEARTBEAT_MS);
    this.write(': open\n\n');
  }

  /**
   * A kind changed where this subscriber may look (`*`: anything may have). True when the
   * subscriber had nothing pending: the caller then schedules a flush (one timer for all streams).
   */
  note(kind: string): boolean {
    if (this.closed) return false;
    const idle = this.pending.size === 0;
    this.pending.add(kind);
    return idle;
  }

  /** Writes the pending notes. */
  flush(): void {
    for (const k of this.pending) {
      this.sent++;
      this.write(noteBytes(k));
    }
    this.pending.clear();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.writer.close().catch(() => {});
    this.onClose(this);
  }

  private write(text: string | Uint8Array): void {
    if (this.closed) return;
    // A write fails once the browser has gone: that is how the hub learns a stream ended.
    const unread = this.writer.desiredSize;
    if (unread !== null && unread < -MAX_UNREAD) {
      this.close();
      return;
    }
    const bytes = typeof text === 'string' ? encoder.encode(text) : text;
    this.writer.write(bytes).catch(() => this.close());
  }
}
