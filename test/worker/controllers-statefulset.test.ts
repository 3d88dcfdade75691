// The StatefulSet controller against the real API Worker: ordered start, Parallel, rolling update
// with partition, OnDelete, and the claims' owners under persistentVolumeClaimRetentionPolicy.
import { describe, expect, it } from 'vitest';
import type { StatefulSet } from '../../src/api/apps-workloads';
import type { Pod } from '../../src/api/core';
import type { PersistentVolumeClaim } from '../../src/api/storage';
import type { KubeClient } from '../../src/client/client';
import { statefulSetController } from '../../workers/controllers/statefulset';
import { keyedHarness } from './controller-harness';
import { apiClient, freshNamespace } from './api';

const STS = 'apps/v1/statefulsets';

function sts(ns: string, spec: Partial<StatefulSet['spec']> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: ns },
    spec: {
      replicas: 3,
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'img:1' }] },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } },
        },
      ],
      ...spec,
    },
  };
}

const podsOf = async (c: KubeClient, ns: string) =>
  (await c.list<Pod>('pods', { namespace: ns })).items
    .filter((p) => !p.metadata.deletionTimestamp)
    .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
const names = (ps: Pod[]) => ps.map((p) => p.metadata.name);
const image = (p: Pod) => (p.spec!.containers![0] as { image: string }).image;

/** A kubelet: every pod not yet Ready becomes Running and Ready. Answers how many it touched. */
function kubelet(c: KubeClient, ns: string) {
  return async () => {
    let n = 0;
    for (const p of await podsOf(c, ns)) {
      if (p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')) continue;
      const since = new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      await c.updateStatus(
        'pods',
        {
          ...p,
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: since }],
          },
        },
        { namespace: ns },
      );
      n++;
    }
    return n;
  };
}

async function setup(spec: Partial<StatefulSet['spec']> = {}, now?: () => number) {
  const c = apiClient();
  const ns = await freshNamespace(c);
  await c.create(STS, sts(ns, spec), { namespace: ns });
  const h = await keyedHarness(ns, () => [statefulSetController()], { now });
  h.observe(c);
  return { c, ns, h, get: () => c.get<StatefulSet>(STS, 'web', { namespace: ns }) };
}

