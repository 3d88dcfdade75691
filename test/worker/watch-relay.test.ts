// The watch relay: a plain watch sends stored objects on unparsed; its events equal the parsed path's.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import { storeWith, testEnv } from './helpers';
import { RESOURCES } from '../../src/api/resources';
import type { KObject } from '../../src/api/types';

const watch = (path: string) =>
  SELF.fetch(`https://edgeplane.test${path}`, {
    headers: { Authorization: `Bearer ${testEnv.ADMIN_TOKEN}` },
  });

/** The first `n` lines of a watch stream, as sent; the stream is dropped after. */
async function lines(res: Response, n: number): Promise<string[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const deadline = Date.now() + 10_000;
  while (text.split('\n').length <= n && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  return text.split('\n').slice(0, n);
}

describe('watch relay', () => {
  it('sends the same events as the parsing path, relaying the objects a write stored marked', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const list = await c.list('pods', { namespace: ns });
    const from = list.metadata.resourceVersion;
    const base = `/api/v1/namespaces/${ns}/pods?watch=1&resourceVersion=${from}&timeoutSeconds=20`;
    // No selector: the relay. A selector every pod matches: the parsing path, filtered here.
    const relayed = watch(base);
    const parsed = watch(`${base}&fieldSelector=metadata.namespace%3D${ns}`);
    await c.create(
      'pods',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'a', namespace: ns, annotations: { note: '"metadata":{"x":"\n"}' } },
        spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] },
      },
      { namespace: ns },
    );
    await c.patch(
      'pods',
      'a',
      'merge',
      { metadata: { labels: { tier: 'web' }, annotations: { note: 'grüß ✓ \u2028' } } },
      { namespace: ns },
    );
    // Stored by a path that neither defaults nor marks (an object without a uid), as rows of
    // older builds are: the relay parses and defaults it.
    const pods = RESOURCES.find((r) => r.group === '' && r.resource === 'pods')!;
    const bare: KObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'b', namespace: ns },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    };
    expect((await storeWith(2).create(pods, bare)).ok).toBe(true);
    await c.delete('pods', 'a', { namespace: ns });

    const fast = await lines(await relayed, 4);
    const slow = await lines(await parsed, 4);
    expect(fast.map((l) => JSON.parse(l))).toEqual(slow.map((l) => JSON.parse(l)));
    expect(slow.map((l) => JSON.parse(l).type)).toEqual(['ADDED', 'MODIFIED', 'ADDED', 'DELETED']);
    // The relayed events put resourceVersion first in metadata (spliced); the parsed path, last.
    const spliced = (l: string) => l.includes('"metadata":{"resourceVersion":"');
    expect(fast.map(spliced)).toEqual([true, true, false, true]);
    expect(slow.some(spliced)).toBe(false);
    // The unmarked pod was served defaulted, as every read serves it.
    expect(JSON.parse(fast[2]).object.spec.containers[0].imagePullPolicy).toBe('Always');
  });

  it('write-time defaulting keeps an unchanged write a no-op: no new revision, no event', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    // Admission adds to a pod after the REST layer defaulted it (the token volume, tolerations);
    // the store defaults those too, so the object read back is the object stored.
    const pod = await c.create<KObject>(
      'pods',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: ns },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
      { namespace: ns },
    );
    const rv = pod.metadata.resourceVersion;
    const got = await c.get('pods', 'p', { namespace: ns });
    expect((await c.update('pods', got, { namespace: ns })).metadata.resourceVersion).toBe(rv);
    expect((await c.updateStatus('pods', got, { namespace: ns })).metadata.resourceVersion).toBe(
      rv,
    );
    const labels = await c.patch('pods', 'p', 'merge', { spec: {} }, { namespace: ns });
    expect(labels.metadata.resourceVersion).toBe(rv);
  });
});
