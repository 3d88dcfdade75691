// Live updates: a Server-Sent Events stream that watches the kinds a view draws, through the API
// with the user's token (so RBAC applies as for kubectl's watches), and tells the page which kind
// changed; the page then re-fetches its fragment. Events are coalesced per kind for 30 ms.
import { collectionPath, apiFetch, KINDS, listScope, type KindName, type UiContext } from './api';

const COALESCE_MS = 30;
const HEARTBEAT_MS = 15_000;

export function isKindName(s: string): s is KindName {
  return Object.prototype.hasOwnProperty.call(KINDS, s);
}

/** Narrows the watches to one namespace, and to one object by name (the pod detail page). */
export interface StreamScope {
  namespace?: string;
  name?: string;
}

export async function eventStream(
  u: UiContext,
  kinds: KindName[],
  only: StreamScope = {},
): Promise<Response> {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const enc = new TextEncoder();
  const abort = new AbortController();
  const pending = new Set<string>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    abort.abort();
    clearInterval(heartbeat);
    if (flushTimer) clearTimeout(flushTimer);
    writer.close().catch(() => {});
  };
  const send = (text: string) => {
    if (closed) return;
    writer.write(enc.encode(text)).catch(close);
  };
  const changed = (kind: string) => {
    pending.add(kind);
    flushTimer ??= setTimeout(() => {
      flushTimer = undefined;
      for (const k of pending) send(`event: change\ndata: ${k}\n\n`);
      pending.clear();
    }, COALESCE_MS);
  };
  const heartbeat = setInterval(() => send(': keep-alive\n\n'), HEARTBEAT_MS);

  /** Watches one collection; true when a running watch ended (false: it could not start). */
  async function watch(kind: KindName, path: string, started: () => void): Promise<boolean> {
    // Start at the current state: a list of one gives the resourceVersion to watch from.
    const head = await apiFetch(u, `${path}?limit=1`, { signal: abort.signal });
    if (!head.ok) return false;
    const rv = ((await head.json()) as { metadata?: { resourceVersion?: string } }).metadata
      ?.resourceVersion;
    const field = only.name
      ? `&fieldSelector=${encodeURIComponent(`metadata.name=${only.name}`)}`
      : '';
    const r = await apiFetch(
      u,
      `${path}?watch=1&allowWatchBookmarks=false&resourceVersion=${encodeURIComponent(rv ?? '')}${field}`,
      { signal: abort.signal },
    );
    if (!r.ok || !r.body) return false;
    started();
    const reader = r.body.getReader();
    abort.signal.addEventListener('abort', () => reader.cancel().catch(() => {}));
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.includes(10)) changed(kind);
    }
    return true;
  }

  send(': open\n\n');
  const starts: Promise<void>[] = [];
  for (const kind of kinds) {
    const k = KINDS[kind];
    let scope = await listScope(u, k);
    if (only.namespace && k.namespaced)
      scope = scope === undefined || scope.includes(only.namespace) ? [only.namespace] : [];
    const paths =
      scope === undefined ? [collectionPath(k)] : scope.map((ns) => collectionPath(k, ns));
    for (const p of paths) {
      let started!: () => void;
      starts.push(new Promise<void>((res) => (started = res)));
      // A watch the API ends (its timeout) ends the stream; EventSource reconnects and refreshes.
      void watch(kind, p, started)
        .catch(() => false)
        .then((ran) => (ran ? close() : started()));
    }
  }
  // Once every watch runs, one change note: the page re-renders what changed between its render and
  // the watches' start (and after a reconnect), so no change falls in that gap.
  void Promise.all(starts).then(() => changed('*'));
  return new Response(readable, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    },
  });
}
