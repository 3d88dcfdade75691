// Layer 2, end to end: `edgeplane dev` over https, ConfigMaps (one shard) and Leases (4 partitions) through the REST API.
import https from 'node:https';
import { cleanupClusters, startCluster, type Cluster } from '../test/helpers/cluster';
import {
  driveWatch,
  driveWrites,
  WATCHERS,
  WRITERS,
  type Layer,
  type WatchCell,
  type WriteCell,
} from './layer';
import { send, streamLines, type Target } from './http';
import { sized } from './stats';

// Leases stand for the partitioned kinds: unlike Pods, a Lease write wakes no scheduler pass, so the
// figures measure the storage path rather than the scheduler's reaction to each new pod.
const KINDS = [
  {
    shards: '1 shard',
    api: '/api/v1',
    resource: 'configmaps',
    body: (name: string, bytes: number) =>
      sized(
        (pad) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { pad } }),
        bytes,
      ),
  },
  {
    shards: '4 partitions',
    api: '/apis/coordination.k8s.io/v1',
    resource: 'leases',
    body: (name: string, bytes: number) =>
      sized(
        (pad) => ({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, annotations: { pad } },
          spec: { holderIdentity: 'bench', leaseDurationSeconds: 40 },
        }),
        bytes,
      ),
  },
];

export async function httpLayer(opts: {
  seconds: number;
  events: number;
  bytes: number;
}): Promise<Layer> {
  const cluster = await startCluster({ partitions: 4 });
  try {
    const writes: WriteCell[] = [];
    const watches: WatchCell[] = [];
    let cell = 0;
    for (const kind of KINDS) {
      const create = (t: Target, ns: string, name: string) =>
        send(
          t,
          'POST',
          `${kind.api}/namespaces/${ns}/${kind.resource}`,
          JSON.stringify(kind.body(name, opts.bytes)),
        ).then((r) => r.status === 201);
      // A short warm-up creates the shards (and their SQLite files) before anything is timed.
      const warm = target(cluster, 4);
      const wc = cell++;
      await driveWrites(kind.shards, 4, 300, (w, i) =>
        create(warm, 'default', `warm-${wc}-${w}-${i}`),
      );
      warm.agent.destroy();
      for (const writers of WRITERS) {
        const t = target(cluster, writers);
        const c = cell++;
        writes.push(
          await driveWrites(kind.shards, writers, opts.seconds * 1000, (w, i) =>
            create(t, 'default', `c${c}-w${w}-${i}`),
          ),
        );
        t.agent.destroy();
      }
      for (const watchers of WATCHERS) {
        const ns = `bench-watch-${cell++}`;
        const t = target(cluster, 4);
        const made = await send(
          t,
          'POST',
          '/api/v1/namespaces',
          JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }),
        );
        if (made.status !== 201)
          throw new Error(`creating namespace ${ns} answered ${made.status}: ${made.body}`);
        const list = await send(t, 'GET', `${kind.api}/namespaces/${ns}/${kind.resource}?limit=1`);
        const rv = (JSON.parse(list.body) as { metadata: { resourceVersion: string } }).metadata
          .resourceVersion;
        const watchTarget = {
          ...target(cluster, Infinity),
          agent: new https.Agent({ ca: caOf(cluster), keepAlive: false, maxSockets: Infinity }),
        };
        const path = `${kind.api}/namespaces/${ns}/${kind.resource}?watch=1&resourceVersion=${encodeURIComponent(rv)}`;
        watches.push(
          await driveWatch({
            shards: kind.shards,
            watchers,
            writes: opts.events,
            open: (onName) =>
              streamLines(watchTarget, 'GET', path, undefined, (line) => {
                const ev = JSON.parse(line) as {
                  type: string;
                  object: { metadata?: { name?: string } };
                };
                if (ev.type === 'ADDED' && ev.object.metadata?.name)
                  onName(ev.object.metadata.name);
              }),
            write: (name) => create(t, ns, name),
          }),
        );
        t.agent.destroy();
        watchTarget.agent.destroy();
      }
    }
    // The same path for Pods, whose every create also wakes the scheduler and controllers Workers.
    const pods = target(cluster, 8);
    const podBody = (name: string) =>
      JSON.stringify(
        sized(
          (pad) => ({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name, annotations: { pad } },
            spec: { containers: [{ name: 'c', image: 'busybox' }] },
          }),
          opts.bytes,
        ),
      );
    writes.push(
      await driveWrites('pods, 4 partitions (+ wake-ups)', 8, opts.seconds * 1000, (w, i) =>
        send(pods, 'POST', '/api/v1/namespaces/default/pods', podBody(`p${w}-${i}`)).then(
          (r) => r.status === 201,
        ),
      ),
    );
    pods.agent.destroy();
    return {
      title:
        'end to end, through the local HTTP path (edgeplane dev --partitions 4, https REST: ConfigMaps = 1 shard, Leases = 4 partitions)',
      writes,
      watches,
      note: 'keep-alive https clients in this process; watches are ?watch=1 streams from a list resourceVersion',
    };
  } finally {
    await cluster.stop();
    await cleanupClusters();
  }
}

function caOf(cluster: Cluster): Buffer | string | undefined {
  return cluster.agent.options.ca as Buffer | string | undefined;
}

function target(cluster: Cluster, sockets: number): Target {
  return {
    base: cluster.url,
    agent: new https.Agent({ ca: caOf(cluster), keepAlive: true, maxSockets: sockets }),
    headers: { authorization: `Bearer ${cluster.token}` },
  };
}
