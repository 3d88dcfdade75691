// Runs keyed controllers the way the leader does (caches, queues, passes) inside workerd against the real API Worker.
import { SELF } from 'cloudflare:test';
import { RESOURCES } from '../../src/api/resources';
import type { KObject } from '../../src/api/types';
import type { KubeClient } from '../../src/client/client';
import { objectKey } from '../../src/client/informer';
import { ClusterCache } from '../../workers/shared/cache';
import { ControllerManager, type PassOutcome } from '../../workers/shared/manager';
import type { Transport } from '../../src/client/transport';
import { keyedContext } from '../../workers/controllers/context';
import {
  DEFAULT_CONFIG,
  type ControllerConfig,
  type KeyedContext,
  type KeyedControllerDef,
} from '../../workers/controllers/framework';
import { apiClient, writeObservers } from './api';
import { testEnv } from './helpers';

const resourceOfKind = (
  apiVersion: string | undefined,
  kind: string | undefined,
): string | undefined => {
  const group = apiVersion?.includes('/') ? apiVersion.split('/')[0] : '';
  const r = RESOURCES.find((x) => x.kind === kind && x.group === group);
  if (!r) return undefined;
  return r.group ? `${r.group}/${r.version}/${r.resource}` : r.resource;
};

/** A partitioned object's GET form "p:rev" against a cached watch form "a.b.c.d" (or either plain form). */
export function reflects(cachedRv: string | undefined, writtenRv: string): boolean {
  if (!cachedRv) return false;
  if (cachedRv === writtenRv) return true;
  const w = /^(\d+):(\d+)$/.exec(writtenRv);
  const c = /^(\d+):(\d+)$/.exec(cachedRv);
  if (w && c) return c[1] === w[1] && Number(c[2]) >= Number(w[2]);
  if (w) {
    const parts = cachedRv.split('.');
    return Number(parts[Number(w[1])]) >= Number(w[2]);
  }
  if (/^\d+$/.test(writtenRv) && /^\d+$/.test(cachedRv))
    return Number(cachedRv) >= Number(writtenRv);
  return false;
}

export interface HarnessOptions {
  now?: () => number;
  config?: Partial<ControllerConfig>;
  /** Wraps the caches' transport (a slow watch). */
  watchTransport?: (t: Transport) => Transport;
  /** Per kind, a narrower list and watch: cluster-scoped kinds (nodes, ...) limited to the test's own. */
  selectors?: Record<
    string,
    { namespace?: string; labelSelector?: string; fieldSelector?: string }
  >;
}

/**
 * The leader's machinery over one namespace (the caches list and watch only it, so other tests'
 * objects stay out; cluster-scoped kinds are whole). Every write any client of the harness makes is
 * remembered; `sync()` waits until the caches show each one, so a pass sees what came before it.
 */
