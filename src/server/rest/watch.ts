// WATCH: a chunked stream of JSON lines, headers flushed at once, resumable by resourceVersion.
import type { KObject } from '../../api/types';
import { groupVersion } from '../../api/resources';
import { parseResourceVersion, RevisionError, type Position } from '../../storage/revision';
import { buildTable } from '../../registry/tables';
import { defaultPrinter } from '../../registry/tables/default';
import { definitionFor } from '../../registry/registry';
import { pickRendering } from '../negotiate';
import { errors, orderedStatus } from '../errors';
import { tooLargeResourceVersion } from './failures';
import type { ApiContext } from '../context';
import { parseFilter, type ObjectFilter } from './filter';
import { listObjects } from './read';
import { includeObject } from './render';
import { toView } from './view';
import { BoundedStream } from '../../watch/bounded-stream';
import type { StoreEvent } from '../../storage/store';

/**
 * Per client watch: once 64 KiB wait unread the API stops reading the hubs until the client catches
 * up, so a watch holds at most that plus one event here, and backpressure reaches the hubs (which
 * pace a catch-up, and cut a live watcher left 1 MiB behind). A client that reads nothing for 10 s
 * while data waits is cut, as the apiserver stops a watcher whose buffer stays full.
 */
export const CLIENT_HIGH_WATER = 64 * 1024;
export const CLIENT_STALL_MS = 10_000;
import { boolParam } from '../query-params';

/** Without timeoutSeconds the apiserver closes a watch after a random 30–60 minutes; so do we. */
function defaultTimeout(): number {
  return 1800 + Math.floor(Math.random() * 1800);
}

