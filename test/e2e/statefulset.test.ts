// End to end: a StatefulSet with volumeClaimTemplates on one process node (the pods really run and
// write to their volumes): ordered start with a PVC per pod bound to a local-path PV, a deleted pod
// comes back with its name and its data, ordered scale down that keeps the claims, rollout
// status/history, and reclaim policy Delete removing the volume's directory.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import {
  apply,
  eventually,
  getJson,
  getList,
  getMaybe,
  isReady,
  stopAgents,
  watch,
  type WatchRecorder,
} from '../helpers/control-plane';

let c: Cluster;
let w: WatchRecorder;
const NS = '/api/v1/namespaces/default';

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web' },
  spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] },
};

const statefulSet = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web' },
  spec: {
    serviceName: 'web',
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: [
              'sh',
              '-c',
              'echo "$HOSTNAME started" >> "$EDGEPLANE_VOLUME_DATA/log"; exec sleep 3600',
            ],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
        ],
      },
    },
    volumeClaimTemplates: [
      {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Mi' } } },
      },
    ],
  },
};

async function kubectl(args: string[]): Promise<string> {
  const out = await c.kubectl(args, { timeoutMs: 60_000 });
  if (out.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${out.stderr}`);
  return out.stdout;
}

const readyPod = (name: string, notUid?: string) =>
  eventually(
    `pod ${name} Ready`,
    async () => {
      const p = await getMaybe(c, `${NS}/pods/${name}`);
      return p && isReady(p) && !p.metadata.deletionTimestamp && p.metadata.uid !== notUid
        ? p
        : undefined;
    },
    30_000,
    100,
  );

beforeAll(async () => {
  c = await startCluster({ extraArgs: ['--agents', '1', '--runtime', 'process'] });
  const rv = (await getJson<{ metadata: { resourceVersion: string } }>(c, `${NS}/pods?limit=1`))
    .metadata.resourceVersion;
  w = await watch(c, `${NS}/pods?labelSelector=app%3Dweb`, rv);
}, 120_000);

afterAll(async () => {
  w?.stop();
  await stopAgents();
  await cleanupClusters();
}, 60_000);

describe('StatefulSet', () => {
  it('has a default local-path StorageClass', async () => {
    const out = await kubectl(['get', 'storageclass']);
    expect(out).toMatch(
      /NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE/,
    );
    expect(out).toMatch(
      /local-path \(default\)\s+rancher.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false/,
    );
  });

  it('starts web-0, web-1, web-2 in order, each with its own bound claim', async () => {
    expect((await apply(c, service, statefulSet)).code).toBe(0);
    await kubectl(['rollout', 'status', 'sts/web', '--timeout=45s']);
    // Each pod was created only after the one before it was Ready.
    const createdAt = (n: string) =>
      w.events.find((e) => e.type === 'ADDED' && e.object.metadata.name === n)!.at;
    const readyAt = (n: string) =>
      w.events.find((e) => e.object.metadata.name === n && isReady(e.object))!.at;
    expect(createdAt('web-1')).toBeGreaterThanOrEqual(readyAt('web-0'));
    expect(createdAt('web-2')).toBeGreaterThanOrEqual(readyAt('web-1'));
    const pvcs = await getList(c, `${NS}/persistentvolumeclaims`);
    expect(pvcs.map((p) => p.metadata.name).sort()).toEqual([
      'data-web-0',
      'data-web-1',
      'data-web-2',
    ]);
    for (const pvc of pvcs) {
      expect(pvc.status?.phase).toBe('Bound');
      expect(pvc.metadata.finalizers).toContain('kubernetes.io/pvc-protection');
      expect(pvc.metadata.annotations?.['volume.kubernetes.io/selected-node']).toBe('node-1');
      // The scheduler's VolumeBinding PreBind wrote it, as upstream's does.
      const managed = (pvc.metadata as { managedFields?: { manager: string }[] }).managedFields;
      expect(managed?.map((m) => m.manager)).toContain('default-scheduler');
    }
    const table = await kubectl(['get', 'pvc']);
    expect(table).toMatch(
      /NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE/,
    );
    expect(table).toMatch(/data-web-0\s+Bound\s+pvc-\S+\s+10Mi\s+RWO\s+local-path\s+<unset>/);
    const pod = await getJson(c, `${NS}/pods/web-1`);
    expect(pod.spec).toMatchObject({ hostname: 'web-1', subdomain: 'web' });
    expect(pod.metadata.labels).toMatchObject({
      'statefulset.kubernetes.io/pod-name': 'web-1',
      'apps.kubernetes.io/pod-index': '1',
    });
    const sts = await getJson(c, '/apis/apps/v1/namespaces/default/statefulsets/web');
    expect(pod.metadata.labels?.['controller-revision-hash']).toBe(
      (sts.status as { updateRevision: string }).updateRevision,
    );
    expect(await kubectl(['get', 'sts', 'web'])).toMatch(/web\s+3\/3/);
  });

  it('brings web-1 back after kubectl delete pod with the same name and the same data', async () => {
    await kubectl([
      'exec',
      'web-1',
      '--',
      'sh',
      '-c',
      'echo kept > "$EDGEPLANE_VOLUME_DATA/greeting"',
    ]);
    const old = await getJson(c, `${NS}/pods/web-1`);
    await kubectl(['delete', 'pod', 'web-1', '--wait=false']);
    const fresh = await readyPod('web-1', old.metadata.uid);
    expect(fresh.metadata.uid).not.toBe(old.metadata.uid);
    expect(
      (
        await kubectl(['exec', 'web-1', '--', 'sh', '-c', 'cat "$EDGEPLANE_VOLUME_DATA/greeting"'])
      ).trim(),
    ).toBe('kept');
    // Both lives of web-1 wrote to the same log.
    const log = await kubectl([
      'exec',
      'web-1',
      '--',
      'sh',
      '-c',
      'cat "$EDGEPLANE_VOLUME_DATA/log"',
    ]);
    expect(log.trim().split('\n')).toEqual(['web-1 started', 'web-1 started']);
  });

  it('scales down from the highest ordinal, one at a time, keeping the claims', async () => {
    const from = w.events.length;
    await kubectl(['scale', 'sts', 'web', '--replicas=1']);
    await eventually(
      'only web-0 left',
      async () => {
        const l = await getList(c, `${NS}/pods?labelSelector=app%3Dweb`);
        return l.length === 1 && l[0].metadata.name === 'web-0' ? l : undefined;
      },
      30_000,
      100,
    );
    const events = w.events.slice(from);
    const startedDeleting = (n: string) =>
      events.find((e) => e.object.metadata.name === n && e.object.metadata.deletionTimestamp)!.at;
    const gone = (n: string) =>
      events.find((e) => e.type === 'DELETED' && e.object.metadata.name === n)!.at;
    expect(startedDeleting('web-1')).toBeGreaterThanOrEqual(gone('web-2'));
    const pvcs = await getList(c, `${NS}/persistentvolumeclaims`);
    expect(pvcs).toHaveLength(3);
    const history = await kubectl(['rollout', 'history', 'sts/web']);
    expect(history).toMatch(/^1\s/m);
  });

  it('deletes a released Delete-policy volume and its directory', async () => {
    const pvc = await getJson(c, `${NS}/persistentvolumeclaims/data-web-2`);
    const pv = await getJson(
      c,
      `/api/v1/persistentvolumes/${(pvc.spec as { volumeName: string }).volumeName}`,
    );
    const dir = (pv.spec as { local: { path: string } }).local.path;
    expect(dir.startsWith(c.stateDir) || fs.existsSync(dir)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'log'))).toBe(true);
    await kubectl(['delete', 'pvc', 'data-web-2']);
    await eventually(
      'the volume deleted',
      async () =>
        (await getMaybe(c, `/api/v1/persistentvolumes/${pv.metadata.name}`)) ? undefined : true,
      15_000,
      100,
    );
    await eventually(
      'its directory removed',
      async () => (fs.existsSync(dir) ? undefined : true),
      20_000,
      200,
    );
  });
});
