// Watches are filtered where the data is: a node's pod watch carries only that node's pods out of the
// watch hubs, and objects moving in or out of a selector are ADDED or DELETED as the apiserver says.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { findResource } from '../../src/api/resources';
import { parseResourceVersion } from '../../src/storage/revision';
import type { KObject } from '../../src/api/types';
import type { StoreEvent } from '../../src/storage/store';
import { storeWith, testEnv } from './helpers';
import { apiClient, freshNamespace } from './api';

const PODS = findResource('', 'v1', 'pods')!;

function pod(
  ns: string,
  name: string,
  nodeName?: string,
  labels?: Record<string, string>,
): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, uid: crypto.randomUUID(), labels },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'app', image: 'busybox' }] },
  };
}

describe('watch filtering in the hubs', () => {
  it("an agent's watch receives no other node's pod events", async () => {
    const ns = await freshNamespace(apiClient());
    const store = storeWith(Number(testEnv.PARTITIONS));
    const suffix = Math.random().toString(36).slice(2, 8);
    const mine = `node-a-${suffix}`;
    const other = `node-b-${suffix}`;
    const list = await store.list(PODS, {});
    if (!list.ok) throw new Error('list failed');
    const from = (
      parseResourceVersion(list.value.resourceVersion, store.partitions) as { position: number[] }
    ).position;
    const abort = new AbortController();
    // What the API Worker receives from the hubs for `GET /api/v1/pods?watch=1&fieldSelector=spec.nodeName=<node>`.
    const received: StoreEvent[] = [];
    const done = (async () => {
      for await (const ev of store.watch(PODS, undefined, from, abort.signal, {
        fieldSelector: `spec.nodeName=${mine}`,
      })) {
        if (ev.type === 'PROGRESS') continue;
        received.push(ev);
        if (ev.type === 'DELETED' && ev.object.metadata.name === 'last') return;
      }
    })();

    // The other node's pods churn: created, updated twice, deleted.
    for (let i = 0; i < 40; i++) {
      const created = await store.create(PODS, pod(ns, `b${i}`, other));
      if (!created.ok) throw new Error('create failed');
      let cur = created.value;
      for (let u = 0; u < 2; u++) {
        const next = { ...cur, metadata: { ...cur.metadata, annotations: { round: String(u) } } };
        const res = await store.update(PODS, next, {
          resourceVersion: cur.metadata.resourceVersion,
        });
        if (!res.ok) throw new Error('update failed');
        cur = res.value;
      }
      expect((await store.delete(PODS, ns, `b${i}`)).ok).toBe(true);
    }
    // This node's own pods: one created on it, one bound to it after creation, one moved off it
    // (not something Kubernetes allows, but the hub must still see the previous version), one deleted.
    await store.create(PODS, pod(ns, 'a1', mine));
    const unbound = await store.create(PODS, pod(ns, 'a2'));
    if (!unbound.ok) throw new Error('create failed');
    const bound = await store.update(PODS, {
      ...unbound.value,
      spec: { ...(unbound.value.spec as object), nodeName: mine },
    });
    if (!bound.ok) throw new Error('bind failed');
    const moved = await store.update(PODS, {
      ...bound.value,
      spec: { ...(bound.value.spec as object), nodeName: other },
    });
    if (!moved.ok) throw new Error('move failed');
    await store.create(PODS, pod(ns, 'last', mine));
    await store.delete(PODS, ns, 'last');
    await done;
    abort.abort();

    const names = received.map(
      (e) => `${e.type} ${(e as { object: KObject }).object.metadata.name}`,
    );
    expect(names.filter((n) => / b\d+$/.test(n))).toEqual([]);
    // a2's creation (unbound) never matched; its binding and its move are MODIFIED events whose
    // previous version tells the API to send ADDED and DELETED.
    expect(names).toEqual(['ADDED a1', 'MODIFIED a2', 'MODIFIED a2', 'ADDED last', 'DELETED last']);
  });
});

describe('selector transitions through the API', () => {
  it('sends DELETED with the last matching state when an object leaves a selector, ADDED when it enters', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const auth = { Authorization: `Bearer ${testEnv.ADMIN_TOKEN}` };
    const list = await SELF.fetch(`https://edgeplane.test/api/v1/namespaces/${ns}/pods`, {
      headers: auth,
    });
    const rv = ((await list.json()) as { metadata: { resourceVersion: string } }).metadata
      .resourceVersion;
    const res = await SELF.fetch(
      `https://edgeplane.test/api/v1/namespaces/${ns}/pods?watch=true&labelSelector=app%3Da&resourceVersion=${rv}`,
      { headers: auth },
    );
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    const next = async (): Promise<{ type: string; object: KObject }> => {
      for (;;) {
        const nl = buf.indexOf('\n');
        if (nl >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          return JSON.parse(line) as { type: string; object: KObject };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('watch ended');
        buf += value;
      }
    };

    const apiPod = (name: string, app: string) => {
      const o = pod(ns, name, undefined, { app });
      delete o.metadata.uid;
      return o;
    };
    await c.create('pods', apiPod('other', 'b'), { namespace: ns });
    const created = await c.create('pods', apiPod('p', 'a'), { namespace: ns });
    let ev = await next();
    expect([ev.type, ev.object.metadata.name]).toEqual(['ADDED', 'p']);

    const relabelled = await c.patch(
      'pods',
      'p',
      'merge',
      { metadata: { labels: { app: 'b' } } },
      { namespace: ns },
    );
    ev = await next();
    expect(ev.type).toBe('DELETED');
    // The object as it last matched (upstream's convertToWatchEvent), not the version that left.
    expect(ev.object.metadata.labels).toEqual({ app: 'a' });
    expect(relabelled.metadata.labels).toEqual({ app: 'b' });
    expect(ev.object.metadata.uid).toBe((created.metadata as { uid: string }).uid);

    await c.patch('pods', 'p', 'merge', { metadata: { labels: { app: 'a' } } }, { namespace: ns });
    ev = await next();
    expect([ev.type, ev.object.metadata.labels]).toEqual(['ADDED', { app: 'a' }]);
    await reader.cancel();
  });
});
