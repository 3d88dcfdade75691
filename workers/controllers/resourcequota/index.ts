// ResourceQuota controller: keeps each quota's status.hard equal to its spec and status.used equal
// to what its namespace holds, so admission charges against the truth and deletions give back.
// k8s: pkg/controller/resourcequota/resource_quota_controller.go (syncResourceQuota) and the
// replenishment of quotas when tracked objects change.
import { matchesScopes, type ResourceQuota } from '../../../src/api/quota';
import { formatUsage, usageOf } from '../../../src/lib/quota-usage';
import { allResources, resourceKey, type ResourceInfo } from '../../../src/api/resources';
import type { KObject } from '../../../src/api/types';
import { isConflict, isNotFound } from '../../../src/client/errors';
import { namespaceOf, type ClusterCache } from '../../shared/cache';
import { keyOf } from '../../shared/controller';
import { managerOf, type KeyedContext, type KeyedControllerDef } from '../framework';

const QUOTAS = 'resourcequotas';
/** Kinds kept in the leader's caches; others named by a quota (count/...) are listed when it syncs. */
const CACHED = ['pods', 'services', 'configmaps', 'secrets'];
/** --resource-quota-sync-period. */
const RESYNC_MS = 5 * 60_000;
const NAME = 'resourcequota';
const MANAGER = managerOf({ name: NAME });

const core = (resource: string) =>
  allResources().find((r) => r.group === '' && r.version === 'v1' && r.resource === resource);

/** The kind a quota resource name is counted from. */
function kindOf(name: string): ResourceInfo | undefined {
  const count = /^count\/([^.]+)(?:\.(.+))?$/.exec(name);
  if (count) {
    const [, resource, group = ''] = count;
    return allResources().find((r) => r.resource === resource && r.group === group);
  }
  if (
    /^(pods|cpu|memory|ephemeral-storage|(requests|limits)\..+)$/.test(name) &&
    name !== 'requests.storage'
  )
    return core('pods');
  if (name.startsWith('services')) return core('services');
  if (name === 'requests.storage' || name === 'persistentvolumeclaims')
    return core('persistentvolumeclaims');
  return core(name);
}

async function objectsOf(ctx: KeyedContext, info: ResourceInfo, ns: string): Promise<KObject[]> {
  const key = resourceKey(info);
  if (CACHED.includes(key)) return ctx.cache.kind(key).byIndex('namespace', ns);
  return (await ctx.client.list(info, { namespace: ns })).items;
}

async function syncQuota(ctx: KeyedContext, q: ResourceQuota): Promise<void> {
  const ns = q.metadata.namespace ?? '';
  const hard = q.spec?.hard ?? {};
  const used: Record<string, string> = {};
  const byKind = new Map<ResourceInfo, string[]>();
  for (const name of Object.keys(hard)) {
    const info = kindOf(name);
    if (!info) {
      used[name] = '0';
      continue;
    }
    byKind.set(info, [...(byKind.get(info) ?? []), name]);
  }
  for (const [info, names] of byKind) {
    const totals = new Map<string, number>();
    for (const obj of await objectsOf(ctx, info, ns)) {
      if (!matchesScopes(q.spec, info.group === '' ? info.resource : '', obj)) continue;
      for (const [k, v] of usageOf(info, obj)) totals.set(k, (totals.get(k) ?? 0) + v);
    }
    for (const n of names) used[n] = formatUsage(n, totals.get(n) ?? 0);
  }
  const status = { hard: { ...hard }, used };
  if (JSON.stringify(status) === JSON.stringify(q.status)) return;
  ctx.budget.take();
  await ctx.client.updateStatus(
    QUOTAS,
    { ...q, apiVersion: 'v1', kind: 'ResourceQuota', status },
    { namespace: ns, fieldManager: MANAGER },
  );
}

function quotasOfNamespace(obj: KObject, cache: ClusterCache): string[] {
  const ns = obj.metadata.namespace ?? '';
  return cache
    .kind(QUOTAS)
    .byIndex('namespace', ns)
    .map((q) => keyOf(ns, q.metadata.name!));
}

export const resourceQuotaController: KeyedControllerDef = {
  name: NAME,
  reconciles: QUOTAS,
  reads: [QUOTAS, ...CACHED],
  indexes: [QUOTAS, ...CACHED].map((resource) => ({
    resource,
    name: 'namespace',
    fn: namespaceOf,
  })),
  watches: CACHED.map((resource) => ({ resource, map: quotasOfNamespace })),
  async reconcile(ctx, key) {
    const q = ctx.cache.kind<ResourceQuota>(QUOTAS).get(key);
    if (!q || q.metadata.deletionTimestamp) return;
    try {
      await syncQuota(ctx, q);
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) return { requeueAfterMs: 500 };
      throw e;
    }
    return { requeueAfterMs: RESYNC_MS };
  },
};
