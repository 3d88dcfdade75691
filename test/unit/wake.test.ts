// Keyed wake-ups from the API: each write names its object; writes close together share one wake call per loop.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WakeKey } from '../../src/api/wake';
import type { ApiContext } from '../../src/server/context';
import { notifyWrite } from '../../src/server/wake';
import { LIVE_MS, loopWatches, trackLoopWatch } from '../../src/server/loop-watches';

function loop() {
  const calls: WakeKey[][] = [];
  return { calls, service: { wake: async (keys: WakeKey[]) => void calls.push(keys) } };
}

function ctx(
  env: Record<string, unknown>,
  resource: { group: string; version: string; resource: string },
  at: { namespace?: string; name?: string; subresource?: string },
  held: Promise<unknown>[],
): ApiContext {
  return {
    env,
    info: { resource, namespace: at.namespace, name: at.name, subresource: at.subresource },
    query: new URLSearchParams(),
    waitUntil: (p: Promise<unknown>) => void held.push(p),
  } as unknown as ApiContext;
}

const pods = { group: '', version: 'v1', resource: 'pods' };

describe('wake-ups', () => {
  afterEach(() => vi.restoreAllMocks());

  it('name each written object and share one call per loop among writes close together', async () => {
    const scheduler = loop();
    const controllers = loop();
    const env = { SCHEDULER: scheduler.service, CONTROLLERS: controllers.service };
    const held: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      const created = { metadata: { name: `p${i}`, namespace: 'ns' } };
      notifyWrite(ctx(env, pods, { namespace: 'ns' }, held), created);
    }
    // A status write wakes only the controllers; a Deployment only the controllers.
    notifyWrite(ctx(env, pods, { namespace: 'ns', name: 'p0', subresource: 'status' }, held));
    notifyWrite(
      ctx(
        env,
        { group: 'apps', version: 'v1', resource: 'deployments' },
        { namespace: 'ns', name: 'web' },
        held,
      ),
    );
    // One waitUntil per loop's batch: the other writes await nothing.
    expect(held).toHaveLength(2);
    await Promise.all(held);
    expect(scheduler.calls).toHaveLength(1);
    expect(controllers.calls).toHaveLength(1);
    expect(scheduler.calls[0]).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ resource: 'pods', namespace: 'ns', name: `p${i}` })),
    );
    expect(controllers.calls[0]).toHaveLength(21);
    expect(controllers.calls[0]).toContainEqual({
      resource: 'apps/v1/deployments',
      namespace: 'ns',
      name: 'web',
    });
  });

  it('wake nobody for leases and events, and name cluster-scoped objects without a namespace', async () => {
    const scheduler = loop();
    const controllers = loop();
    const env = { SCHEDULER: scheduler.service, CONTROLLERS: controllers.service };
    const held: Promise<unknown>[] = [];
    notifyWrite(
      ctx(
        env,
        { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
        { namespace: 'kube-node-lease', name: 'n1' },
        held,
      ),
    );
    notifyWrite(
      ctx(
        env,
        { group: '', version: 'v1', resource: 'events' },
        { namespace: 'ns', name: 'e' },
        held,
      ),
    );
    notifyWrite(ctx(env, { group: '', version: 'v1', resource: 'nodes' }, { name: 'n1' }, held));
    await Promise.all(held);
    expect(scheduler.calls).toEqual([[{ resource: 'nodes', name: 'n1' }]]);
    expect(controllers.calls).toEqual([[{ resource: 'nodes', name: 'n1' }]]);
  });

  it('skip a loop while its own watch of the kind is open here, and wake it again once the watch ends', async () => {
    const scheduler = loop();
    const env = { SCHEDULER: scheduler.service };
    const write = async (name: string) => {
      const held: Promise<unknown>[] = [];
      notifyWrite(ctx(env, pods, { namespace: 'ns' }, held), {
        metadata: { name, namespace: 'ns' },
      } as never);
      await Promise.all(held);
    };
    let feed!: ReadableStreamDefaultController<Uint8Array>;
    const watch = (url: string) =>
      trackLoopWatch('scheduler', new Request(url), async () => {
        const body = new ReadableStream<Uint8Array>({ start: (c) => void (feed = c) });
        return new Response(body, { status: 200 });
      });
    // A namespaced watch does not see every pod write: the loop is still woken.
    const namespaced = await watch('https://api.internal/api/v1/namespaces/ns/pods?watch=true');
    await write('a');
    expect(scheduler.calls).toHaveLength(1);
    await namespaced.body!.cancel();

    const first = await watch('https://api.internal/api/v1/pods?watch=true&resourceVersion=5');
    const firstFeed = feed;
    await write('b');
    await write('c');
    expect(scheduler.calls).toHaveLength(1);
    expect(loopWatches('scheduler', 'pods')).toBe(true);
    expect(loopWatches('controllers', 'pods')).toBe(false);
    // The loop went away (an evicted leader's watches are cancelled): the next write wakes it.
    await first.body!.cancel();
    await write('d');
    expect(scheduler.calls.map((c) => c[0].name)).toEqual(['a', 'd']);

    // A watch whose stream ends (a timeout, a 410 in it) stops counting when its body is read out.
    const second = await watch('https://api.internal/api/v1/pods?watch=1');
    await write('e');
    const reader = second.body!.getReader();
    feed.enqueue(new TextEncoder().encode('{}\n'));
    feed.close();
    expect((await reader.read()).done).toBe(false);
    expect((await reader.read()).done).toBe(true);
    await write('f');
    expect(scheduler.calls.map((c) => c[0].name)).toEqual(['a', 'd', 'f']);
    expect(firstFeed).not.toBe(feed);
  });

  it('count only answered watches: a refused watch (403, 410) or a list leaves the loop woken', async () => {
    const refused = await trackLoopWatch(
      'controllers',
      new Request('https://api.internal/api/v1/pods?watch=true'),
      async () => new Response('{}', { status: 403 }),
    );
    expect(refused.status).toBe(403);
    await trackLoopWatch(
      'controllers',
      new Request('https://api.internal/api/v1/pods'),
      async () => new Response('{}', { status: 200 }),
    );
    expect(loopWatches('controllers', 'pods')).toBe(false);
  });
  it('a watch with a selector does not count: it does not see every write of its kind', async () => {
    const scheduler = loop();
    const held: Promise<unknown>[] = [];
    const watch = await trackLoopWatch(
      'scheduler',
      new Request('https://api.internal/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3D'),
      async () => new Response(new ReadableStream<Uint8Array>(), { status: 200 }),
    );
    notifyWrite(ctx({ SCHEDULER: scheduler.service }, pods, { namespace: 'ns' }, held), {
      metadata: { name: 'bound', namespace: 'ns' },
    } as never);
    await Promise.all(held);
    expect(scheduler.calls).toHaveLength(1);
    await watch.body!.cancel();
  });

  it('a watch the loop stopped reading without a cancel counts only LIVE_MS after its last read', async () => {
    const scheduler = loop();
    const write = async (name: string) => {
      const held: Promise<unknown>[] = [];
      notifyWrite(ctx({ SCHEDULER: scheduler.service }, pods, { namespace: 'ns' }, held), {
        metadata: { name, namespace: 'ns' },
      } as never);
      await Promise.all(held);
    };
    let feed!: ReadableStreamDefaultController<Uint8Array>;
    const watch = await trackLoopWatch(
      'scheduler',
      new Request('https://api.internal/api/v1/pods?watch=true'),
      async () =>
        new Response(new ReadableStream<Uint8Array>({ start: (c) => void (feed = c) }), {
          status: 200,
        }),
    );
    const reader = watch.body!.getReader();
    await write('a');
    expect(scheduler.calls).toHaveLength(0);
    // The loop reads a chunk a while later: still counted from that read.
    const start = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(start + LIVE_MS - 1000);
    feed.enqueue(new Uint8Array([1]));
    expect((await reader.read()).done).toBe(false);
    clock.mockReturnValue(start + LIVE_MS + 500);
    await write('b');
    expect(scheduler.calls).toHaveLength(0);
    // Chunks keep coming but nobody reads them (a caller gone without a cancel reaching here).
    for (let i = 0; i < 5; i++) feed.enqueue(new Uint8Array([i]));
    clock.mockReturnValue(start + 2 * LIVE_MS);
    await write('c');
    expect(scheduler.calls.map((c) => c[0].name)).toEqual(['c']);
    await reader.cancel();
  });
});
