// pods/log through the API: shipped batches, tail, timestamps, previous instance, follow until the end.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import { testEnv } from './helpers';

const auth = () => ({ Authorization: `Bearer ${testEnv.ADMIN_TOKEN}` });

async function ship(ns: string, pod: string, uid: string, container: string, instance: number, lines: string[]) {
  const res = await SELF.fetch(`https://edgeplane.test/edgeplane/v1/namespaces/${ns}/pods/${pod}/logs?uid=${uid}`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/json' },
    body: JSON.stringify({ container, instance, lines }),
  });
  expect(res.status).toBe(204);
}

const get = (ns: string, pod: string, q = '') => SELF.fetch(`https://edgeplane.test/api/v1/namespaces/${ns}/pods/${pod}/log${q}`, { headers: auth() });

describe('pods/log', () => {
  it('serves shipped lines with tailLines, timestamps and --previous', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const pod = await c.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: ns }, spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'x' }] } }, { namespace: ns });
    const uid = (pod.metadata as { uid?: string }).uid!;
    await ship(ns, 'p', uid, 'app', 0, ['2026-11-28T10:00:00.000000000Z first run']);
    await ship(ns, 'p', uid, 'app', 1, ['2026-11-28T10:01:00.000000000Z one', '2026-11-28T10:01:01.000000000Z two', '2026-11-28T10:01:02.000000000Z three']);
    expect(await (await get(ns, 'p')).text()).toBe('one\ntwo\nthree\n');
    expect(await (await get(ns, 'p', '?tailLines=1')).text()).toBe('three\n');
    expect(await (await get(ns, 'p', '?tailLines=1&timestamps=true')).text()).toBe('2026-11-28T10:01:02.000000000Z three\n');
    expect(await (await get(ns, 'p', '?previous=true')).text()).toBe('first run\n');
    const bad = await get(ns, 'p', '?container=nope');
    expect(bad.status).toBe(400);
  });

  it('follows new lines and ends when the pod is gone', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const pod = await c.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'f', namespace: ns }, spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'x' }] } }, { namespace: ns });
    const uid = (pod.metadata as { uid?: string }).uid!;
    await ship(ns, 'f', uid, 'app', 0, ['2026-11-28T10:00:00.000000000Z before']);
    const res = await get(ns, 'f', '?follow=true');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toBe('before\n');
    await ship(ns, 'f', uid, 'app', 0, ['2026-11-28T10:00:01.000000000Z after']);
    expect((await reader.read()).value).toBe('after\n');
    await SELF.fetch(`https://edgeplane.test/edgeplane/v1/namespaces/${ns}/pods/f/logs/end?uid=${uid}`, { method: 'POST', headers: auth() });
    expect((await reader.read()).done).toBe(true);
  });
});
