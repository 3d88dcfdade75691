// Helpers for tests that run inside workerd against real Durable Objects.
import { env } from 'cloudflare:workers';
import type { ResourceInfo } from '../../src/api/resources';
import { Store, type StoreEvent } from '../../src/storage/store';
import type { KObject } from '../../src/api/types';
import type { Env } from '../../src/server/env';

export const testEnv = env as unknown as Env;

let seq = 0;
/** A fresh resource per test, so every test gets shards of its own. */
export function freshResource(partitioned: boolean): ResourceInfo {
  seq++;
  return {
    group: 'test.edgeplane.dev',
    version: 'v1',
    resource: `things${seq}x${Math.random().toString(36).slice(2, 8)}`,
    singular: 'thing',
    kind: 'Thing',
    listKind: 'ThingList',
    namespaced: true,
    subresources: [],
    partitioned,
  };
}

export function storeWith(partitions: number): Store {
  return new Store(testEnv, partitions);
}

export function thing(
  name: string,
  data: Record<string, unknown> = {},
  namespace = 'default',
): KObject {
  return {
    apiVersion: 'test.edgeplane.dev/v1',
    kind: 'Thing',
    metadata: { name, namespace, uid: crypto.randomUUID() },
    data,
  };
}

/** Collects watch events until `count` object events arrived (or the stream ends). */
export async function collect(
  iter: AsyncGenerator<StoreEvent>,
  count: number,
): Promise<StoreEvent[]> {
  const out: StoreEvent[] = [];
  for await (const ev of iter) {
    if (ev.type === 'PROGRESS') continue;
    out.push(ev);
    if (out.length >= count || ev.type === 'EXPIRED') break;
  }
  return out;
}

export function shardStub(name: string) {
  return testEnv.SHARDS.get(testEnv.SHARDS.idFromName(name));
}
