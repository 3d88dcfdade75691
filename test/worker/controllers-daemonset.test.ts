// The DaemonSet controller against the real API Worker: a pod per node, surge updates across passes,
// OnDelete, status counters and ControllerRevision history.
import { describe, expect, it } from 'vitest';
import type { DaemonSet } from '../../src/api/apps-workloads';
import type { Node, Pod } from '../../src/api/core';
import type { KubeClient } from '../../src/client/client';
import { daemonSetController } from '../../workers/controllers/daemonset';
import { keyedHarness } from './controller-harness';
import { apiClient, freshNamespace } from './api';

const DS = 'apps/v1/daemonsets';

async function nodes(c: KubeClient, ns: string, n: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `${ns}-n${i}`;
    const node = await c.create<Node>('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { dstest: ns } },
    });
    await c.updateStatus('nodes', {
      ...node,
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    names.push(name);
  }
  return names;
}

function ds(ns: string, strategy: DaemonSet['spec']['updateStrategy']): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: ns },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: strategy,
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { nodeSelector: { dstest: ns }, containers: [{ name: 'c', image: 'img:1' }] },
      },
    },
  };
}

const live = async (c: KubeClient, ns: string) =>
  (await c.list<Pod>('pods', { namespace: ns })).items.filter((p) => !p.metadata.deletionTimestamp);
const image = (p: Pod) => (p.spec!.containers![0] as { image: string }).image;

/** A kubelet and scheduler: binds each pod to the node its affinity names, and marks it Running and Ready. */
function kubelet(c: KubeClient, ns: string) {
  return async () => {
    let n = 0;
    for (const p of await live(c, ns)) {
      if (!p.spec?.nodeName) {
        const target = (p.spec as any).affinity.nodeAffinity
          .requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0]
          .values[0];
        await c.createSubresource(
          'pods',
          p.metadata.name!,
          'binding',
          {
            apiVersion: 'v1',
            kind: 'Binding',
            metadata: { name: p.metadata.name },
            target: { kind: 'Node', name: target },
          },
          { namespace: ns },
        );
        n++;
        continue;
      }
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

async function setup(strategy: DaemonSet['spec']['updateStrategy']) {
  const c = apiClient();
  const ns = await freshNamespace(c);
  const names = await nodes(c, ns, 3);
  await c.create(DS, ds(ns, strategy), { namespace: ns });
  const h = await keyedHarness(ns, () => [daemonSetController()], {
    selectors: { nodes: { labelSelector: `dstest=${ns}` } },
  });
  h.observe(c);
  // Nodes are cluster-wide: each test removes its own.
  const done = async () => {
    h.stop();
    for (const n of names) await c.delete('nodes', n);
  };
  return { c, ns, h, names, done, get: () => c.get<DaemonSet>(DS, 'agent', { namespace: ns }) };
}

describe('DaemonSet controller', () => {
  it('makes one pod per node and reports every counter', async () => {
    const { c, ns, h, names, get, done } = await setup({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    await h.settle(kubelet(c, ns));
    const ps = await live(c, ns);
    expect(ps.map((p) => p.spec!.nodeName).sort()).toEqual(names);
    expect((await get()).status).toMatchObject({
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberReady: 3,
      numberAvailable: 3,
      updatedNumberScheduled: 3,
      numberMisscheduled: 0,
      observedGeneration: 1,
    });
    const before = h.writes;
    await h.pass();
    expect(h.writes).toBe(before);
    await done();
  });

  it('surges: a new pod beside each old one, the old one deleted once the new is available, maxSurge nodes at a time', async () => {
    const { c, ns, h, get, done } = await setup({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    const k = kubelet(c, ns);
    await h.settle(k);
    await c.patch(
      DS,
      'agent',
      'merge',
      { spec: { template: { spec: { containers: [{ name: 'c', image: 'img:2' }] } } } },
      { namespace: ns },
    );
    let most = 0;
    // One pass, then the kubelet, step by step: never more than 4 pods (3 nodes + 1 surge).
    for (let i = 0; i < 40; i++) {
      await h.pass();
      most = Math.max(most, (await live(c, ns)).length);
      const acted = await k();
      const ps = await live(c, ns);
      if (!acted && ps.length === 3 && ps.every((p) => image(p) === 'img:2')) break;
    }
    expect(most).toBe(4);
    expect((await live(c, ns)).map(image)).toEqual(['img:2', 'img:2', 'img:2']);
    await h.settle(k);
    expect((await get()).status).toMatchObject({ updatedNumberScheduled: 3, numberAvailable: 3 });
    const revs = (await c.list('apps/v1/controllerrevisions', { namespace: ns }))
      .items as unknown as { revision: number }[];
    expect(revs.map((r) => r.revision).sort()).toEqual([1, 2]);
    await done();
  });

  it('OnDelete: a new template reaches a node only when its pod is deleted', async () => {
    const { c, ns, h, done } = await setup({ type: 'OnDelete' });
    const k = kubelet(c, ns);
    await h.settle(k);
    await c.patch(
      DS,
      'agent',
      'merge',
      { spec: { template: { spec: { containers: [{ name: 'c', image: 'img:2' }] } } } },
      { namespace: ns },
    );
    await h.settle(k);
    const ps = await live(c, ns);
    expect(ps.map(image)).toEqual(['img:1', 'img:1', 'img:1']);
    await c.delete('pods', ps[0].metadata.name!, { namespace: ns, gracePeriodSeconds: 0 });
    await h.settle(k);
    expect((await live(c, ns)).map(image).sort()).toEqual(['img:1', 'img:1', 'img:2']);
    await done();
  });
});
