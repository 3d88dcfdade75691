// Storage shards keep etcd's promises, with one shard and with four hash partitions.
import { describe, expect, it } from 'vitest';
import { evictDurableObject } from 'cloudflare:test';
import { collect, freshResource, shardStub, storeWith, thing } from './helpers';
import { storageResource } from '../../src/api/resources';
import { shardName } from '../../src/storage/partition';
import { parseResourceVersion } from '../../src/storage/revision';
import type { KObject } from '../../src/api/types';
import type { Store } from '../../src/storage/store';

function position(store: Store, rv: string): number[] {
  const p = parseResourceVersion(rv, store.partitions);
  if (p.kind !== 'position') throw new Error(`not a list resourceVersion: ${rv}`);
  return p.position;
}

describe.each([1, 4])('storage with %i partition(s)', (partitions) => {
  const store = storeWith(partitions);
  const fresh = () => freshResource(true);

  it('creates once and answers AlreadyExists (409) the second time', async () => {
    const r = fresh();
    const first = await store.create(r, thing('a'));
    expect(first.ok).toBe(true);
    const again = await store.create(r, thing('a'));
    expect(again).toMatchObject({ ok: false, reason: 'exists' });
    const got = await store.get(r, 'default', 'a');
    expect(got?.metadata.resourceVersion).toBe(first.ok && first.value.metadata.resourceVersion);
  });

  it('rejects an update with a stale resourceVersion or a wrong UID with a conflict', async () => {
    const r = fresh();
    const created = await store.create(r, thing('a', { v: 1 }));
    if (!created.ok) throw new Error('create failed');
    const rv1 = created.value.metadata.resourceVersion!;
    const updated = await store.update(
      r,
      { ...created.value, data: { v: 2 } },
      { resourceVersion: rv1 },
    );
    expect(updated.ok).toBe(true);
    const stale = await store.update(
      r,
      { ...created.value, data: { v: 3 } },
      { resourceVersion: rv1 },
    );
    expect(stale).toMatchObject({ ok: false, reason: 'conflict' });
    const wrongUid = await store.update(
      r,
      { ...created.value, data: { v: 3 } },
      { uid: 'not-the-uid' },
    );
    expect(wrongUid).toMatchObject({ ok: false, reason: 'conflict' });
    expect((await store.get(r, 'default', 'a'))?.data).toEqual({ v: 2 });
  });

  it('rejects a delete with a stale resourceVersion or a wrong UID, then deletes', async () => {
    const r = fresh();
    const created = await store.create(r, thing('a'));
    if (!created.ok) throw new Error('create failed');
    const uid = created.value.metadata.uid!;
    await store.update(r, { ...created.value, data: { v: 2 } });
    expect(
      await store.delete(r, 'default', 'a', {
        resourceVersion: created.value.metadata.resourceVersion,
      }),
    ).toMatchObject({ ok: false, reason: 'conflict' });
    expect(await store.delete(r, 'default', 'a', { uid: 'other' })).toMatchObject({
      ok: false,
      reason: 'conflict',
    });
    expect((await store.delete(r, 'default', 'a', { uid })).ok).toBe(true);
    expect(await store.get(r, 'default', 'a')).toBeNull();
    expect(await store.delete(r, 'default', 'a')).toMatchObject({ ok: false, reason: 'not-found' });
  });

  it('refuses an object over 1.5 MiB before storing it', async () => {
    const r = fresh();
    const res = await store.create(r, thing('big', { blob: 'x'.repeat(1.6 * 1024 * 1024) }));
    expect(res).toMatchObject({ ok: false, reason: 'too-large' });
    expect(await store.get(r, 'default', 'big')).toBeNull();
  });

  it('lets exactly one of K concurrent updates of the same resourceVersion win', async () => {
    const r = fresh();
    const created = await store.create(r, thing('a', { v: 0 }));
    if (!created.ok) throw new Error('create failed');
    const rv = created.value.metadata.resourceVersion!;
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        store.update(r, { ...created.value, data: { v: i + 1 } }, { resourceVersion: rv }),
      ),
    );
    expect(results.filter((x) => x.ok)).toHaveLength(1);
    expect(results.filter((x) => !x.ok && x.reason === 'conflict')).toHaveLength(15);
  });

  it('loses no update across 1,000 racing read-modify-writes', async () => {
    const r = fresh();
    await store.create(r, thing('counter', { n: 0 }));
    const bump = () =>
      store.guaranteedUpdate(
        r,
        'default',
        'counter',
        (cur) => {
          (cur.data as { n: number }).n += 1;
          return cur;
        },
        { maxAttempts: 1000 },
      );
    // 1,000 increments, 10 in flight at a time.
    for (let i = 0; i < 100; i++) {
      const res = await Promise.all(Array.from({ length: 10 }, bump));
      expect(res.every((x) => x.ok)).toBe(true);
    }
    expect((await store.get(r, 'default', 'counter'))?.data).toEqual({ n: 1000 });
  });

  it('pages a list consistently at one revision while writes continue', async () => {
    const r = fresh();
    const names = Array.from({ length: 40 }, (_, i) => `obj-${String(i).padStart(3, '0')}`);
    for (const n of names) await store.create(r, thing(n, { gen: 0 }));
    const seen: KObject[] = [];
    let cont: string | undefined;
    let listRV: string | undefined;
    let round = 0;
    do {
      const page = await store.list(r, { namespace: 'default', limit: 7, continue: cont });
      if (!page.ok) throw new Error(page.message);
      listRV ??= page.value.resourceVersion;
      seen.push(...page.value.items);
      cont = page.value.continue;
      // Writes between pages: updates, deletes and creates must not show in later pages.
      round++;
      await store.guaranteedUpdate(r, 'default', names[39 - round], (c) => ({
        ...c,
        data: { gen: round },
      }));
      await store.delete(r, 'default', names[round * 2]);
      await store.create(r, thing(`obj-${round}-new`));
    } while (cont);
    expect(seen.map((o) => o.metadata.name)).toEqual(names);
    expect(seen.every((o) => (o.data as { gen: number }).gen === 0)).toBe(true);
    // The same snapshot read with resourceVersionMatch=Exact gives the same items.
    const exact = await store.list(r, { namespace: 'default', exact: listRV });
    expect(exact.ok && exact.value.items.map((o) => o.metadata.name)).toEqual(names);
  });

  it('delivers to a watcher from revision R exactly the events after R, in order', async () => {
    const r = fresh();
    for (let i = 0; i < 5; i++) await store.create(r, thing(`before-${i}`));
    const listed = await store.list(r, { namespace: 'default' });
    if (!listed.ok) throw new Error('list failed');
    const from = position(store, listed.value.resourceVersion);
    const watch = store.watch(r, 'default', from);
    const got = collect(watch, 30);
    const expected: string[] = [];
    for (let i = 0; i < 10; i++) {
      await store.create(r, thing(`after-${i}`, { i }));
      expected.push(`ADDED after-${i}`);
    }
    for (let i = 0; i < 10; i++) {
      await store.guaranteedUpdate(r, 'default', `after-${i}`, (c) => ({ ...c, data: { i: -i } }));
      expected.push(`MODIFIED after-${i}`);
    }
    for (let i = 0; i < 10; i++) {
      await store.delete(r, 'default', `after-${i}`);
      expected.push(`DELETED after-${i}`);
    }
    const events = await got;
    const seen = events.map((e) =>
      'object' in e ? `${e.type} ${e.object.metadata.name}` : e.type,
    );
    if (partitions === 1) {
      expect(seen).toEqual(expected);
    } else {
      // Across partitions the order is per key (and per partition), never a gap or a repeat.
      expect([...seen].sort()).toEqual([...expected].sort());
      for (let i = 0; i < 10; i++) {
        const mine = seen.filter((s) => s.endsWith(` after-${i}`));
        expect(mine).toEqual([`ADDED after-${i}`, `MODIFIED after-${i}`, `DELETED after-${i}`]);
      }
    }
    await watch.return(undefined);
  });

  it('resumes a watcher cut off mid-stream from its last event with no gap or duplicate', async () => {
    const r = fresh();
    const listed = await store.list(r, { namespace: 'default' });
    if (!listed.ok) throw new Error('list failed');
    const first = store.watch(r, 'default', position(store, listed.value.resourceVersion));
    const firstHalf = collect(first, 12);
    for (let i = 0; i < 12; i++) await store.create(r, thing(`w-${i}`));
    const a = await firstHalf;
    await first.return(undefined);
    const last = a[a.length - 1];
    if (!('object' in last)) throw new Error('unexpected');
    // Writes while nobody watches, then resume from the last event's resourceVersion.
    for (let i = 12; i < 24; i++) await store.create(r, thing(`w-${i}`));
    const resumed = store.watch(r, 'default', position(store, last.resourceVersion));
    const b = await collect(resumed, 12);
    await resumed.return(undefined);
    const names = [...a, ...b].map((e) => (e.type === 'ADDED' ? e.object.metadata.name : e.type));
    expect(new Set(names).size).toBe(24);
    expect([...names].sort()).toEqual(Array.from({ length: 24 }, (_, i) => `w-${i}`).sort());
  });

  it('answers 410 Expired to a watch or continue token older than the compacted history', async () => {
    const r = fresh();
    for (let i = 0; i < 6; i++) await store.create(r, thing(`c-${i}`));
    const page = await store.list(r, { namespace: 'default', limit: 2 });
    if (!page.ok) throw new Error('list failed');
    const old = position(store, page.value.resourceVersion);
    for (let i = 0; i < 6; i++)
      await store.guaranteedUpdate(r, 'default', `c-${i}`, (c) => ({ ...c, data: { x: 1 } }));
    for (let p = 0; p < partitions; p++) {
      const stub = shardStub(shardName(storageResource(r), p, true));
      const status = await stub.status();
      await stub.compact(status.rev);
    }
    const events = await collect(store.watch(r, 'default', old), 1);
    // Six creates precede the list, so at least one partition's position is past 0 and now compacted.
    expect(old.some((x) => x > 0)).toBe(true);
    expect(events[0]?.type).toBe('EXPIRED');
    const next = await store.list(r, {
      namespace: 'default',
      limit: 2,
      continue: page.value.continue,
    });
    expect(next).toMatchObject({ ok: false, reason: 'expired' });
    // The current state survives compaction.
    const all = await store.list(r, { namespace: 'default' });
    expect(all.ok && all.value.items).toHaveLength(6);
  });

  it('accepts a merged watch event resourceVersion as an update precondition', async () => {
    const r = fresh();
    const listed = await store.list(r, { namespace: 'default' });
    if (!listed.ok) throw new Error('list failed');
    const watch = store.watch(r, 'default', position(store, listed.value.resourceVersion));
    const got = collect(watch, 1);
    await store.create(r, thing('p', { v: 1 }));
    const [ev] = await got;
    await watch.return(undefined);
    if (ev.type !== 'ADDED') throw new Error('expected ADDED');
    const res = await store.update(
      r,
      { ...ev.object, data: { v: 2 } },
      { resourceVersion: ev.resourceVersion },
    );
    expect(res.ok).toBe(true);
    const stale = await store.update(
      r,
      { ...ev.object, data: { v: 3 } },
      { resourceVersion: ev.resourceVersion },
    );
    expect(stale).toMatchObject({ ok: false, reason: 'conflict' });
  });
});

