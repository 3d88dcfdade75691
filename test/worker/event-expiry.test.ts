// Events expire in storage, as kube-apiserver's --event-ttl lease does in etcd: every write of an
// Event sets its key's expiry to now + EVENT_TTL, and the shard's alarm deletes it once that passes,
// through the ordinary delete (a DELETED entry in the log that watchers see).
import { describe, expect, it } from 'vitest';
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { findResource, storageResource } from '../../src/api/resources';
import { parseResourceVersion } from '../../src/storage/revision';
import { shardName } from '../../src/storage/partition';
import type { StorageShard } from '../../src/storage/shard';
import type { StoreEvent } from '../../src/storage/store';
import type { KObject } from '../../src/api/types';
import { freshResource, shardStub, storeWith, testEnv, thing } from './helpers';

const EVENTS = findResource('', 'v1', 'events')!;
const HOUR = 3_600_000;

/** The fields a test reaches inside a shard (private: tests set them from inside the object). */
interface ShardInside {
  ttlMs: number;
  expireBatch: number;
  alarmAt: number | undefined;
  faults?: { beforeCommit?: () => void };
}

/** An Event shard of the test's own: its name makes it one ("events#<partition>"). */
function eventShard() {
  return shardStub(`events#t${Math.random().toString(36).slice(2, 10)}`);
}

function expiries(stub: DurableObjectStub<StorageShard>) {
  return runInDurableObject(stub, (_o: StorageShard, state) =>
    state.storage.sql
      .exec<{ key: string; expires: number | null }>('SELECT key, expires FROM kv ORDER BY key')
      .toArray(),
  );
}

/** Moves keys' expiry into the past, as if their TTL had run out (the alarm itself stays armed). */
function expireNow(stub: DurableObjectStub<StorageShard>, keys: string[]) {
  return runInDurableObject(stub, (_o: StorageShard, state) => {
    for (const key of keys)
      state.storage.sql.exec('UPDATE kv SET expires = ? WHERE key = ?', Date.now() - 1, key);
  });
}

function event(ns: string, name: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: ns, uid: crypto.randomUUID() },
    involvedObject: { kind: 'Pod', name: 'p', namespace: ns },
    reason: 'Tested',
    message: name,
    type: 'Normal',
  };
}

