// Bench Worker: drives the Store against real StorageShard and WatchHub Durable Objects inside workerd.
// Plain JavaScript on purpose: the Node type-check project covers bench/ and has no Workers types;
// bench/store.ts bundles it (esbuild) and describes its requests and answers.
import { RESOURCES } from '../src/api/resources';
import { Store } from '../src/storage/store';
import { parseResourceVersion } from '../src/storage/revision';
import { sized, summarize } from './stats';

export { StorageShard } from '../src/storage/shard';
export { WatchHub } from '../src/watch/hub';

// Date.now() in workerd advances only across I/O: every sample below spans an awaited Durable Object call.
const now = () => Date.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function resource(name) {
  const r = RESOURCES.find((x) => x.resource === name);
  if (!r) throw new Error(`no resource ${name}`);
  return r;
}

function object(r, namespace, name, bytes) {
  const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
  return sized(
    (pad) => ({
      apiVersion,
      kind: r.kind,
      metadata: { name, namespace, uid: crypto.randomUUID(), annotations: { pad } },
    }),
    bytes,
  );
}

/** `writers` loops creating objects for `durationMs`; latency of each acknowledged create. */
async function writes(store, q) {
  const r = resource(q.resource);
  const latencies = [];
  let failures = 0;
  const start = now();
  const writer = async (w) => {
    for (let i = 0; now() - start < q.durationMs; i++) {
      const t0 = now();
      const res = await store.create(r, object(r, q.namespace, `w${w}-${i}`, q.bytes));
      if (res.ok) latencies.push(now() - t0);
      else failures++;
    }
  };
  await Promise.all(Array.from({ length: q.writers }, (_, w) => writer(w)));
  return { ...summarize(latencies), elapsedMs: now() - start, failures };
}

/** `watchers` watches from one list position; one writer creates `writes` objects; commit-to-receipt per event. */
async function watch(store, q) {
  const r = resource(q.resource);
  const list = await store.list(r, { namespace: q.namespace, limit: 1 });
  if (!list.ok) throw new Error(`list failed: ${list.reason}`);
  const from = parseResourceVersion(list.value.resourceVersion, store.width(r)).position;
  const received = Array.from({ length: q.watchers }, () => new Map());
  const aborts = received.map(() => new AbortController());
  const loops = received.map(async (got, i) => {
    for await (const ev of store.watch(r, q.namespace, from, aborts[i].signal)) {
      if (ev.type === 'EXPIRED') return;
      if (ev.type === 'ADDED') got.set(ev.object.metadata.name, now());
      if (got.size === q.writes + 1) return;
    }
  });
  // A warm-up object: timed writes start once every watcher is connected and has seen it.
  await store.create(r, object(r, q.namespace, 'warm-up', q.bytes));
  for (let waited = 0; received.some((g) => !g.has('warm-up')) && waited < 30_000; waited += 5)
    await sleep(5);
  // One write every `intervalMs`, so that latency measures delivery rather than a backlog.
  const acked = new Map();
  for (let i = 0; i < q.writes; i++) {
    const sent = now();
    const res = await store.create(r, object(r, q.namespace, `e${i}`, q.bytes));
    if (res.ok) acked.set(`e${i}`, { sent, at: now() });
    const wait = q.intervalMs - (now() - sent);
    if (wait > 0) await sleep(wait);
  }
  await Promise.race([Promise.all(loops), sleep(30_000)]);
  aborts.forEach((a) => a.abort());
  const afterAck = [];
  const afterSend = [];
  let missing = 0;
  for (const got of received) {
    for (const [name, { sent, at }] of acked) {
      const t = got.get(name);
      if (t === undefined) {
        missing++;
        continue;
      }
      // Commit time is the writer's acknowledgement; an event that beat the ack counts as 0 ms.
      afterAck.push(Math.max(0, t - at));
      afterSend.push(t - sent);
    }
  }
  const a = summarize(afterAck);
  const s = summarize(afterSend);
  return { ...a, sentP50: s.p50, sentP99: s.p99, missing };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const store = new Store(env, Number(env.PARTITIONS));
    try {
      const body = await request.json();
      if (url.pathname === '/write') return Response.json(await writes(store, body));
      if (url.pathname === '/watch') return Response.json(await watch(store, body));
      return new Response('not found', { status: 404 });
    } catch (e) {
      return new Response(String(e?.stack ?? e), { status: 500 });
    }
  },
};
