// The table of reserved Service ClusterIPs and NodePorts (one object per value, create = reserve),
// and the per-request bookkeeping that keeps a failed write from keeping what it reserved.
// k8s: pkg/registry/core/service/storage/transaction.go (reservations a failed create or update reverts).
import { rfc3339 } from '../../lib/time';
import type { Store } from '../../storage/store';
import type { ResourceInfoLike } from './types';

/** Internal, unserved resource: one object per reserved address or port. */
export const ALLOCATIONS: ResourceInfoLike = {
  group: 'internal.edgeplane.dev',
  version: 'v1',
  resource: 'allocations',
  singular: 'allocation',
  kind: 'Allocation',
  listKind: 'AllocationList',
  namespaced: false,
  subresources: [],
  partitioned: false,
};

export interface Allocation {
  /** `ip-<address>` or `port-<nodePort>`. */
  key: string;
  /** The allocation object's own uid: a precondition for releasing exactly this reservation. */
  uid: string;
  /** `<namespace>/<name>` of the Service it was reserved for. */
  owner: string;
  creationTimestamp: string;
}

/** Reserves `key` for `owner`; false when someone holds it already. */
export async function reserveKey(store: Store, key: string, owner: string): Promise<boolean> {
  const res = await store.create(ALLOCATIONS, {
    apiVersion: 'internal.edgeplane.dev/v1',
    kind: 'Allocation',
    metadata: {
      name: key,
      uid: crypto.randomUUID(),
      creationTimestamp: rfc3339(Date.now()),
      annotations: { owner },
    },
  });
  return res.ok;
}

/** Releases `key`; with `uid`, only that very reservation (not one made again since). */
export async function releaseKey(store: Store, key: string, uid?: string): Promise<boolean> {
  return (await store.delete(ALLOCATIONS, undefined, key, uid ? { uid } : undefined)).ok;
}

export async function listAllocations(store: Store): Promise<Allocation[]> {
  const out: Allocation[] = [];
  let cont: string | undefined;
  do {
    const page = await store.list(ALLOCATIONS, { continue: cont });
    if (!page.ok) throw new Error(`listing the allocation table failed: ${page.reason}`);
    for (const o of page.value.items) {
      out.push({
        key: o.metadata.name!,
        uid: o.metadata.uid!,
        owner: o.metadata.annotations?.owner ?? '',
        creationTimestamp: o.metadata.creationTimestamp ?? '',
      });
    }
    cont = page.value.continue;
  } while (cont);
  return out;
}

/**
 * What one request reserved and has not yet handed to a stored Service, and what the Service held
 * before an update. Keyed by the Request, which every copy of the request's context shares.
 */
interface Pending {
  reserved: Set<string>;
  before?: Set<string>;
}
const pending = new WeakMap<Request, Pending>();

export function pendingOf(request: Request | undefined): Pending | undefined {
  if (!request) return undefined;
  let p = pending.get(request);
  if (!p) pending.set(request, (p = { reserved: new Set() }));
  return p;
}

/**
 * After the write committed: what the stored Service holds is its own now; what it held before and
 * no longer does is freed (only now, so no other Service can take a port this one still served);
 * reservations of attempts that did not commit are freed too.
 */
export async function commitReservations(
  store: Store,
  request: Request | undefined,
  holds: Set<string>,
): Promise<void> {
  const p = request && pending.get(request);
  if (!p) return;
  pending.delete(request!);
  const free = [...(p.before ?? [])].filter((k) => !holds.has(k));
  free.push(...[...p.reserved].filter((k) => !holds.has(k)));
  for (const key of new Set(free)) await releaseKey(store, key);
}

/** The request ends without a commit (validation, AlreadyExists, a conflict, anything): free its reservations. */
export async function rollbackReservations(
  store: Store,
  request: Request | undefined,
): Promise<void> {
  const p = request && pending.get(request);
  if (!p) return;
  pending.delete(request!);
  for (const key of p.reserved) await releaseKey(store, key);
}