describe('event expiry in storage', () => {
  it('gives every created Event key an expiry of EVENT_TTL (default an hour) and arms the alarm at it', async () => {
    const stub = eventShard();
    const before = Date.now();
    expect((await stub.create('default/a', '{"n":1}', 'u1')).ok).toBe(true);
    const [row] = await expiries(stub);
    expect(row.expires).toBeGreaterThanOrEqual(before + HOUR);
    expect(row.expires).toBeLessThanOrEqual(Date.now() + HOUR);
    const alarm = await runInDurableObject(stub, (_o: StorageShard, state) =>
      state.storage.getAlarm(),
    );
    expect(alarm).toBe(row.expires);
  });

  it('renews the expiry on every update; a key past its old expiry but renewed stays', async () => {
    const stub = eventShard();
    expect((await stub.create('default/a', '{"n":1}', 'u1')).ok).toBe(true);
    const [created] = await expiries(stub);
    await new Promise((r) => setTimeout(r, 20));
    expect((await stub.update('default/a', '{"n":2}', {})).ok).toBe(true);
    const [renewed] = await expiries(stub);
    expect(renewed.expires).toBeGreaterThan(created.expires!);
    // The alarm armed at the first expiry fires and finds nothing due: the key stays, and the alarm
    // is re-armed at the renewed expiry.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.get('default/a')).item).not.toBeNull();
    const alarm = await runInDurableObject(stub, (_o: StorageShard, state) =>
      state.storage.getAlarm(),
    );
    expect(alarm).toBe(renewed.expires);
  });

  it('deletes expired keys through the log, gapless, at most a batch per alarm, and re-arms', async () => {
    const stub = eventShard();
    const keys = ['default/a', 'default/b', 'default/c', 'default/d', 'default/e'];
    for (const k of keys) expect((await stub.create(k, '{}', k)).ok).toBe(true);
    expect((await stub.delete('default/e', {})).ok).toBe(true); // deleting clears its expiry
    const start = (await stub.get('default/a')).rev;
    await expireNow(stub, keys.slice(0, 3));
    const left = await runInDurableObject(stub, async (o: StorageShard, state) => {
      const inside = o as unknown as ShardInside;
      inside.expireBatch = 2;
      await o.alarm();
      // Counted before anything else runs: the first alarm deleted only its batch.
      const n = state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM kv').one().n;
      return { n, rearmedAt: inside.alarmAt };
    });
    expect(left.n).toBe(2);
    expect(left.rearmedAt).toBeLessThanOrEqual(Date.now());
    // The re-armed alarm (due now) deletes the third.
    await expect.poll(async () => (await stub.get('default/c')).item, { timeout: 5000 }).toBeNull();
    expect((await stub.get('default/d')).item).not.toBeNull();
    const log = await stub.readLog(start);
    if (!log.ok) throw new Error('log expired');
    expect(log.events.map((e) => [e.type, e.key])).toEqual([
      [2, 'default/a'],
      [2, 'default/b'],
      [2, 'default/c'],
    ]);
    expect(log.events.map((e) => e.rev)).toEqual([start + 1, start + 2, start + 3]);
    // The last alarm re-armed at the remaining key's expiry.
    const [d] = await expiries(stub);
    const alarm = await runInDurableObject(stub, (_o: StorageShard, state) =>
      state.storage.getAlarm(),
    );
    expect(alarm).toBe(d.expires);
  });

  it('after an alarm, the next comes no sooner than 10 s unless a backlog is left', async () => {
    const stub = eventShard();
    for (const k of ['default/a', 'default/b'])
      expect((await stub.create(k, '{}', k)).ok).toBe(true);
    await expireNow(stub, ['default/a']);
    await runInDurableObject(stub, (_o: StorageShard, state) => {
      state.storage.sql.exec(
        "UPDATE kv SET expires = ? WHERE key = 'default/b'",
        Date.now() + 2000,
      );
    });
    const rearmedAt = await runInDurableObject(stub, async (o: StorageShard) => {
      await o.alarm();
      return (o as unknown as ShardInside).alarmAt;
    });
    expect((await stub.get('default/a')).item).toBeNull();
    expect((await stub.get('default/b')).item).not.toBeNull();
    expect(rearmedAt).toBeGreaterThanOrEqual(Date.now() + 9000);
  });

  it('expires an Event TTL after its last write, and a watcher sees it DELETED', async () => {
    const store = storeWith(Number(testEnv.PARTITIONS));
    const shards = Array.from({ length: store.partitions }, (_, p) =>
      shardStub(shardName(storageResource(EVENTS), p, true)),
    );
    const setTtl = (ms: number) =>
      Promise.all(
        shards.map((s) =>
          runInDurableObject(s, (o: StorageShard) => {
            (o as unknown as ShardInside).ttlMs = ms;
          }),
        ),
      );
    await setTtl(400);
    try {
      const ns = `ttl${Math.random().toString(36).slice(2, 8)}`;
      const list = await store.list(EVENTS, {});
      if (!list.ok) throw new Error('list failed');
      const from = parseResourceVersion(list.value.resourceVersion, store.partitions);
      if (from.kind !== 'position') throw new Error('not a position');
      const abort = new AbortController();
      const seen: StoreEvent[] = [];
      const watching = (async () => {
        for await (const ev of store.watch(EVENTS, ns, from.position, abort.signal)) {
          if (ev.type === 'PROGRESS') continue;
          seen.push(ev);
          if (ev.type === 'DELETED') return;
        }
      })();
      const created = await store.create(EVENTS, event(ns, 'scheduled'));
      if (!created.ok) throw new Error('create failed');
      const at = Date.now();
      // Nobody deletes it: the shard's own alarm does, once the TTL has passed.
      await expect
        .poll(() => store.get(EVENTS, ns, 'scheduled'), { timeout: 10_000, interval: 50 })
        .toBeNull();
      expect(Date.now() - at).toBeGreaterThanOrEqual(350);
      await Promise.race([watching, new Promise((r) => setTimeout(r, 5000))]);
      abort.abort();
      expect(seen.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
      const gone = seen[1] as { object: KObject };
      expect(gone.object.metadata.name).toBe('scheduled');
    } finally {
      await setTtl(HOUR);
    }
  });

  it('never expires keys of other shards, a custom resource named "events" included', async () => {
    const store = storeWith(2);
    const custom = { ...freshResource(false), resource: 'events' };
    const partitioned = freshResource(true);
    for (const r of [partitioned, custom]) {
      expect((await store.create(r, thing('a'))).ok).toBe(true);
      const updated = await store.get(r, 'default', 'a');
      expect((await store.update(r, { ...updated!, data: { v: 2 } })).ok).toBe(true);
    }
    const stubs = [
      shardStub(storageResource(custom)),
      ...[0, 1].map((p) => shardStub(shardName(storageResource(partitioned), p, true))),
    ];
    const rows = (await Promise.all(stubs.map(expiries))).flat();
    expect(rows.map((r) => r.expires)).toEqual([null, null]);
    for (const stub of stubs) {
      const alarm = await runInDurableObject(stub, (_o: StorageShard, state) =>
        state.storage.getAlarm(),
      );
      expect(alarm).toBeNull();
    }
  });

  it('an Event shard from before expiry existed gives its old keys an expiry when it starts', async () => {
    const stub = eventShard();
    for (const k of ['default/old1', 'default/old2'])
      expect((await stub.create(k, '{}', k)).ok).toBe(true);
    // Take the shard back to the schema before expiry: no column, no index, migration not applied.
    await runInDurableObject(stub, async (_o: StorageShard, state) => {
      const sql = state.storage.sql;
      sql.exec('DROP INDEX kv_expires');
      sql.exec('ALTER TABLE kv DROP COLUMN expires');
      sql.exec("DELETE FROM _migrations WHERE tag = '0001_kv_expires'");
      sql.exec("DELETE FROM meta WHERE name = 'expiry_backfilled'");
      await state.storage.deleteAlarm();
    });
    await evictDurableObject(stub);
    const before = Date.now();
    const rows = await expiries(stub);
    expect(rows.map((r) => r.key)).toEqual(['default/old1', 'default/old2']);
    for (const r of rows) expect(r.expires).toBeGreaterThanOrEqual(before + HOUR);
    const alarm = await runInDurableObject(stub, (_o: StorageShard, state) =>
      state.storage.getAlarm(),
    );
    expect(alarm).toBe(Math.min(...rows.map((r) => r.expires!)));
  });
  it('a failed expiry batch is tried again 10 s later, and an Event written meanwhile does not push that out a TTL', async () => {
    const stub = eventShard();
    for (const k of ['default/a', 'default/b'])
      expect((await stub.create(k, '{}', k)).ok).toBe(true);
    await expireNow(stub, ['default/a']);
    const rearmedAt = await runInDurableObject(stub, async (o: StorageShard) => {
      const inside = o as unknown as ShardInside;
      inside.faults = {
        beforeCommit: () => {
          throw new Error('injected commit failure');
        },
      };
      try {
        await o.alarm();
      } finally {
        inside.faults = undefined;
      }
      return inside.alarmAt;
    });
    expect((await stub.get('default/a')).item).not.toBeNull();
    expect(rearmedAt).toBeLessThanOrEqual(Date.now() + 10_000);
    // An Event written before the retry: its own expiry is an hour out, the retry stays first.
    expect((await stub.create('default/c', '{}', 'c')).ok).toBe(true);
    const alarm = await runInDurableObject(stub, (_o: StorageShard, state) =>
      state.storage.getAlarm(),
    );
    expect(alarm).toBe(rearmedAt);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.get('default/a')).item).toBeNull();
  });
});
