// Which resources each control loop is watching through this isolate right now, so writes need not
// wake a loop whose own watch already carries them (src/server/wake.ts).
import { resourceKey } from '../api/resources';
import { parseRequestInfo } from './request-info';

export type LoopName = 'scheduler' | 'controllers';

/**
 * A watch counts only while the loop is seen reading it: answered, or a chunk taken from it, this
 * recently. A stream whose reader went away without a cancel reaching here (a body never read, a
 * caller torn down) stops being pulled, and the loop is woken again at most this long after.
 */
export const LIVE_MS = 10_000;

/** One open watch: when it was last answered or read from (ms since the epoch). */
interface OpenWatch {
  readAt: number;
}

/** Open cluster-wide watches per loop per resource key (`pods`, `apps/v1/deployments`). */
const open = new Map<string, Set<OpenWatch>>();

const slot = (loop: LoopName, resource: string) => `${loop}\u0000${resource}`;

/**
 * True while `loop` holds an open cluster-wide watch of `resource` served by this isolate that it
 * has read from within LIVE_MS.
 */
export function loopWatches(loop: LoopName, resource: string): boolean {
  const watches = open.get(slot(loop, resource));
  if (!watches) return false;
  const since = Date.now() - LIVE_MS;
  for (const w of watches) if (w.readAt >= since) return true;
  return false;
}

/**
 * The resource a loop's request watches across every namespace, or undefined for anything else (a
 * namespaced watch or one with a label or field selector does not see every write of its kind, and
 * a list or write is no watch).
 */
function watchedResource(request: Request): string | undefined {
  const url = new URL(request.url);
  if (request.method !== 'GET') return undefined;
  const w = url.searchParams.get('watch');
  if (w !== 'true' && w !== '1') return undefined;
  if (url.searchParams.get('labelSelector') || url.searchParams.get('fieldSelector'))
    return undefined;
  const info = parseRequestInfo('GET', url.pathname, url.searchParams);
  if (!info || info.verb !== 'watch' || info.namespace || info.name) return undefined;
  return resourceKey(info.resource);
}

/**
 * Serves a loop's request; a cluster-wide watch answered 200 counts as open until its body ends or
 * the loop goes away (an evicted or idle-closed leader cancels its watches, and its next write is
 * woken again), and as read only while the loop takes chunks from it (LIVE_MS). The body is handed
 * through chunk by chunk, pulled only when the loop asks for one (no read-ahead), so the count
 * follows the loop's reads and ends with the stream.
 */
export async function trackLoopWatch(
  loop: LoopName,
  request: Request,
  serve: () => Promise<Response>,
): Promise<Response> {
  const resource = watchedResource(request);
  if (!resource) return serve();
  const res = await serve();
  if (res.status !== 200 || !res.body) return res;
  const key = slot(loop, resource);
  const watch: OpenWatch = { readAt: Date.now() };
  const watches = open.get(key) ?? new Set<OpenWatch>();
  watches.add(watch);
  open.set(key, watches);
  const close = () => {
    watches.delete(watch);
    if (watches.size === 0 && open.get(key) === watches) open.delete(key);
  };
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { value, done } = await reader.read();
          if (done) {
            close();
            controller.close();
          } else {
            watch.readAt = Date.now();
            controller.enqueue(value);
          }
        } catch (e) {
          close();
          controller.error(e);
        }
      },
      async cancel(reason) {
        close();
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}
