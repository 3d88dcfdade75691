// A resourceVersion from the future is never served as the present: a short wait, then the
// apiserver's "Too large resource version" (504 Timeout), for one shard and for partition vectors.
import { describe, expect, it } from 'vitest';
import { collect, freshResource, storeWith, testEnv, thing } from './helpers';
import { SELF } from 'cloudflare:test';
import { apiClient, freshNamespace } from './api';
import { parseResourceVersion } from '../../src/storage/revision';
import { partitionOf } from '../../src/storage/partition';
import { objectKey } from '../../src/storage/keys';
import { FRESHNESS_WAIT_MS, type Store } from '../../src/storage/store';
import type { KObject, Status, WatchEvent } from '../../src/api/types';
import { ApiStatusError } from '../../src/client/errors';

function position(store: Store, rv: string): number[] {
  const p = parseResourceVersion(rv, store.partitions);
  if (p.kind !== 'position') throw new Error(`not a list resourceVersion: ${rv}`);
  return p.position;
}

describe.each([1, 4])('a future resourceVersion with %i partition(s)', (partitions) => {
  const store = storeWith(partitions);

  it('refuses a list or a watch after the wait, and serves a list the store reaches during the wait', async () => {
    const r = freshResource(true);
    await store.create(r, thing('a'));
    const listed = await store.list(r, { namespace: 'default' });
    if (!listed.ok) throw new Error('list failed');
    const rv = listed.value.resourceVersion;
    const far = position(store, rv).map((x) => x + 1000);
    const asked = far.join('.');

    const t0 = Date.now();
    const [notOlder, exact, watched] = await Promise.all([
      store.list(r, { namespace: 'default', notOlderThan: asked }),
      store.list(r, { namespace: 'default', exact: asked }),
      collect(store.watch(r, 'default', far), 1),
    ]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(FRESHNESS_WAIT_MS - 50);
    const message = `Too large resource version: ${asked}, current: ${rv}`;
    expect(notOlder).toEqual({ ok: false, reason: 'rv-too-large', message });
    expect(exact).toEqual({ ok: false, reason: 'rv-too-large', message });
    expect(watched).toEqual([{ type: 'RV_TOO_LARGE', message }]);

    // One write ahead of the store: the write lands during the wait, and the list shows it.
    const want = position(store, rv);
    want[partitionOf(objectKey('default', 'b'), partitions)] += 1;
    const pending = store.list(r, { namespace: 'default', notOlderThan: want.join('.') });
    await new Promise((res) => setTimeout(res, 300));
    await store.create(r, thing('b'));
    const served = await pending;
    expect(served.ok && served.value.items.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(served.ok && served.value.resourceVersion).toBe(want.join('.'));
  });
});

describe('a future resourceVersion through the API Worker', () => {
  const expectTooLarge = (s: Status, asked: string) => {
    expect(s).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      code: 504,
      reason: 'Timeout',
      details: {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      },
    });
    expect(s.message).toMatch(
      new RegExp(
        `^Timeout: Too large resource version: ${asked.replace(/\./g, '\\.')}, current: [0-9.]+$`,
      ),
    );
  };

  it('answers a list with 504 Too large resource version after a wait, for a single-shard and a partitioned kind', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: ns },
    });
    const cms = await c.list('configmaps', { namespace: ns });
    const leases = await c.list('coordination.k8s.io/v1/leases', { namespace: ns });
    const cmFar = String(Number(cms.metadata.resourceVersion) + 1000);
    const leaseFar = leases.metadata
      .resourceVersion!.split('.')
      .map((x) => Number(x) + 1000)
      .join('.');
    const t0 = Date.now();
    const outcomes = await Promise.all([
      c.raw('GET', `/api/v1/namespaces/${ns}/configmaps?resourceVersion=${cmFar}`).then(
        () => undefined,
        (e: unknown) => e,
      ),
      c
        .raw(
          'GET',
          `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases?resourceVersion=${leaseFar}`,
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
      c
        .raw(
          'GET',
          `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases?resourceVersion=${leaseFar}&resourceVersionMatch=Exact`,
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
    ]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(FRESHNESS_WAIT_MS - 50);
    expect(outcomes.every((e) => e instanceof ApiStatusError)).toBe(true);
    expectTooLarge((outcomes[0] as ApiStatusError).status, cmFar);
    expectTooLarge((outcomes[1] as ApiStatusError).status, leaseFar);
    expectTooLarge((outcomes[2] as ApiStatusError).status, leaseFar);

    // The raw answer carries Retry-After, as the apiserver's does.
    const token = testEnv.ADMIN_TOKEN!;
    const raw = await SELF.fetch(
      `https://edgeplane.test/api/v1/namespaces/${ns}/configmaps?resourceVersion=${cmFar}`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    expect(raw.status).toBe(504);
    expect(raw.headers.get('retry-after')).toBe('1');
  });

  it('ends a watch from a future resourceVersion with an ERROR event carrying the 504 Status', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const leases = await c.list('coordination.k8s.io/v1/leases', { namespace: ns });
    const far = leases.metadata
      .resourceVersion!.split('.')
      .map((x) => Number(x) + 1000)
      .join('.');
    const events: WatchEvent<Status>[] = [];
    for await (const ev of c.watch<Status>('coordination.k8s.io/v1/leases', {
      namespace: ns,
      resourceVersion: far,
      timeoutSeconds: 30,
    }))
      events.push(ev);
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('ERROR');
    expectTooLarge(events[0].object, far);
  });
  it('answers a GET at a future resourceVersion with 504 after the wait, and one at a reached resourceVersion with the object', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const cm: KObject = await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: ns },
    });
    const lease: KObject = await c.create('coordination.k8s.io/v1/leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l', namespace: ns },
      spec: {},
    });
    const leases = await c.list('coordination.k8s.io/v1/leases', { namespace: ns });
    expect(
      (
        await c.get('configmaps', 'x', {
          namespace: ns,
          resourceVersion: cm.metadata.resourceVersion,
        })
      ).metadata.uid,
    ).toBe(cm.metadata.uid);
    expect(
      (
        await c.get('coordination.k8s.io/v1/leases', 'l', {
          namespace: ns,
          resourceVersion: lease.metadata.resourceVersion,
        })
      ).metadata.uid,
    ).toBe(lease.metadata.uid);
    expect(
      (
        await c.get('coordination.k8s.io/v1/leases', 'l', {
          namespace: ns,
          resourceVersion: leases.metadata.resourceVersion,
        })
      ).metadata.uid,
    ).toBe(lease.metadata.uid);
    const cmFar = String(Number(cm.metadata.resourceVersion) + 1000);
    const [p, rev] = lease.metadata.resourceVersion!.split(':');
    const leaseFar = `${p}:${Number(rev) + 1000}`;
    const outcomes = await Promise.all([
      c.get('configmaps', 'x', { namespace: ns, resourceVersion: cmFar }).then(
        () => undefined,
        (e: unknown) => e,
      ),
      c
        .get('coordination.k8s.io/v1/leases', 'l', { namespace: ns, resourceVersion: leaseFar })
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
    ]);
    expectTooLarge((outcomes[0] as ApiStatusError).status, cmFar);
    expectTooLarge((outcomes[1] as ApiStatusError).status, leaseFar);
  });
});
