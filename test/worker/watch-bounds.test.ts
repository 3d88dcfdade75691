// Slow readers cost bounded memory: a watcher that stops reading is cut (its client resumes from its
// last resourceVersion), while a healthy watcher beside it receives every one of 5,000 events.
// Events carry 4 KB of padding: 20 MB go by, five times the 4 MiB per-watcher bound, in a quarter
// of the writes 1 KB events would need.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { findResource, storageResource } from '../../src/api/resources';
import { shardName } from '../../src/storage/partition';
import { parseResourceVersion } from '../../src/storage/revision';
import type { KObject } from '../../src/api/types';
import type { Store } from '../../src/storage/store';
import type { ResourceInfo } from '../../src/api/resources';
import { HUB_MAX_QUEUED, WATCHER_HIGH_WATER, WATCHER_MAX_QUEUED } from '../../src/watch/hub';
import { CLIENT_HIGH_WATER, CLIENT_STALL_MS } from '../../src/server/rest/watch';
import { isolateQueue } from '../../src/watch/bounded-stream';
import { freshResource, storeWith, testEnv, thing } from './helpers';
import { apiClient, freshNamespace } from './api';

const EVENTS = 5_000;
const PAD = 'x'.repeat(4000);
/** Room for one event's line beyond a bound: its padding plus under 1 KiB of object and framing. */
const ONE_EVENT = PAD.length + 1024;
const PODS = findResource('', 'v1', 'pods')!;

/** Creates `count` objects, 32 at a time (the shard commits concurrent writes together). */
async function createMany(
  store: Store,
  r: ResourceInfo,
  count: number,
  make: (i: number) => KObject,
): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < count) {
      const i = next++;
      const res = await store.create(r, make(i));
      if (!res.ok) throw new Error(`create ${i}: ${res.reason}`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, writer));
}

/** Reads JSON lines off a stream; `onLine` returns true to stop. Resolves with bytes read and whether the stream ended. */
async function readLines(
  body: ReadableStream<Uint8Array>,
  onLine: (line: Record<string, unknown>) => boolean | void,
): Promise<{ bytes: number; ended: boolean }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let bytes = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { bytes, ended: true };
    bytes += value.byteLength;
    buf += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line && onLine(JSON.parse(line) as Record<string, unknown>)) {
        await reader.cancel();
        return { bytes, ended: false };
      }
    }
  }
}

const hubStub = (name: string) => testEnv.HUBS.get(testEnv.HUBS.idFromName(name));

describe('watch hub with a stalled reader', { timeout: 240_000 }, () => {
  it('cuts the stalled watcher, keeps its queue bounded, and a healthy watcher gets all 5,000 events', async () => {
    const store = storeWith(1);
    const r = freshResource(false);
    const name = shardName(storageResource(r), 0, false);
    const list = await store.list(r, { namespace: 'default' });
    if (!list.ok) throw new Error('list failed');
    const from = list.value.resourceVersion;
    const open = () =>
      hubStub(name).fetch(
        `https://hub/watch?${new URLSearchParams({ shard: name, from, prefix: 'default/' })}`,
      );
    const stalled = await open();
    const healthy = await open();

    let seen = 0;
    let lastRev = 0;
    let ordered = true;
    const reading = readLines(healthy.body!, (l) => {
      if (typeof l.rev !== 'number') return;
      if (l.rev <= lastRev) ordered = false;
      lastRev = l.rev;
      return ++seen === EVENTS;
    });
    await createMany(store, r, EVENTS, (i) => thing(`t${i}`, { pad: PAD }));
    await reading;
    expect(seen).toBe(EVENTS);
    expect(ordered).toBe(true);

    const stats = await hubStub(name).stats();
    expect(stats.cut).toBeGreaterThanOrEqual(1);
    // Two watchers, each at most WATCHER_MAX_QUEUED plus one event (about 4 KiB here) behind.
    expect(stats.peakQueuedBytes).toBeLessThanOrEqual(2 * (WATCHER_MAX_QUEUED + ONE_EVENT));
    expect(stats.peakQueuedBytes).toBeLessThan(HUB_MAX_QUEUED);

    // The stalled reader gets what was queued before the cut, then a clean end, far short of everything.
    let stalledSeen = 0;
    const end = await readLines(stalled.body!, (l) => {
      if (typeof l.rev === 'number') stalledSeen++;
      return stalledSeen === EVENTS;
    });
    expect(end.ended).toBe(true);
    expect(stalledSeen).toBeLessThan(EVENTS / 2);
    console.log(
      `hub: stalled watcher cut after ${end.bytes} bytes (${stalledSeen} events); peak queued ${stats.peakQueuedBytes} bytes over both watchers`,
    );
  });

  it('holds at most 32 MiB for all its watchers together: with 20 stalled readers the furthest behind are cut', async () => {
    const store = storeWith(1);
    const r = freshResource(false);
    const name = shardName(storageResource(r), 0, false);
    const list = await store.list(r, { namespace: 'default' });
    if (!list.ok) throw new Error('list failed');
    const qs = new URLSearchParams({
      shard: name,
      from: list.value.resourceVersion,
      prefix: 'default/',
    });
    const stalled = await Promise.all(
      Array.from({ length: 20 }, () => hubStub(name).fetch(`https://hub/watch?${qs}`)),
    );
    // About 3.1 MB for each watcher: under the per-watcher cut, 62 MB over all twenty.
    await createMany(store, r, 750, (i) => thing(`t${i}`, { pad: PAD }));
    const stats = await hubStub(name).stats();
    console.log(
      `hub with 20 stalled watchers: peak ${stats.peakQueuedBytes} bytes, ${stats.cut} cut`,
    );
    expect(stats.peakQueuedBytes).toBeLessThanOrEqual(HUB_MAX_QUEUED + ONE_EVENT);
    expect(stats.cut).toBeGreaterThanOrEqual(20 - Math.floor(HUB_MAX_QUEUED / (750 * PAD.length)));
    await Promise.all(stalled.map((s) => s.body!.cancel()));
  });

  it('paces a catch-up through 1,200 old events (5 MB) instead of queueing them, and never cuts it', async () => {
    const store = storeWith(1);
    const r = freshResource(false);
    const name = shardName(storageResource(r), 0, false);
    const list = await store.list(r, { namespace: 'default' });
    if (!list.ok) throw new Error('list failed');
    const from = list.value.resourceVersion;
    // Keep the hub subscribed, so the history below sits in its ring (about 5 MB of it: more than
    // the 4 MiB a watcher may have queued before it is cut).
    const keeper = await hubStub(name).fetch(
      `https://hub/watch?${new URLSearchParams({ shard: name, from, prefix: 'nothing-here/' })}`,
    );
    await createMany(store, r, 1200, (i) => thing(`t${i}`, { pad: PAD }));
    const before = await hubStub(name).stats();
    const late = await hubStub(name).fetch(
      `https://hub/watch?${new URLSearchParams({ shard: name, from, prefix: 'default/' })}`,
    );
    // Let the catch-up run against a reader that has not started reading yet.
    await new Promise((res) => setTimeout(res, 300));
    const during = await hubStub(name).stats();
    expect(during.queuedBytes - before.queuedBytes).toBeLessThanOrEqual(
      WATCHER_HIGH_WATER + ONE_EVENT,
    );
    let seen = 0;
    const res = await readLines(late.body!, (l) =>
      typeof l.rev === 'number' ? ++seen === 1200 : false,
    );
    expect(res.ended).toBe(false);
    expect(seen).toBe(1200);
    expect((await hubStub(name).stats()).cut).toBe(before.cut);
    await keeper.body!.cancel();
  });
});

