// ResourceQuota admission: a create that would take a namespace past a quota's hard limits is
// refused with 403 and upstream's message; one that fits is charged to status.used at once (a
// compare-and-swap per quota), so concurrent creates cannot all slip under the limit. The quota
// controller recomputes status.used from what exists (and gives back what deletes released).
// k8s: staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go (checkRequest)
import { findResource, qualifiedResource } from '../../api/resources';
import { matchesScopes, type ResourceQuota } from '../../api/quota';
import { describeUsage, formatUsage, parseUsage, usageOf } from '../../lib/quota-usage';
import type { KObject } from '../../api/types';
import { isDryRun, type ApiContext } from '../context';
import { errors } from '../errors';

const QUOTAS = findResource('', 'v1', 'resourcequotas');

class QuotaRefusal extends Error {}

/** k8s: pods evaluator's "must specify" check for limits/requests a quota tracks. */
function unspecified(obj: KObject, tracked: string[]): string[] {
  const containers =
    (
      obj.spec as {
        containers?: { name: string; resources?: Record<string, Record<string, unknown>> }[];
      }
    )?.containers ?? [];
  const out: string[] = [];
  for (const name of tracked) {
    const m = /^(requests|limits)\.(cpu|memory)$/.exec(name) ?? /^(cpu|memory)$/.exec(name);
    if (!m) continue;
    const [which, res] = m[2] ? [m[1], m[2]] : ['requests', m[1]];
    const missing = containers
      .filter((c) => c.resources?.[which]?.[res] === undefined)
      .map((c) => c.name);
    if (missing.length) out.push(`must specify ${name} for: ${missing.join(',')}`);
  }
  return out;
}

function verdict(
  q: ResourceQuota,
  usage: Map<string, number>,
  relevant: string[],
): string | undefined {
  const hard = q.status?.hard ?? {};
  const used = q.status?.used ?? {};
  const unknown = relevant.filter((n) => hard[n] === undefined || used[n] === undefined);
  if (unknown.length)
    return `status unknown for quota: ${q.metadata.name}, resources: ${unknown.sort().join(',')}`;
  const over = relevant.filter(
    (n) => parseUsage(used[n]) + (usage.get(n) ?? 0) > parseUsage(q.spec?.hard?.[n] ?? hard[n]),
  );
  if (!over.length) return undefined;
  return (
    `exceeded quota: ${q.metadata.name}, requested: ${describeUsage(over, (n) => usage.get(n) ?? 0)}, ` +
    `used: ${describeUsage(over, (n) => parseUsage(used[n]))}, ` +
    `limited: ${describeUsage(over, (n) => parseUsage(q.spec?.hard?.[n] ?? hard[n]))}`
  );
}

export async function admitResourceQuota(ctx: ApiContext, obj: KObject): Promise<void> {
  const r = ctx.info.resource;
  const ns = obj.metadata.namespace;
  if (!QUOTAS || !r.namespaced || !ns) return;
  const list = await ctx.store.list(QUOTAS, { namespace: ns });
  if (!list.ok || list.value.items.length === 0) return;
  const usage = usageOf(r, obj);
  if (usage.size === 0) return;
  const refuse = (why: string) =>
    errors.forbidden(`${qualifiedResource(r)} "${obj.metadata.name ?? ''}" is forbidden: ${why}`, {
      resource: r.resource,
      group: r.group,
      name: obj.metadata.name,
    });
  const quotas = (list.value.items as ResourceQuota[]).sort((a, b) =>
    (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
  const charges: { q: ResourceQuota; relevant: string[] }[] = [];
  for (const q of quotas) {
    if (!matchesScopes(q.spec?.scopes, r.group === '' ? r.resource : '', obj)) continue;
    const relevant = Object.keys(q.spec?.hard ?? {}).filter((n) => usage.has(n));
    if (r.group === '' && r.resource === 'pods') {
      const missing = unspecified(obj, Object.keys(q.spec?.hard ?? {}));
      if (missing.length) throw refuse(`failed quota: ${q.metadata.name}: ${missing.join(',')}`);
    }
    if (!relevant.length) continue;
    const why = verdict(q, usage, relevant);
    if (why) throw refuse(why);
    charges.push({ q, relevant });
  }
  if (isDryRun(ctx)) return;
  for (const { q, relevant } of charges) {
    const res = await ctx.store
      .guaranteedUpdate(QUOTAS, ns, q.metadata.name!, (cur) => {
        const current = cur as ResourceQuota;
        const why = verdict(current, usage, relevant);
        if (why) throw new QuotaRefusal(why);
        const used = { ...(current.status?.used ?? {}) };
        for (const n of relevant)
          used[n] = formatUsage(n, parseUsage(used[n]) + (usage.get(n) ?? 0));
        return { ...current, status: { ...(current.status ?? {}), used } };
      })
      .catch((e: unknown) => {
        if (e instanceof QuotaRefusal) throw refuse(e.message);
        throw e;
      });
    // A quota deleted meanwhile limits nothing any more.
    if (!res.ok && res.reason !== 'not-found')
      throw errors.internal(`charging quota ${q.metadata.name}: ${res.message ?? res.reason}`);
  }
}
