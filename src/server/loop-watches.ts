// Which resources each control loop is watching through this isolate right now, so writes need not
// wake a loop whose own watch already carries them (src/server/wake.ts).
import { resourceKey } from '../api/resources';
import { parseRequestInfo } from './request-info';

export type LoopName = 'scheduler' | 'controllers';

/** Open cluster-wide watches per loop per resource key (`pods`, `apps/v1/deployments`). */
const open = new Map<string, number>();

const slot = (loop: LoopName, resource: string) => `${loop}\u0000${resource}`;

/** True while `loop` holds an open cluster-wide watch of `resource` served by this isolate. */
export function loopWatches(loop: LoopName, resource: string): boolean {
  return (open.get(slot(loop, resource)) ?? 0) > 0;
}

/**
 * The resource a loop's request watches across every namespace, or undefined for anything else (a
 * namespaced watch does not see every write of its kind, and a list or write is no watch).
 */
function watchedResource(request: Request): string | undefined {
  const url = new URL(request.url);
  if (request.method !== 'GET') return undefined;
  const w = url.searchParams.get('watch');
  if (w !== 'true' && w !== '1') return undefined;
  const info = parseRequestInfo('GET', url.pathname, url.searchParams);
  if (!info || info.verb !== 'watch' || info.namespace || info.name) return undefined;
  return resourceKey(info.resource);
}

/**
 * Serves a loop's request; a cluster-wide watch answered 200 counts as open until its body ends or
 * the loop goes away (an evicted or idle-closed leader cancels its watches, and its next write is
 * woken again). The body is handed through chunk by chunk, so the count ends with the stream.
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
  open.set(key, (open.get(key) ?? 0) + 1);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    const n = (open.get(key) ?? 1) - 1;
    if (n > 0) open.set(key, n);
    else open.delete(key);
  };
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          close();
          controller.close();
        } else controller.enqueue(value);
      } catch (e) {
        close();
        controller.error(e);
      }
    },
    async cancel(reason) {
      close();
      await reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}
