// WATCH: a chunked stream of JSON lines, headers flushed at once, resumable by resourceVersion.
import type { KObject } from '../../api/types';
import { groupVersion } from '../../api/resources';
import { parseResourceVersion, RevisionError, type Position } from '../../storage/revision';
import { buildTable, printerFor } from '../../registry/tables';
import { pickRendering } from '../negotiate';
import { errors } from '../errors';
import type { ApiContext } from '../context';
import { parseFilter } from './filter';
import { listObjects } from './read';
import { includeObject } from './render';
import { toView } from './view';
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
  const timeoutSeconds = q.get('timeoutSeconds') ? Number(q.get('timeoutSeconds')) : defaultTimeout();
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) throw errors.badRequest('timeoutSeconds must be a non-negative number');
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
      object = buildTable(printerFor(r.group, r.resource), [object as KObject], {
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
    encoder.encode(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 } }) + '\n');

  const abort = new AbortController();
  const stream = new ReadableStream<Uint8Array>({
    start: (controller) => {
      const timer = setTimeout(() => abort.abort(), timeoutSeconds * 1000);
      const run = async () => {
        try {
          for (const o of initial) controller.enqueue(frame('ADDED', o));
          if (tooOld || !from) {
            controller.enqueue(errorFrame(tooOld ?? 'too old resource version'));
            return;
          }
          for await (const ev of ctx.store.watch(r, namespace, from, abort.signal)) {
            if (ev.type === 'EXPIRED') {
              controller.enqueue(errorFrame(ev.message));
              return;
            }
            if (ev.type === 'PROGRESS') {
              if (bookmarks) {
                const bm = { kind: r.kind, apiVersion: gv, metadata: { resourceVersion: ev.resourceVersion } };
                controller.enqueue(encoder.encode(JSON.stringify({ type: 'BOOKMARK', object: bm }) + '\n'));
              }
              continue;
            }
            const now = filter.empty || filter.matches(ev.object);
            if (ev.type === 'MODIFIED' && !filter.empty) {
              // Selector transitions: entering the selection is ADDED, leaving it is DELETED.
              const before = ev.prev ? filter.matches(ev.prev) : false;
              if (now && !before) controller.enqueue(frame('ADDED', ev.object));
              else if (!now && before) controller.enqueue(frame('DELETED', ev.object));
              else if (now) controller.enqueue(frame('MODIFIED', ev.object));
              continue;
            }
            if (now) controller.enqueue(frame(ev.type, ev.object));
          }
        } catch (e) {
          if (!abort.signal.aborted) console.error('watch ended with an error', e);
        } finally {
          clearTimeout(timer);
          try {
            controller.close();
          } catch {
            // the client went away first
          }
        }
      };
      ctx.waitUntil(run());
    },
    cancel: () => abort.abort(),
  });
  // Identity encoding: a compressed stream would sit in the compressor's buffer instead of reaching
  // the client (Go's client asks for gzip), and kubectl would see no events.
  return new Response(stream, { headers: { 'content-type': 'application/json', 'cache-control': 'no-cache', 'content-encoding': 'identity' } });
}

function withoutPaging(q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams(q);
  for (const k of ['limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'watch']) out.delete(k);
  return out;
}
