// Fault lane: SIGKILL the whole control plane (the `edgeplane dev` process group: launcher, dev and
// workerd) three times during a 200-replica rollout on simulated nodes, restarting it each time on the
// same state folder and port. The nodes (one `edgeplane agent --runtime fake` process outside the
// group) ride it out. Meanwhile writers create and update ConfigMaps and (partitioned) Leases and
// record every 2xx answer.
// At the end: exactly 200 pods, all of the new template, one ReplicaSet per template, and every
// acknowledged write present at its acknowledged resourceVersion or newer.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupClusters, restartCluster, startCluster, type Cluster } from '../helpers/cluster';
import {
  apply,
  deployment,
  eventually,
  getJson,
  getList,
  isReady,
  sleep,
  startFakeNodes,
  stopAgents,
  type KObj,
} from '../helpers/control-plane';

const REPLICAS = 200;
const NODES = 8;
const KILLS = 3;
const WRITERS = 4;
const NS = 'default';

let c: Cluster;

afterAll(async () => {
  await stopAgents();
  await cleanupClusters();
}, 120_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

interface Acked {
  seq: number;
  rv: string;
}

const SEQ = 'faults.edgeplane.dev/seq';
/** What the writers write: ConfigMaps (one shard) and Leases (partitioned over the shards). */
const KINDS = [
  { path: `/api/v1/namespaces/${NS}/configmaps`, apiVersion: 'v1', kind: 'ConfigMap' },
  {
    path: `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`,
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
  },
];

/** An object's revision within its shard: "42", or "<partition>:42" for partitioned kinds. */
const revision = (rv: string) => Number(rv.slice(rv.lastIndexOf(':') + 1));

/**
 * Writers that never stop for an outage: each creates its own objects and updates them with
 * resourceVersion preconditions, and records the last write answered with a 2xx per object.
 * `seq` grows with every attempt on an object, so a write that committed without an answer shows as newer.
 */
function startWriters(cluster: () => Cluster) {
  const acked = new Map<string, Acked>();
  const stats = {
    acked: 0,
    failed: 0,
    conflicts: 0,
    unanswered: 0,
    codes: {} as Record<string, number>,
  };
  let stopped = false;
  const call = async (
    method: string,
    p: string,
    body?: unknown,
  ): Promise<{ status: number; obj?: KObj }> => {
    const res = await cluster().fetch(p, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    stats.codes[res.status] = (stats.codes[res.status] ?? 0) + 1;
    return { status: res.status, obj: res.status < 300 ? (JSON.parse(text) as KObj) : undefined };
  };
  const writer = async (w: number) => {
    const k = KINDS[w % KINDS.length];
    const body = (name: string, seq: number, resourceVersion?: string) => ({
      apiVersion: k.apiVersion,
      kind: k.kind,
      metadata: {
        name,
        annotations: { [SEQ]: String(seq) },
        ...(resourceVersion ? { resourceVersion } : {}),
      },
    });
    const mine: { name: string; rv?: string; seq: number }[] = [];
    for (let i = 0; !stopped; i++) {
      try {
        if (mine.length < 8 || i % 3 === 0) {
          const name = `w${w}-${mine.length}`;
          const entry = { name, seq: 0 } as { name: string; rv?: string; seq: number };
          mine.push(entry);
          const r = await call('POST', k.path, body(name, 0));
          if (r.status === 201) {
            entry.rv = r.obj!.metadata.resourceVersion;
            acked.set(`${k.path}/${name}`, { seq: 0, rv: entry.rv! });
            stats.acked++;
          } else {
            stats.failed++;
            await sleep(100);
          }
          continue;
        }
        const entry = mine[i % mine.length];
        if (!entry.rv) {
          // Its create (or last update) got no answer: learn what the server holds.
          const r = await call('GET', `${k.path}/${entry.name}`);
          if (r.status === 200) {
            entry.rv = r.obj!.metadata.resourceVersion;
            entry.seq = Math.max(entry.seq, Number(r.obj!.metadata.annotations?.[SEQ] ?? 0));
          } else if (r.status === 404 && !acked.has(`${k.path}/${entry.name}`))
            mine.splice(mine.indexOf(entry), 1);
          continue;
        }
        const seq = entry.seq + 1;
        entry.seq = seq;
        const rv = entry.rv;
        entry.rv = undefined;
        const r = await call('PUT', `${k.path}/${entry.name}`, body(entry.name, seq, rv));
        if (r.status === 200) {
          entry.rv = r.obj!.metadata.resourceVersion;
          acked.set(`${k.path}/${entry.name}`, { seq, rv: entry.rv! });
          stats.acked++;
        } else if (r.status === 409) stats.conflicts++;
        else {
          stats.failed++;
          await sleep(100);
        }
      } catch {
        stats.unanswered++;
        await sleep(100); // the control plane is down: try again shortly
      }
    }
  };
  const done = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  return {
    acked,
    stats,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

/** Every pod of the new template ever seen: with maxUnavailable 0 on steady nodes none should go away. */
const seenFresh = new Set<string>();

/** The rollout's state: pods of each template hash, and the ReplicaSets. */
async function rolloutState(cluster: Cluster, newImage: string) {
  const pods = await getList(cluster, `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Droll`);
  const sets = await getList(
    cluster,
    `/apis/apps/v1/namespaces/${NS}/replicasets?labelSelector=app%3Droll`,
  );
  const newSets = sets.filter((s) => s.spec.template.spec.containers[0].image === newImage);
  const newHash = newSets[0]?.metadata.labels?.['pod-template-hash'];
  const live = pods.filter((p) => !p.metadata.deletionTimestamp);
  const fresh = live.filter(
    (p) => newHash !== undefined && p.metadata.labels?.['pod-template-hash'] === newHash,
  );
  for (const p of pods)
    if (newHash !== undefined && p.metadata.labels?.['pod-template-hash'] === newHash)
      seenFresh.add(p.metadata.uid!);
  return { pods, live, fresh, sets, newSets, newHash };
}

describe('SIGKILL of the whole control plane during a rollout', () => {
  it(`three kills during a ${REPLICAS}-replica rollout: exactly ${REPLICAS} pods of the new template, none duplicated, no acknowledged write lost`, async () => {
    const t0 = Date.now();
    const port = await freePort();
    const extraArgs = ['--port', String(port)];
    c = await startCluster({ partitions: 4, extraArgs });
    const stateDir = c.stateDir;
    await startFakeNodes(c, {
      prefix: 'sim-',
      nodes: NODES,
      address: '127.0.5.1',
      cpu: '64',
      memory: '256Gi',
    });

    const oldImage = 'registry.example/roll:1';
    const newImage = 'registry.example/roll:2';
    // Waves of 25 new pods, each Available only after 3 s: the rollout outlasts the kills.
    await apply(
      c,
      deployment('roll', {
        replicas: REPLICAS,
        image: oldImage,
        maxSurge: 25,
        maxUnavailable: 0,
        minReadySeconds: 3,
      }),
    );
    await eventually(
      `${REPLICAS} ready pods of the old template`,
      async () => {
        const d = await getJson(c, `/apis/apps/v1/namespaces/${NS}/deployments/roll`);
        return d.status?.availableReplicas === REPLICAS && d.status?.updatedReplicas === REPLICAS
          ? d
          : undefined;
      },
      180_000,
      500,
    );
    const settled = Date.now();

    const writers = startWriters(() => c);
    await sleep(1_000);
    const set = await c.kubectl(['set', 'image', 'deployment/roll', `app=${newImage}`]);
    expect(set.code, set.stderr).toBe(0);

    const kills: { at: number; fresh: number; old: number; downMs: number }[] = [];
    let progress = 0;
    for (let k = 0; k < KILLS; k++) {
      // Kill once the rollout has moved since the last restart, and while old pods remain.
      const state = await eventually(
        `rollout progress before kill ${k + 1}`,
        async () => {
          const s = await rolloutState(c, newImage);
          return s.fresh.length > progress ? s : undefined;
        },
        90_000,
        200,
      );
      progress = state.fresh.length;
      const old = state.live.length - state.fresh.length;
      expect(
        old,
        `kill ${k + 1} must land during the rollout (old pods still running)`,
      ).toBeGreaterThan(0);
      const down = Date.now();
      await c.kill();
      c = await restartCluster(stateDir, { partitions: 4, extraArgs });
      expect(c.port).toBe(port);
      kills.push({ at: down - settled, fresh: state.fresh.length, old, downMs: Date.now() - down });
    }

    const done = await eventually(
      `the rollout to finish with ${REPLICAS} pods of the new template`,
      async () => {
        const d = await getJson(c, `/apis/apps/v1/namespaces/${NS}/deployments/roll`);
        const s = await rolloutState(c, newImage);
        const finished =
          d.status?.observedGeneration === d.metadata.generation &&
          d.status?.updatedReplicas === REPLICAS &&
          d.status?.availableReplicas === REPLICAS &&
          d.status?.replicas === REPLICAS &&
          s.pods.length === REPLICAS &&
          s.fresh.length === REPLICAS;
        return finished ? s : undefined;
      },
      360_000,
      500,
    );
    const rolledOutAfter = Date.now() - settled;
    await writers.stop();

    // Exactly the new template, once: one ReplicaSet for it, every pod its own, ready and on a node.
    expect(
      done.newSets.map((s) => s.metadata.name),
      'ReplicaSets with the new template',
    ).toHaveLength(1);
    expect(
      done.sets
        .filter((s) => s.metadata.uid !== done.newSets[0].metadata.uid)
        .map((s) => s.spec.replicas),
    ).toEqual([0]);
    expect(new Set(done.pods.map((p) => p.metadata.name)).size).toBe(REPLICAS);
    expect(
      done.pods
        .filter((p) => p.metadata.ownerReferences?.[0]?.uid !== done.newSets[0].metadata.uid)
        .map((p) => p.metadata.name),
    ).toEqual([]);
    expect(
      done.pods
        .filter((p) => !isReady(p) || !p.spec.nodeName?.startsWith('sim-'))
        .map((p) => p.metadata.name),
    ).toEqual([]);
    // It stays that way: no late duplicate from a controller that lost track across a restart.
    await sleep(5_000);
    const later = await rolloutState(c, newImage);
    expect(later.pods.length).toBe(REPLICAS);
    expect(later.fresh.map((p) => p.metadata.uid).sort()).toEqual(
      done.fresh.map((p) => p.metadata.uid).sort(),
    );
    // And never was otherwise: no extra pod of the new template was created and then removed.
    const finalUids = new Set(done.fresh.map((p) => p.metadata.uid!));
    expect(
      [...seenFresh].filter((u) => !finalUids.has(u)),
      'pods of the new template created and later removed',
    ).toEqual([]);

    // Every acknowledged write is there, at its acknowledged resourceVersion or a newer one.
    const lost: string[] = [];
    const keys = [...writers.acked.keys()];
    for (let i = 0; i < keys.length; i += 16) {
      await Promise.all(
        keys.slice(i, i + 16).map(async (key) => {
          const want = writers.acked.get(key)!;
          const res = await c.fetch(key);
          if (res.status !== 200)
            return void lost.push(`${key}: ${res.status} (acked seq ${want.seq} at ${want.rv})`);
          const got = (await res.json()) as KObj;
          const seq = Number(got.metadata.annotations?.[SEQ]);
          const rv = got.metadata.resourceVersion!;
          if (
            seq < want.seq ||
            revision(rv) < revision(want.rv) ||
            (seq === want.seq && rv !== want.rv)
          ) {
            lost.push(`${key}: holds seq ${seq} at ${rv}, acked seq ${want.seq} at ${want.rv}`);
          }
        }),
      );
    }
    console.log(
      `control plane kills: ${kills.map((k) => `at +${k.at} ms (${k.fresh} new, ${k.old} old pods; back after ${k.downMs} ms)`).join('; ')}; ` +
        `rolled out ${rolledOutAfter} ms after the set image; ${writers.stats.acked} writes acknowledged (${writers.acked.size} ConfigMaps and Leases), ` +
        `${writers.stats.unanswered} unanswered, answers ${JSON.stringify(writers.stats.codes)}; whole scenario ${Date.now() - t0} ms`,
    );
    expect(writers.stats.acked).toBeGreaterThan(100);
    expect(lost, `${lost.length} of ${writers.acked.size} acknowledged writes lost`).toEqual([]);
  }, 600_000);
});
