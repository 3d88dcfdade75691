// pods/log: container output as the node agent shipped it; `follow` streams until the pod goes away.
import type { KObject } from '../../api/types';
import { errors } from '../errors';
import type { ApiContext } from '../context';
import { getObject } from './read';
import type { ReadOptions } from '../../storage/log-store';
import { logStore } from '../logs-ingest';
import { boolParam } from '../query-params';
import { notifyFollow } from '../../tunnel/follow';

type Container = { name: string };

export function pickContainer(pod: KObject, requested: string | null): string {
  const spec = (pod.spec ?? {}) as { containers?: Container[]; initContainers?: Container[] };
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name);
  if (requested) {
    if (!all.includes(requested)) {
      throw errors.badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
    }
    return requested;
  }
  // k8s: the kubectl.kubernetes.io/default-container annotation, else the only container.
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && all.includes(annotated)) return annotated;
  const app = (spec.containers ?? []).map((c) => c.name);
  if (app.length === 1) return app[0];
  throw errors.badRequest(
    `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${app.join(' ')}]`,
  );
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw errors.badRequest(`${name} must be a non-negative integer`);
  return n;
}

export async function handleLog(ctx: ApiContext): Promise<Response> {
  const pod = await getObject(ctx, ctx.info.name!);
  const q = ctx.query;
  const container = pickContainer(pod, q.get('container'));
  const since = intParam(q, 'sinceSeconds');
  const opts: ReadOptions = {
    container,
    previous: boolParam(q, 'previous'),
    tailLines: intParam(q, 'tailLines'),
    limitBytes: intParam(q, 'limitBytes'),
    timestamps: boolParam(q, 'timestamps'),
    sinceTime:
      q.get('sinceTime') ??
      (since !== undefined ? new Date(Date.now() - since * 1000).toISOString() : undefined),
  };
  const store = logStore(ctx.env, pod);
  if (boolParam(q, 'follow') && !opts.previous) {
    const qs = new URLSearchParams({ uid: pod.metadata.uid ?? '', opts: JSON.stringify(opts) });
    const res = await store.fetch(`https://logs/follow?${qs}`, { signal: ctx.request.signal });
    ctx.waitUntil(notifyFollow(ctx.env, pod));
    return new Response(watchPodGone(ctx, pod, res.body!), {
      headers: { 'content-type': 'text/plain', 'content-encoding': 'identity' },
    });
  }
  const { found, text } = await store.read(pod.metadata.uid ?? '', opts);
  if (!found) {
    const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (opts.previous)
      throw errors.badRequest(
        `previous terminated container "${container}" in pod "${pod.metadata.name}" not found`,
      );
    if (!node)
      throw errors.badRequest(
        `container "${container}" in pod "${pod.metadata.name}" is waiting to start: the pod is not scheduled yet`,
      );
  }
  return new Response(text, { headers: { 'content-type': 'text/plain' } });
}

/** Ends a follow when the pod is deleted (or replaced by another with the same name). */
function watchPodGone(
  ctx: ApiContext,
  pod: KObject,
  body: ReadableStream<Uint8Array>,
): ReadableStream<Uint8Array> {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const stop = new AbortController();
  // pipeTo moves a chunk only when the client took the last one, so nothing piles up here; the
  // LogStore cuts a follower that falls too far behind. Once the pipe ends, so does the polling,
  // and a pod that is gone ends the stream cleanly (the pipe stops, the stream closes).
  ctx.waitUntil(
    body
      .pipeTo(writable, { signal: stop.signal, preventAbort: true })
      .catch(() => undefined)
      .then(async () => {
        stop.abort();
        await writable.close().catch(() => undefined);
      }),
  );
  const poll = async () => {
    while (!stop.signal.aborted) {
      await new Promise((r) => setTimeout(r, 2000));
      if (stop.signal.aborted) return;
      const cur = await ctx.store.get(
        ctx.info.resource,
        pod.metadata.namespace,
        pod.metadata.name!,
      );
      if (!cur || cur.metadata.uid !== pod.metadata.uid) stop.abort();
    }
  };
  ctx.waitUntil(poll());
  return readable;
}