export async function handleWatch(ctx: ApiContext): Promise<Response> {
  const r = ctx.info.resource;
  const q = ctx.query;
  const filter = parseFilter(r, q);
  const bookmarks = boolParam(q, 'allowWatchBookmarks');
  const timeoutSeconds = q.get('timeoutSeconds')
    ? Number(q.get('timeoutSeconds'))
    : defaultTimeout();
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0)
    throw errors.badRequest('timeoutSeconds must be a non-negative number');
  const rendering = pickRendering(ctx.request.headers.get('accept'));
  const asTable = rendering?.as === 'table';
  const n = ctx.store.width(r);
  const namespace = r.namespaced ? ctx.info.namespace : undefined;
  const gv = groupVersion(r);

  // Where to start: a list for "" and "0" (synthetic ADDED events), else the given position.
  let initial: KObject[] = [];
  let from: Position | undefined;
  let tooOld: string | undefined;
  const rv = q.get('resourceVersion') ?? '';
  let parsed;
  try {
    parsed = parseResourceVersion(rv, n);
  } catch (e) {
    if (e instanceof RevisionError) throw errors.badRequest(e.message);
    throw e;
  }
  if (parsed.kind === 'none' || parsed.kind === 'any') {
    const all = await listObjects({ ...ctx, query: withoutPaging(q) }, { limit: 0 });
    initial = all.items;
    from = (parseResourceVersion(all.resourceVersion, n) as { position: Position }).position;
  } else if (parsed.kind === 'position') {
    from = parsed.position;
  } else {
    // One object's revision cannot place a watch across partitions: the client must relist.
    tooOld = `too old resource version: ${rv} (a watch across partitions resumes from a list or watch event resourceVersion)`;
  }

  const encoder = new TextEncoder();
  let first = true;
  const frame = (type: string, obj: KObject): Uint8Array => {
    let object: unknown = toView(r, obj);
    if (asTable) {
      object = buildTable(definitionFor(r).printer ?? defaultPrinter, [object as KObject], {
        now: Date.now(),
        includeObject: includeObject(ctx),
        includeColumns: first,
        apiVersion: gv,
        kind: r.kind,
      });
      first = false;
    }
    return encoder.encode(JSON.stringify({ type, object }) + '\n');
  };
  const errorFrame = (message: string) =>
    encoder.encode(
      JSON.stringify({
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message,
          reason: 'Expired',
          code: 410,
        },
      }) + '\n',
    );

  // The client's queue is bounded: the hubs are read at the client's pace, and a client that stops
  // reading is cut (the stream ends; it resumes from the last resourceVersion it got).
  const abort = new AbortController();
  const out = new BoundedStream({
    highWaterMark: CLIENT_HIGH_WATER,
    limit: CLIENT_HIGH_WATER,
    onEnd: () => abort.abort(),
  });
  const timer = setTimeout(() => {
    abort.abort();
    out.close();
  }, timeoutSeconds * 1000);
  /** Queues one frame; false once the client is gone or has read nothing for CLIENT_STALL_MS. */
  const send = async (bytes: Uint8Array): Promise<boolean> => {
    if (!out.write(bytes)) return false;
    if (out.queued < CLIENT_HIGH_WATER) return true;
    let stalled: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<false>(
      (res) => (stalled = setTimeout(() => res(false), CLIENT_STALL_MS)),
    );
    const ok = await Promise.race([out.ready(), timedOut]);
    if (stalled !== undefined) clearTimeout(stalled);
    if (!ok) out.cut();
    return ok;
  };
  const run = async () => {
    try {
      // The initial list is in memory already; it goes out at the client's pace, never all at once.
      for (const o of initial) {
        if (!(await out.ready())) return;
        out.write(frame('ADDED', o));
      }
      initial = [];
      if (tooOld || !from) {
        out.write(errorFrame(tooOld ?? 'too old resource version'));
        return;
      }
      const select = {
        labelSelector: q.get('labelSelector') ?? undefined,
        fieldSelector: q.get('fieldSelector') ?? undefined,
      };
      // Plain JSON of a kind served as stored, with nothing to filter here: objects stored in the
      // relay's shape (defaulted, resourceVersion spliced in) are sent on without being parsed.
      const def = definitionFor(r);
      const relay = !asTable && filter.empty && !def.view && !def.custom;
      const events = relay
        ? ctx.store.watchRaw(r, namespace, from, abort.signal)
        : ctx.store.watch(r, namespace, from, abort.signal, select);
      for await (const ev of events) {
        if (ev.type === 'EXPIRED') {
          out.write(errorFrame(ev.message));
          return;
        }
        if (ev.type === 'RV_TOO_LARGE') {
          // k8s: cacher.go answers errors found after the request was admitted with an ERROR event.
          out.write(
            encoder.encode(
              JSON.stringify({
                type: 'ERROR',
                object: orderedStatus(tooLargeResourceVersion(ev.message).toStatus()),
              }) + '\n',
            ),
          );
          return;
        }
        let sent = true;
        if (ev.type === 'PROGRESS') {
          if (bookmarks) {
            const bm = {
              kind: r.kind,
              apiVersion: gv,
              metadata: { resourceVersion: ev.resourceVersion },
            };
            sent = await send(
              encoder.encode(JSON.stringify({ type: 'BOOKMARK', object: bm }) + '\n'),
            );
          }
        } else if ('raw' in ev) {
          sent = await send(encoder.encode(`{"type":"${ev.type}","object":${ev.raw}}\n`));
        } else {
          const next = transition(filter, ev);
          if (next) sent = await send(frame(next.type, next.object));
        }
        if (!sent) return;
      }
    } catch (e) {
      if (!abort.signal.aborted) console.error('watch ended with an error', e);
    } finally {
      clearTimeout(timer);
      out.close();
    }
  };
  ctx.waitUntil(run());
  // Identity encoding: a compressed stream would sit in the compressor's buffer instead of reaching
  // the client (Go's client asks for gzip), and kubectl would see no events.
  return new Response(out.readable, {
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-cache',
      'content-encoding': 'identity',
    },
  });
}

function withoutPaging(q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams(q);
  for (const k of ['limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'watch'])
    out.delete(k);
  return out;
}

/**
 * What a watcher with selectors sees: entering the selection is ADDED, leaving it is DELETED with
 * the object as it was (carrying the event's resourceVersion); undefined when it never matched.
 * k8s: staging/src/k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go (convertToWatchEvent)
 */
function transition(
  filter: ObjectFilter,
  ev: Extract<StoreEvent, { object: KObject }>,
): { type: string; object: KObject } | undefined {
  if (filter.empty) return ev;
  if (ev.type === 'DELETED') return filter.matches(ev.prev ?? ev.object) ? ev : undefined;
  const now = filter.matches(ev.object);
  const before = ev.type === 'MODIFIED' && ev.prev ? filter.matches(ev.prev) : false;
  if (now && !before) return { type: 'ADDED', object: ev.object };
  if (now && before) return { type: 'MODIFIED', object: ev.object };
  if (!now && before) return { type: 'DELETED', object: ev.prev! };
  return undefined;
}
