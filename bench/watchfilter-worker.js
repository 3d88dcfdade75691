// Bench Worker for `npm run bench -- watchfilter`: what one node's pod watch pulls out of the watch hubs
// while another node's pods churn, with the request the API sent before hub-side filtering and with today's.
// Plain JavaScript on purpose, like store-worker.js (the Node type-check project has no Workers types).
import { RESOURCES, storageResource } from '../src/api/resources';
import { Store } from '../src/storage/store';
import { parseResourceVersion } from '../src/storage/revision';
import { shardName } from '../src/storage/partition';
import { sized } from './stats';

export { StorageShard } from '../src/storage/shard';
export { WatchHub } from '../src/watch/hub';

const PODS = RESOURCES.find((r) => r.group === '' && r.resource === 'pods');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pod(name, nodeName, bytes) {
  return sized(
    (pad) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'bench',
        uid: crypto.randomUUID(),
        labels: { app: 'churn' },
        annotations: { pad },
      },
      spec: { nodeName, containers: [{ name: 'app', image: 'busybox' }] },
      status: { phase: 'Pending' },
    }),
    bytes,
  );
}

/** Reads one hub stream, counting event lines and bytes (progress notes are counted apart). */
async function tally(body, t) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl + 1);
        buf = buf.slice(nl + 1);
        const bytes = new TextEncoder().encode(line).byteLength;
        if (line.startsWith('{"rev":')) {
          t.events++;
          t.bytes += bytes;
        } else t.otherBytes += bytes;
      }
    }
  } catch {
    // aborted at the end of the run
  }
}

async function run(env, q) {
  const store = new Store(env, Number(env.PARTITIONS));
  const list = await store.list(PODS, {});
  const from = parseResourceVersion(list.value.resourceVersion, store.partitions).position;
  const abort = new AbortController();
  const modes = {
    // What Store.watch asked each hub for before this change: every pod under the prefix.
    before: () => ({}),
    // Today: the agent's field selector travels to the hub, which indexes spec.nodeName.
    after: () => ({ resource: 'pods', fieldSelector: `spec.nodeName=${q.quietNode}` }),
  };
  const tallies = {};
  const readers = [];
  for (const [mode, extra] of Object.entries(modes)) {
    const t = (tallies[mode] = { events: 0, bytes: 0, otherBytes: 0 });
    for (let p = 0; p < store.partitions; p++) {
      const name = shardName(storageResource(PODS), p, true);
      const hub = env.HUBS.get(env.HUBS.idFromName(name));
      const qs = new URLSearchParams({
        shard: name,
        from: String(from[p]),
        prefix: '',
        ...extra(),
      });
      const res = await hub.fetch(`https://hub/watch?${qs}`, { signal: abort.signal });
      readers.push(tally(res.body, t));
    }
  }
  const start = Date.now();
  // The busy node's pods: created, two status updates, deleted (4 events each); the quiet node's: 3 each.
  const lifecycle = async (name, node, updates) => {
    const created = await store.create(PODS, pod(name, node, q.bytes));
    let cur = created.value;
    for (let u = 0; u < updates; u++) {
      const next = { ...cur, status: { phase: u === 0 ? 'Running' : 'Succeeded' } };
      cur = (await store.update(PODS, next, { resourceVersion: cur.metadata.resourceVersion }))
        .value;
    }
    await store.delete(PODS, 'bench', name);
  };
  let next = 0;
  const jobs = [
    ...Array.from({ length: q.busyPods }, (_, i) => () => lifecycle(`busy-${i}`, q.busyNode, 2)),
    ...Array.from({ length: q.quietPods }, (_, i) => () => lifecycle(`quiet-${i}`, q.quietNode, 1)),
  ];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
  const total = q.busyPods * 4 + q.quietPods * 3;
  const own = q.quietPods * 3;
  for (
    let waited = 0;
    (tallies.before.events < total || tallies.after.events < own) && waited < 60_000;
    waited += 20
  )
    await sleep(20);
  abort.abort();
  await Promise.allSettled(readers);
  return { total, own, elapsedMs: Date.now() - start, ...tallies };
}

export default {
  async fetch(request, env) {
    try {
      const q = await request.json();
      return Response.json(await run(env, q));
    } catch (e) {
      return new Response(String(e && e.stack ? e.stack : e), { status: 500 });
    }
  },
};