describe('watch after the shard was evicted while idle', () => {
  it('still delivers new events at once', async () => {
    const store = storeWith(1);
    const r = freshResource(false);
    await store.create(r, thing('before'));
    const listed = await store.list(r, { namespace: 'default' });
    if (!listed.ok) throw new Error('list failed');
    const watch = store.watch(r, 'default', position(store, listed.value.resourceVersion));
    const got = collect(watch, 1);
    // Let the hub subscribe, then evict the shard as the runtime does after it sits idle.
    await new Promise((res) => setTimeout(res, 200));
    await evictDurableObject(shardStub(storageResource(r)));
    const t0 = Date.now();
    await store.create(r, thing('after'));
    const [ev] = await got;
    await watch.return(undefined);
    expect(ev.type === 'ADDED' && ev.object.metadata.name).toBe('after');
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('group commit', () => {
  it('commits concurrent writes to one shard together', async () => {
    const store = storeWith(1);
    const r = freshResource(false);
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) => store.create(r, thing(`g-${i}`))),
    );
    expect(results.every((x) => x.ok)).toBe(true);
    const status = await shardStub(storageResource(r)).status();
    expect(status.batchedWrites).toBe(64);
    // 64 writes that arrived together took far fewer transactions than writes.
    expect(status.batches).toBeLessThan(32);
  });
});

describe('prepared statements', () => {
  // The hot statements are prepared once per instance: after an eviction a new instance must find
  // exactly what the old one wrote (the rev upsert, the key index's inserts, updates and deletes).
  it('an evicted shard resumes at the revision, keys and versions its statements wrote', async () => {
    const store = storeWith(1);
    const r = freshResource(false);
    const shard = shardStub(storageResource(r));
    for (const n of ['p-a', 'p-b', 'p-c']) expect((await store.create(r, thing(n))).ok).toBe(true);
    const cur = (await store.get(r, 'default', 'p-b'))!;
    const updated = await store.update(r, { ...cur, data: { v: '2' } } as KObject);
    expect(updated.ok).toBe(true);
    expect((await store.delete(r, 'default', 'p-c')).ok).toBe(true);
    const before = await shard.status();
    expect(before).toMatchObject({ keys: 2, logRows: 5 });
    await evictDurableObject(shard);
    const after = await shard.status();
    expect(after).toMatchObject({ rev: before.rev, keys: 2, logRows: 5 });
    expect(await store.get(r, 'default', 'p-c')).toBeNull();
    const b = (await store.get(r, 'default', 'p-b'))!;
    expect(b.metadata.resourceVersion).toBe(updated.ok && updated.value.metadata.resourceVersion);
    expect((b as KObject & { data?: unknown }).data).toEqual({ v: '2' });
    expect((await store.create(r, thing('p-d'))).ok).toBe(true);
    expect((await shard.status()).rev).toBe(before.rev + 1);
  });
});

describe('cluster settings', () => {
  it('records a setting on first use and reports the recorded value afterwards', async () => {
    const store = storeWith(1);
    const name = `partitions-${crypto.randomUUID()}`;
    expect(await store.ensureSetting(name, '4')).toBe('4');
    expect(await store.ensureSetting(name, '8')).toBe('4');
  });
});
