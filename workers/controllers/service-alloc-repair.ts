// Repair of the Service allocation table: every ClusterIP and NodePort a Service holds is reserved,
// no value is held by two Services unnoticed, and reservations no Service holds (a crash between
// reserving and storing, a Service removed by its last finalizer) are freed.
// k8s: pkg/registry/core/service/ipallocator/controller/repair.go and
// pkg/registry/core/service/portallocator/controller/repair.go (runOnce).
import type { KObject } from '../../src/api/types';
import { isAlreadyExists, isConflict, isNotFound } from '../../src/client/errors';
import type { Result } from '../shared/controller';
import type { KeyedContext, KeyedControllerDef } from './framework';

/** A row of the table, as /edgeplane/v1/serviceallocations lists it. */
export interface Allocation {
  key: string;
  uid: string;
  owner: string;
  creationTimestamp: string;
}

/**
 * Upstream frees a leak only after it outlived numRepairsBeforeLeakCleanup (3) repair runs, so a
 * value reserved by a create still in flight is never taken back. The leader's memory does not
 * survive eviction here, so the reservation's age stands in for the count: three one-minute passes.
 */
export const LEAK_GRACE_MS = 180_000;

type Service = KObject & {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    ports?: { nodePort?: number }[];
  };
};

/** The keys a Service holds; the API's admission uses the same rule (src/server/admission/service-addresses.ts). */
export function serviceKeys(svc: Service): string[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  const keys = ips.filter((ip) => ip && ip !== 'None').map((ip) => `ip-${ip}`);
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer')
    for (const p of spec.ports ?? []) if (p.nodePort) keys.push(`port-${p.nodePort}`);
  return [...new Set(keys)];
}

export interface RepairPlan {
  /** Values a Service holds that the table lacks: reserve them again. */
  reserve: { key: string; service: Service }[];
  /** Values held by more than one Service: the later ones are told to be recreated. */
  duplicates: { key: string; service: Service }[];
  /** Reservations no Service holds, old enough to be leaks. */
  release: Allocation[];
  /** Milliseconds until the youngest unheld reservation becomes a leak, if any is waiting. */
  recheckMs?: number;
}

const ownerOf = (s: Service) => `${s.metadata.namespace}/${s.metadata.name}`;

/** The table must be read before the Services, so a Service stored meanwhile is seen holding its values. */
export function planRepair(
  table: Allocation[],
  services: Service[],
  now: number,
  graceMs = LEAK_GRACE_MS,
): RepairPlan {
  const plan: RepairPlan = { reserve: [], duplicates: [], release: [] };
  const reserved = new Map(table.map((a) => [a.key, a]));
  const holder = new Map<string, Service>();
  // Oldest first, as upstream walks the list: the first holder keeps the value.
  const ordered = [...services].sort((a, b) =>
    (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
  );
  for (const svc of ordered) {
    for (const key of serviceKeys(svc)) {
      if (holder.has(key)) {
        plan.duplicates.push({ key, service: svc });
        continue;
      }
      holder.set(key, svc);
      if (!reserved.has(key)) plan.reserve.push({ key, service: svc });
    }
  }
  for (const a of table) {
    if (holder.has(a.key)) continue;
    const age = now - Date.parse(a.creationTimestamp);
    if (!(age < graceMs)) plan.release.push(a);
    else plan.recheckMs = Math.min(plan.recheckMs ?? Infinity, graceMs - age);
  }
  return plan;
}

const describe = (key: string) =>
  key.startsWith('ip-') ? `Cluster IP ${key.slice(3)}` : `Port ${key.slice(5)}`;
const reason = (key: string, what: 'NotAllocated' | 'AlreadyAllocated') =>
  key.startsWith('ip-') ? `ClusterIP${what}` : `Port${what}`;

/**
 * One key ("*"), as upstream's repair loops run over the whole table on an interval: enqueued by
 * every cron resync (each minute) and by any Service change, and requeued when an unheld
 * reservation will have outlived the leak grace. Services come from the cache; the table is
 * read live (it is not a kind with a watch), before the Services.
 */
export const serviceAllocRepairController: KeyedControllerDef = {
  name: 'service-alloc-repair',
  reconciles: '*',
  reads: ['services'],
  watches: [{ resource: 'services', map: () => ['*'] }],
  async reconcile(ctx: KeyedContext): Promise<Result> {
    const table = (
      (await (await ctx.client.raw('GET', '/edgeplane/v1/serviceallocations')).json()) as {
        items: Allocation[];
      }
    ).items;
    const services = ctx.cache.kind<Service>('services').list();
    const plan = planRepair(table, services, ctx.now());
    for (const { key, service } of plan.reserve) {
      ctx.budget.take();
      try {
        await ctx.client.raw('POST', '/edgeplane/v1/serviceallocations', {
          body: JSON.stringify({ key, owner: ownerOf(service) }),
          contentType: 'application/json',
        });
        await ctx.recorder
          .event(
            service,
            'Warning',
            reason(key, 'NotAllocated'),
            `${describe(key)} is not allocated; repairing`,
          )
          .catch(() => undefined);
      } catch (e) {
        // Reserved meanwhile: by this Service's own write, or by another's (the next pass sees which).
        if (!isAlreadyExists(e)) throw e;
      }
    }
    for (const { key, service } of plan.duplicates) {
      await ctx.recorder
        .event(
          service,
          'Warning',
          reason(key, 'AlreadyAllocated'),
          `${describe(key)} was assigned to multiple services; please recreate service`,
        )
        .catch(() => undefined);
    }
    for (const a of plan.release) {
      ctx.budget.take();
      try {
        await ctx.client.raw(
          'DELETE',
          `/edgeplane/v1/serviceallocations/${a.key}?uid=${encodeURIComponent(a.uid)}`,
        );
      } catch (e) {
        // Released or reserved again since the table was read: nothing to free.
        if (!isConflict(e) && !isNotFound(e)) throw e;
      }
    }
    return plan.recheckMs !== undefined ? { requeueAfterMs: plan.recheckMs } : undefined;
  },
};
