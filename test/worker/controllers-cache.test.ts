// The leader's caches: relist after a 410 in the watch, and a fresh leader (after eviction) rebuilding from one list.
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import type { Transport } from '../../src/client/transport';
import type { Pod, ReplicaSet } from '../../src/api/core';
import { replicaSetController } from '../../workers/controllers/replicaset';
import { keyedHarness } from './controller-harness';

const rsBody = (ns: string, name: string, replicas: number): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, namespace: ns },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
    },
  },
});

/**
 * The first pods watch answers what the API answers when the history it resumes from is gone: an
 * ERROR event with a 410 Status, then the end of the stream. Later watches pass through.
 */
function expireFirstPodWatch(count: { expired: number }): (t: Transport) => Transport {
  return (inner) => async (req) => {
    if (count.expired === 0 && /\/pods\?/.test(req.url) && /[?&]watch=(true|1)/.test(req.url)) {
      count.expired++;
      const status = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'too old resource version: 1 (2)',
        reason: 'Expired',
        code: 410,
      };
      return new Response(JSON.stringify({ type: 'ERROR', object: status }) + '\n', {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }
    return inner(req);
  };
}

const live = (ps: Pod[], name: string) =>
  ps.filter((p) => p.metadata.ownerReferences?.[0]?.name === name && !p.metadata.deletionTimestamp);

describe('controller caches', () => {
  it('relist after the watch answers 410 Expired, and keep following changes from the new list', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const count = { expired: 0 };
    const h = await keyedHarness(ns, () => [replicaSetController()], {
      watchTransport: expireFirstPodWatch(count),
    });
    try {
      await c.create('apps/v1/replicasets', rsBody(ns, 'web', 3), { namespace: ns });
      await h.settle();
      expect(count.expired).toBe(1);
      // One list at the start, one after the 410.
      expect(h.cache.stats().pods.relists).toBe(2);
      expect(live((await c.list<Pod>('pods', { namespace: ns })).items, 'web')).toHaveLength(3);
      expect(h.cache.kind('pods').size).toBe(3);
      // The cache follows the new watch: a pod deleted behind the controller's back is replaced.
      const [victim] = (await c.list<Pod>('pods', { namespace: ns })).items;
      await c.delete('pods', victim.metadata.name!, { namespace: ns });
      await h.settle();
      expect(live((await c.list<Pod>('pods', { namespace: ns })).items, 'web')).toHaveLength(3);
      expect(h.cache.kind('pods').get(`${ns}/${victim.metadata.name}`)).toBeUndefined();
    } finally {
      h.stop();
    }
  });

  it('rebuild from one list in a fresh leader (after eviction): no pod made twice, changes made meanwhile honoured', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('apps/v1/replicasets', rsBody(ns, 'web', 3), { namespace: ns });
    const first = await keyedHarness(ns, () => [replicaSetController()]);
    await first.settle();
    // Evicted: caches, queues and expectations are gone with the instance.
    first.stop();
    await c.patch(
      'apps/v1/replicasets',
      'web',
      'merge',
      { spec: { replicas: 5 } },
      { namespace: ns },
    );
    let creates = 0;
    const second = await keyedHarness(ns, () => [replicaSetController()]);
    second.onWrite = (req) =>
      void (req.method === 'POST' && /\/pods$/.test(new URL(req.url).pathname) && creates++);
    try {
      await second.settle();
      expect(second.cache.stats().pods.relists).toBe(1);
      expect(creates).toBe(2);
      expect(live((await c.list<Pod>('pods', { namespace: ns })).items, 'web')).toHaveLength(5);
      expect(
        (await c.get<ReplicaSet>('apps/v1/replicasets', 'web', { namespace: ns })).status?.replicas,
      ).toBe(5);
    } finally {
      second.stop();
    }
  });
});
