// Live updates: a Server-Sent Events stream that tells the page which of the kinds it draws changed;
// the page then re-fetches its fragment with the user's own token. Events are coalesced per kind for
// 30 ms. With the UI_HUB binding (wrangler.toml), every stream is served by one UiHub Durable Object
// holding one watch per kind for the whole cluster (src/ui/hub), so N open dashboards cost the watch
// hubs one watch per kind, not N. Without it (a deployment whose config predates the binding) each
// stream watches through the API itself, as the user, one watch per kind and allowed namespace.
import type { Env } from '../server/env';
import { collectionPath, apiFetch, KINDS, listScope, type KindName, type UiContext } from './api';
import type { UiHub } from './hub/ui-hub';
import type { SubscriberRequest } from './hub/subscriber';

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

/** The API Worker's env with the dashboard's fan-out Durable Object. */
export type UiHubEnv = Env & { UI_HUB?: DurableObjectNamespace<UiHub> };

/** The one UiHub of the cluster (tests address others by name). */
export const UI_HUB_NAME = 'ui';

export async function eventStream(
  u: UiContext,
  kinds: KindName[],
  only: StreamScope = {},
): Promise<Response> {
  const hubs = (u.env as UiHubEnv).UI_HUB;
  return hubs ? hubStream(hubs, u, kinds, only) : directStream(u, kinds, only);
}

/** The stream from the cluster's UiHub, which checks the user's rights itself (src/ui/hub/scope.ts). */
async function hubStream(
  hubs: DurableObjectNamespace<UiHub>,
  u: UiContext,
  kinds: KindName[],
  only: StreamScope,
): Promise<Response> {
  const body: SubscriberRequest = { user: u.user, token: u.token, kinds, ...only };
  const hub = hubs.get(hubs.idFromName(UI_HUB_NAME));
  const r = await hub.fetch('https://ui-hub/subscribe', {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return new Response(r.body, { status: r.status, headers: r.headers });
}

/** One stream's own watches through the API, as the user. */
async function directStream(u: UiContext, kinds: KindName[], only: StreamScope): Promise<Response> {
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