export async function keyedHarness(
  ns: string,
  make: () => KeyedControllerDef[],
  opts: HarnessOptions = {},
) {
  const h = {
    now: opts.now ?? Date.now,
    writes: 0,
    /** When set, every n-th controller write fails before reaching the server (a crash mid-pass). */
    failEvery: 0,
    /** Called on each controller write before it is sent (a test's hook to fail or record it). */
    onWrite: undefined as undefined | ((req: Request) => void | Promise<void>),
  };
  const written: {
    resource: string;
    key: string;
    rv?: string;
    gone?: boolean;
    deleting?: boolean;
  }[] = [];
  const token = testEnv.ADMIN_TOKEN!;
  const send = (req: Request) => {
    const r = new Request(req);
    r.headers.set('Authorization', `Bearer ${token}`);
    return SELF.fetch(r);
  };
  /** Notes what a write did, so sync() can wait for the caches to show it. */
  const note = async (method: string, url: string, res: Response) => {
    if (!res.ok) return;
    const body = (await res
      .clone()
      .json()
      .catch(() => undefined)) as KObject | undefined;
    if (!body) return;
    if (body.kind === 'Status') {
      // A delete that removed the object: wait for the cache to drop it.
      const path = new URL(url, 'https://x').pathname.split('/').filter(Boolean);
      const core = path[0] === 'api';
      const [group, version] = core ? ['', path[1]] : [path[1], path[2]];
      const rest = path.slice(core ? 2 : 3);
      const [ns, res2, name] =
        rest[0] === 'namespaces' && rest.length >= 4
          ? [rest[1], rest[2], rest[3]]
          : [undefined, rest[0], rest[1]];
      if (method === 'DELETE' && name)
        written.push({
          resource: group ? `${group}/${version}/${res2}` : res2,
          key: ns ? `${ns}/${name}` : name,
          gone: true,
        });
      return;
    }
    const resource = resourceOfKind(body.apiVersion, body.kind);
    if (!resource || !body.metadata?.name) return;
    written.push({
      resource,
      key: objectKey(body),
      rv: body.metadata.resourceVersion,
      deleting: method === 'DELETE' || !!body.metadata.deletionTimestamp,
    });
  };
  let attempts = 0;
  const api = {
    fetch: async (req: Request) => {
      if (req.method !== 'GET') {
        if (h.failEvery && ++attempts % h.failEvery === 0) throw new Error('injected failure');
        h.writes++;
        await h.onWrite?.(req);
      }
      const res = await send(req);
      if (req.method !== 'GET') await note(req.method, req.url, res);
      return res;
    },
  };
  const readerClient = apiClient();
  const inner = (readerClient as unknown as { transport: Transport }).transport;
  if (opts.watchTransport)
    (readerClient as unknown as { transport: Transport }).transport = opts.watchTransport(inner);

  // Every test client's writes too: a pass must see what the test did before it.
  writeObservers.add(note);

  let manager!: ControllerManager<KeyedContext>;
  const cache = new ClusterCache(readerClient, (r, e) => manager?.handle(r, e), {
    namespace: ns,
    selectors: opts.selectors,
  });
  manager = new ControllerManager(cache, make(), () => h.now());
  await cache.start();
  manager.resyncAll();
  const config = { ...DEFAULT_CONFIG, ...opts.config };

  /** Test-side writes go through this: they are remembered for sync() too. */
  const observe = (client: KubeClient): KubeClient => {
    const raw = client.raw;
    client.raw = async (method, url, init) => {
      const res = await raw(method, url, init);
      if (method !== 'GET') await note(method, url, res);
      return res;
    };
    return client;
  };

  /** Waits until the caches show every write made so far (skipping kinds they do not hold). */
  const sync = async (timeoutMs = 10_000) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const held = new Set(cache.resources());
      const waiting = written.filter((w, i) => {
        if (!held.has(w.resource)) return false;
        const cached = cache.kind(w.resource).get(w.key);
        if (w.gone)
          return (
            cached !== undefined &&
            !written.slice(i + 1).some((x) => x.key === w.key && x.resource === w.resource)
          );
        // Deleted since (by a later write we made): nothing to wait for.
        if (
          written.slice(i + 1).some((x) => x.gone && x.key === w.key && x.resource === w.resource)
        )
          return false;
        // An object being deleted (a delete answered with the object, a finalizer removed) may be gone
        // already, and so may one we deleted later.
        if (w.deleting && !cached) return false;
        if (
          !cached &&
          written
            .slice(i + 1)
            .some((x) => x.deleting && x.key === w.key && x.resource === w.resource)
        )
          return false;
        return !reflects(cached?.metadata.resourceVersion, w.rv!);
      });
      if (waiting.length === 0) {
        written.length = 0;
        return;
      }
      if (Date.now() > end)
        throw new Error(
          `caches did not catch up with ${waiting.map((w) => `${w.resource} ${w.key}@${w.rv}`).join(', ')}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  /** One pass of every controller over its due keys (after the caches caught up). */
  const pass = async (): Promise<PassOutcome> => {
    await sync();
    return manager.runPass((c) => keyedContext(api, c, { config, cache, now: () => h.now() }));
  };

  /** One pass at once, whatever the caches have seen so far (a slow watch stays slow). */
  const passNow = (): Promise<PassOutcome> =>
    manager.runPass((c) => keyedContext(api, c, { config, cache, now: () => h.now() }));

  /**
   * Passes (each followed by `between`, a simulated kubelet, answering how many things it did)
   * until a pass writes nothing, `between` does nothing and nothing is due now. A key due within a
   * second (a retry after a failure or a conflict) is waited for when the clock moves.
   */
  const settle = async (between: () => Promise<number> = async () => 0, max = 60) => {
    for (let i = 0; i < max; i++) {
      const before = h.writes;
      const out = await pass();
      const acted = await between();
      if (h.writes !== before || acted > 0 || out.more) continue;
      if (out.requeueAfterMs !== undefined && out.requeueAfterMs <= 1000) {
        const t = h.now();
        await new Promise((r) => setTimeout(r, out.requeueAfterMs! + 5));
        if (h.now() !== t) continue;
      }
      return out;
    }
    throw new Error(`the controllers did not converge in ${max} passes`);
  };

  return Object.assign(h, {
    manager,
    cache,
    pass,
    passNow,
    settle,
    sync,
    observe,
    stop: () => {
      cache.stop();
      writeObservers.delete(note);
    },
  });
}

/** A transport whose watch streams deliver every chunk `ms` late: a cache that lags the API. */
export function slowWatches(ms: number): (t: Transport) => Transport {
  return (inner) => async (req) => {
    const res = await inner(req);
    if (!/[?&]watch=(true|1)/.test(req.url) || !res.body) return res;
    // Each chunk is released `ms` after it arrived (in order), not `ms` after the one before it.
    const reader = res.body.getReader();
    const delayed = new ReadableStream<Uint8Array>({
      async start(controller) {
        let last = Promise.resolve();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            const due = Date.now() + ms;
            const prev = last;
            last = (async () => {
              await prev;
              await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
              if (done) controller.close();
              else controller.enqueue(value);
            })();
            if (done) break;
          }
        } catch (e) {
          await last;
          controller.error(e);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(delayed, { status: res.status, headers: res.headers });
  };
}