describe('API watch with a stalled client', { timeout: 240_000 }, () => {
  it('cuts a stalled merged pod watch while a healthy one gets all 5,000 events; the cut client resumes with no gap', async () => {
    const ns = await freshNamespace(apiClient());
    const store = storeWith(Number(testEnv.PARTITIONS));
    const list = await store.list(PODS, { namespace: ns });
    if (!list.ok) throw new Error('list failed');
    const auth = { Authorization: `Bearer ${testEnv.ADMIN_TOKEN}` };
    const watchFrom = (rv: string) =>
      SELF.fetch(
        `https://edgeplane.test/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${rv}`,
        { headers: auth },
      );
    const stalled = await watchFrom(list.value.resourceVersion);
    const healthy = await watchFrom(list.value.resourceVersion);
    expect(stalled.status).toBe(200);

    const names = new Set<string>();
    const reading = readLines(healthy.body!, (l) => {
      if (l.type !== 'ADDED') return;
      names.add((l.object as KObject).metadata.name!);
      return names.size === EVENTS;
    });
    const pod = (i: number): KObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `p${i}`,
        namespace: ns,
        uid: crypto.randomUUID(),
        annotations: { pad: PAD },
      },
      spec: { containers: [{ name: 'app', image: 'busybox' }] },
    });
    const peakBefore = isolateQueue.peak;
    isolateQueue.peak = isolateQueue.queued;
    const started = Date.now();
    await createMany(store, PODS, EVENTS, pod);
    await reading;
    expect(names.size).toBe(EVENTS);
    // The API cuts a client that has read nothing for CLIENT_STALL_MS while data waits. When the
    // 5,000 events go by faster than that (the relayed path can), the stalled client has not been
    // stalled long enough yet: it stays stalled past the limit before it reads.
    await new Promise((r) =>
      setTimeout(r, Math.max(0, started + CLIENT_STALL_MS + 1000 - Date.now())),
    );
    // Everything queued for readers in this isolate (the API's two watches and their four hub
    // streams) while 20 MB of events went by: each hub stream at most its bound plus one event.
    const peak = isolateQueue.peak;
    isolateQueue.peak = Math.max(peak, peakBefore);
    console.log(`bytes queued for readers, isolate-wide peak: ${peak}`);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(
      2 * store.partitions * (WATCHER_MAX_QUEUED + ONE_EVENT) + 2 * (CLIENT_HIGH_WATER + ONE_EVENT),
    );

    // The stalled client was cut: it reads what was queued (bounded), then the stream ends.
    const got = new Set<string>();
    let lastRV = '';
    const end = await readLines(stalled.body!, (l) => {
      if (l.type !== 'ADDED') return;
      const o = l.object as KObject;
      got.add(o.metadata.name!);
      lastRV = o.metadata.resourceVersion!;
      return got.size === EVENTS;
    });
    expect(end.ended).toBe(true);
    expect(got.size).toBeLessThan(EVENTS / 2);
    console.log(
      `stalled API client: cut after ${end.bytes} bytes (${got.size} of ${EVENTS} events)`,
    );
    expect(end.bytes).toBeLessThanOrEqual(CLIENT_HIGH_WATER + 256 * 1024);

    // As client-go does, it watches again from the last resourceVersion it saw: the rest, no gap, no duplicate.
    expect(parseResourceVersion(lastRV, store.partitions).kind).toBe('position');
    const again = await watchFrom(lastRV);
    const rest = new Set<string>();
    let duplicate = false;
    await readLines(again.body!, (l) => {
      if (l.type !== 'ADDED') return;
      const n = (l.object as KObject).metadata.name!;
      if (got.has(n) || rest.has(n)) duplicate = true;
      rest.add(n);
      return got.size + rest.size === EVENTS;
    });
    expect(duplicate).toBe(false);
    expect(got.size + rest.size).toBe(EVENTS);
  });
});
