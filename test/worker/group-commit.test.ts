// Group commit acknowledges only what committed: a failed batch or a failed write inside one leaves no trace.
import { describe, expect, it } from 'vitest';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { collect, freshResource, shardStub, storeWith, thing } from './helpers';
import { storageResource, type ResourceInfo } from '../../src/api/resources';
import type { StorageShard } from '../../src/storage/shard';

type Faults = {
  beforeCommit?: () => void;
  afterAppend?: (key: string) => void;
  afterCompact?: () => void;
};

/** Sets the shard's test-only fault hooks (a field no RPC caller can reach) and, optionally, its history. */
async function inject(
  r: ResourceInfo,
  faults: Faults | undefined,
  history?: number,
): Promise<void> {
  await runInDurableObject(shardStub(storageResource(r)), (instance: StorageShard) => {
    const shard = instance as unknown as { faults?: Faults; history: number };
    shard.faults = faults;
    if (history !== undefined) shard.history = history;
  });
}

describe('group commit', () => {
  const store = storeWith(1);

  it('rejects every write of a batch whose transaction fails, publishes nothing and restores revision, compaction and outbox', async () => {
    const r = freshResource(false);
    // A history of 10 revisions compacts once a write goes 110 past the compacted revision: after
    // 105 writes (revision 106) the failing batch of 8 would compact, had it committed.
    await inject(r, undefined, 10);
    for (let i = 0; i < 105; i++) await store.create(r, thing(`base-${i}`));
    const stub = shardStub(storageResource(r));
    const before = await stub.status();
    expect(before).toMatchObject({ rev: 106, compactRev: 0 });
    const listed = await store.list(r, { namespace: 'default' });
    if (!listed.ok) throw new Error('list failed');
    const watch = store.watch(r, 'default', [before.rev]);
    const first = collect(watch, 1);
    // Let the hub subscribe, so the shard pushes events to it.
    await new Promise((res) => setTimeout(res, 200));

    await inject(r, {
      beforeCommit: () => {
        throw new Error('injected commit failure');
      },
    });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.create(r, thing(`lost-${i}`))),
    );
    await inject(r, undefined);

    expect(results.map((x) => x.status)).toEqual(Array(8).fill('rejected'));
    for (let i = 0; i < 8; i++) expect(await store.get(r, 'default', `lost-${i}`)).toBeNull();
    const after = await stub.status();
    expect(after.rev).toBe(before.rev);
    expect(after.compactRev).toBe(before.compactRev);
    expect(after.logRows).toBe(before.logRows);

    // The next write takes the next revision, and it is the first event any watcher sees.
    const next = await store.create(r, thing('kept'));
    if (!next.ok) throw new Error('create failed');
    expect(next.value.metadata.resourceVersion).toBe(String(before.rev + 1));
    const [ev] = await first;
    await watch.return(undefined);
    expect(ev.type === 'ADDED' && [ev.object.metadata.name, ev.resourceVersion]).toEqual([
      'kept',
      String(before.rev + 1),
    ]);
    // Committed writes past the threshold do compact.
    for (let i = 0; i < 4; i++) await store.create(r, thing(`more-${i}`));
    expect((await stub.status()).compactRev).toBeGreaterThan(0);
  });

  it('burns no revision for a write whose statement fails inside a batch', async () => {
    const r = freshResource(false);
    await store.create(r, thing('seed'));
    const stub = shardStub(storageResource(r));
    const start = (await stub.status()).rev;
    await inject(r, {
      afterAppend: (key) => {
        if (key === 'default/bad') throw new Error('injected statement failure');
      },
    });
    const [a, bad, c] = await Promise.allSettled([
      store.create(r, thing('a')),
      store.create(r, thing('bad')),
      store.create(r, thing('c')),
    ]);
    await inject(r, undefined);
    expect(bad.status).toBe('rejected');
    const revs = [a, c].map((x) =>
      x.status === 'fulfilled' && x.value.ok ? Number(x.value.value.metadata.resourceVersion) : -1,
    );
    expect(revs).toEqual([start + 1, start + 2]);
    expect(await store.get(r, 'default', 'bad')).toBeNull();
    // The revision in memory and the one stored agree: after a restart the next write follows on.
    expect((await stub.status()).rev).toBe(start + 2);
    await evictDurableObject(stub);
    const next = await store.create(r, thing('d'));
    expect(next.ok && next.value.metadata.resourceVersion).toBe(String(start + 3));
    const log = await stub.readLog(start);
    expect(log.ok && log.events.map((e) => e.rev)).toEqual([start + 1, start + 2, start + 3]);
  });

  it('commits the writes of a batch whose compaction fails, and compacts with a later batch', async () => {
    const r = freshResource(false);
    await inject(
      r,
      {
        afterCompact: () => {
          throw new Error('injected compaction failure');
        },
      },
      10,
    );
    // Revision 111 is past the threshold (110 beyond the compacted revision 0).
    for (let i = 0; i < 110; i++) await store.create(r, thing(`c-${i}`));
    const stub = shardStub(storageResource(r));
    const failed = await stub.status();
    expect(failed).toMatchObject({ rev: 111, compactRev: 0, keys: 110, logRows: 110 });
    await inject(r, undefined);
    await store.create(r, thing('next'));
    const status = await stub.status();
    expect(status.compactRev).toBe(102);
    // Every key survives compaction.
    const all = await store.list(r, { namespace: 'default' });
    expect(all.ok && all.value.items).toHaveLength(111);
  });
});
