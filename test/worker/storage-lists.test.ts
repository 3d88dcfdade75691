// Lists never lose objects: more keys per partition than one shard page (1,000 rows or 8 MiB) holds.
import { describe, expect, it } from 'vitest';
import { freshResource, storeWith, testEnv, thing } from './helpers';
import { apiClient, freshNamespace } from './api';
import type { ResourceInfo } from '../../src/api/resources';
import type { KObject } from '../../src/api/types';
import type { Store } from '../../src/storage/store';
import { MAX_PAGE } from '../../src/storage/limits';
import { findResource } from '../../src/api/resources';

/** Creates `count` objects, `parallel` at a time (the shard's group commit takes them in batches). */
async function fill(
  store: Store,
  r: ResourceInfo,
  count: number,
  data: Record<string, unknown> = {},
  parallel = 200,
): Promise<string[]> {
  // Random names: sequential ones happen to hash round-robin, which hides uneven partition pages.
  const names = Array.from({ length: count }, () => `obj-${crypto.randomUUID()}`).sort();
  for (let i = 0; i < names.length; i += parallel) {
    const res = await Promise.all(
      names.slice(i, i + parallel).map((n) => store.create(r, thing(n, data))),
    );
    if (!res.every((x) => x.ok)) throw new Error('create failed');
  }
  return names;
}

/** Follows continue tokens; returns the items in order and every page's size. */
async function listAll(
  store: Store,
  r: ResourceInfo,
  limit?: number,
): Promise<{ items: KObject[]; pages: number[]; rvs: Set<string> }> {
  const items: KObject[] = [];
  const pages: number[] = [];
  const rvs = new Set<string>();
  let cont: string | undefined;
  for (let round = 0; round < 1000; round++) {
    const page = await store.list(r, { namespace: 'default', limit, continue: cont });
    if (!page.ok) throw new Error(page.message);
    items.push(...page.value.items);
    pages.push(page.value.items.length);
    rvs.add(page.value.resourceVersion);
    cont = page.value.continue;
    if (!cont) return { items, pages, rvs };
  }
  throw new Error('continue tokens never ended');
}

describe.each([1, 4])('lists with %i partition(s)', (partitions) => {
  const store = storeWith(partitions);
  // More keys in every partition than one shard page holds.
  const count = Math.ceil(MAX_PAGE * 1.5) * partitions;

  it('returns every object exactly once, in key order, with no limit and with a limit above the page cap', async () => {
    const r = freshResource(true);
    const names = await fill(store, r, count);
    const unlimited = await listAll(store, r);
    expect(unlimited.items.map((o) => o.metadata.name)).toEqual(names);
    // Every page of one list reads the same snapshot.
    expect(unlimited.rvs.size).toBe(1);
    const big = await listAll(store, r, 2500);
    expect(big.items.map((o) => o.metadata.name)).toEqual(names);
    expect(Math.max(...big.pages)).toBeLessThanOrEqual(2500);
    const small = await listAll(store, r, 700);
    expect(small.items.map((o) => o.metadata.name)).toEqual(names);
    expect(small.pages.slice(0, -1).every((n) => n === 700)).toBe(true);
  });

  it('returns every object when pages end on the byte cap before the row cap', async () => {
    const r = freshResource(true);
    // 64 KiB objects: a shard page of 8 MiB holds about 128 of them.
    const names = await fill(store, r, 160 * partitions, { blob: 'x'.repeat(64 * 1024) }, 40);
    const all = await listAll(store, r);
    expect(all.items.map((o) => o.metadata.name)).toEqual(names);
    expect(all.pages.length).toBeGreaterThan(1);
  });
});

describe('lists through the API Worker', () => {
  it('returns every Lease of a list, a watch and a deletecollection when partitions hold more than a page', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    // 1,500 Leases per partition of the test cluster: more than one shard page each.
    const count = Math.ceil(MAX_PAGE * 1.5) * Number(testEnv.PARTITIONS ?? 1);
    const names = Array.from({ length: count }, () => `lease-${crypto.randomUUID()}`).sort();
    // Stored straight into the API Worker's shards, 200 at a time (3,000 creates through the API
    // took most of this test's time and are not what it checks); the reads below go through the API.
    const store = storeWith(Number(testEnv.PARTITIONS ?? 1));
    const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
    for (let i = 0; i < names.length; i += 200) {
      const res = await Promise.all(
        names.slice(i, i + 200).map((name) =>
          store.create(LEASES, {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace: ns, uid: crypto.randomUUID() },
            spec: {},
          }),
        ),
      );
      if (!res.every((x) => x.ok)) throw new Error('create failed');
    }
    const leases = 'coordination.k8s.io/v1/leases';

    // No limit: everything, and no continue token.
    const all = await c.list(leases, { namespace: ns });
    expect(all.items.map((o) => o.metadata.name)).toEqual(names);
    expect(all.metadata.continue).toBeUndefined();

    // A limit above the shard page cap: full pages, then a continue token that loses nothing.
    const first = await c.list(leases, { namespace: ns, limit: 2500 });
    expect(first.items).toHaveLength(Math.min(2500, count));
    const rest = await c.list(leases, {
      namespace: ns,
      limit: 2500,
      continue: first.metadata.continue,
    });
    expect([...first.items, ...rest.items].map((o) => o.metadata.name)).toEqual(
      names.slice(0, 5000),
    );

    // A watch without a resourceVersion starts with one ADDED event per object.
    const added: string[] = [];
    for await (const ev of c.watch(leases, { namespace: ns, timeoutSeconds: 30 })) {
      if (ev.type === 'ADDED') added.push((ev.object as KObject).metadata.name!);
      if (added.length === count) break;
    }
    expect(added.sort()).toEqual(names);

    // deletecollection removes every one of them.
    await c.raw('DELETE', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`);
    expect((await c.list(leases, { namespace: ns })).items).toHaveLength(0);
  }, 300_000);
});