describe('StatefulSet controller', () => {
  it('OrderedReady: makes web-0 and its claim, and web-1 only once web-0 is Ready', async () => {
    const { c, ns, h, get } = await setup();
    await h.settle();
    expect(names(await podsOf(c, ns))).toEqual(['web-0']);
    const claims = (
      await c.list<PersistentVolumeClaim>('persistentvolumeclaims', { namespace: ns })
    ).items;
    expect(claims.map((x) => x.metadata.name)).toEqual(['data-web-0']);
    expect(claims[0].metadata.labels).toEqual({ app: 'web' });
    const web0 = (await podsOf(c, ns))[0];
    expect(web0.spec).toMatchObject({ hostname: 'web-0', subdomain: 'web' });
    expect((web0.spec as { volumes: unknown[] }).volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } },
    ]);
    await h.settle(kubelet(c, ns));
    expect(names(await podsOf(c, ns))).toEqual(['web-0', 'web-1', 'web-2']);
    const status = (await get()).status!;
    expect(status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      updatedReplicas: 3,
    });
    expect(status.currentRevision).toBe(status.updateRevision);
    h.stop();
  });

  it('Parallel: makes every pod at once', async () => {
    const { c, ns, h } = await setup({ podManagementPolicy: 'Parallel' });
    await h.settle();
    expect(names(await podsOf(c, ns))).toEqual(['web-0', 'web-1', 'web-2']);
    h.stop();
  });

  it('rolls from the highest ordinal down to the partition, then finishes when the partition drops', async () => {
    const { c, ns, h, get } = await setup({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } },
    });
    const k = kubelet(c, ns);
    await h.settle(k);
    const first = (await get()).status!.updateRevision;
    await c.patch(
      STS,
      'web',
      'merge',
      { spec: { template: { spec: { containers: [{ name: 'c', image: 'img:2' }] } } } },
      { namespace: ns },
    );
    await h.settle(k);
    let ps = await podsOf(c, ns);
    expect(ps.map(image)).toEqual(['img:1', 'img:2', 'img:2']);
    let status = (await get()).status!;
    expect(status.updateRevision).not.toBe(first);
    expect(status.currentRevision).toBe(first);
    expect(status.updatedReplicas).toBe(2);
    expect(ps[2].metadata.labels?.['controller-revision-hash']).toBe(status.updateRevision);
    await c.patch(
      STS,
      'web',
      'merge',
      { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } },
      { namespace: ns },
    );
    await h.settle(k);
    ps = await podsOf(c, ns);
    expect(ps.map(image)).toEqual(['img:2', 'img:2', 'img:2']);
    status = (await get()).status!;
    expect(status.currentRevision).toBe(status.updateRevision);
    const revs = (await c.list('apps/v1/controllerrevisions', { namespace: ns }))
      .items as unknown as {
      revision: number;
    }[];
    expect(revs.map((r) => r.revision).sort()).toEqual([1, 2]);
    h.stop();
  });

  it('maxUnavailable 2 replaces two pods at a time, from the top', async () => {
    const { c, ns, h } = await setup({
      replicas: 4,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 2 } },
    });
    const k = kubelet(c, ns);
    await h.settle(k);
    await c.patch(
      STS,
      'web',
      'merge',
      { spec: { template: { spec: { containers: [{ name: 'c', image: 'img:2' }] } } } },
      { namespace: ns },
    );
    await h.pass();
    expect(names(await podsOf(c, ns))).toEqual(['web-0', 'web-1']);
    await h.settle(k);
    expect((await podsOf(c, ns)).map(image)).toEqual(['img:2', 'img:2', 'img:2', 'img:2']);
    h.stop();
  });

  it('minReadySeconds: OrderedReady waits until the pod has been ready that long', async () => {
    let clock = Date.now();
    const { c, ns, h } = await setup({ minReadySeconds: 30 }, () => clock);
    const k = kubelet(c, ns);
    await h.settle(k);
    expect(names(await podsOf(c, ns))).toEqual(['web-0']);
    clock += 31_000;
    h.manager.enqueue('statefulset', `${ns}/web`);
    await h.pass();
    expect(names(await podsOf(c, ns))).toEqual(['web-0', 'web-1']);
    h.stop();
  });

  it('OnDelete: a template change replaces a pod only when it is deleted', async () => {
    const { c, ns, h } = await setup({ updateStrategy: { type: 'OnDelete' } });
    const k = kubelet(c, ns);
    await h.settle(k);
    await c.patch(
      STS,
      'web',
      'merge',
      { spec: { template: { spec: { containers: [{ name: 'c', image: 'img:2' }] } } } },
      { namespace: ns },
    );
    await h.settle(k);
    expect((await podsOf(c, ns)).map(image)).toEqual(['img:1', 'img:1', 'img:1']);
    await c.delete('pods', 'web-1', { namespace: ns, gracePeriodSeconds: 0 });
    await h.settle(k);
    expect((await podsOf(c, ns)).map(image)).toEqual(['img:1', 'img:2', 'img:1']);
    h.stop();
  });

  it('scales down from the top; whenScaled Delete hands the claims to their pods, whenDeleted Delete to the set', async () => {
    const { c, ns, h, get } = await setup({
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
    });
    const k = kubelet(c, ns);
    await h.settle(k);
    const set = await get();
    const before = await podsOf(c, ns);
    await c.patch(STS, 'web', 'merge', { spec: { replicas: 1 } }, { namespace: ns });
    await h.settle(k);
    expect(names(await podsOf(c, ns))).toEqual(['web-0']);
    const claims = (
      await c.list<PersistentVolumeClaim>('persistentvolumeclaims', { namespace: ns })
    ).items;
    const owners = (n: string) =>
      claims
        .find((x) => x.metadata.name === n)!
        .metadata.ownerReferences!.map((r) => `${r.kind}/${r.uid}`)
        .sort();
    expect(owners('data-web-0')).toEqual([`StatefulSet/${set.metadata.uid}`]);
    expect(owners('data-web-2')).toEqual(
      [`StatefulSet/${set.metadata.uid}`, `Pod/${before[2].metadata.uid}`].sort(),
    );
    h.stop();
  });
});
