// ResourceQuota admission, a validating plugin: it runs once the object passed validation. A write
// that would take a namespace past a quota's hard limits is refused with 403 and upstream's
// message; one that fits is charged to status.used at once (a compare-and-swap per quota), so
// concurrent writes cannot all slip under the limit. The charge belongs to the request until its
// write commits: a write that fails afterwards (AlreadyExists, a conflict, anything) gives it back,
// rather than holding it until the quota controller next recomputes status.used from what exists.
// Creates are charged their whole usage; updates of Services and PersistentVolumeClaims the growth
// (a Service turned NodePort or LoadBalancer, a claim resized), as upstream's evaluators handle.
// k8s: staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go (checkRequest)
import { findResource, qualifiedResource, type ResourceInfo } from '../../api/resources';
import { matchesScopes, type ResourceQuota } from '../../api/quota';
import { describeUsage, formatUsage, parseUsage, usageOf, type Usage } from '../../lib/quota-usage';
import type { KObject } from '../../api/types';
import { isDryRun, type ApiContext } from '../context';
import { errors } from '../errors';

const QUOTAS = findResource('', 'v1', 'resourcequotas');

class QuotaRefusal extends Error {}

/** What one request charged and has not yet handed to a stored object, keyed by its Request. */
interface Charge {
  namespace: string;
  quota: string;
  usage: Usage;
}
const pending = new WeakMap<Request, Charge[]>();

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

function verdict(q: ResourceQuota, usage: Usage, relevant: string[]): string | undefined {
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

/** Adds `sign` × usage to a quota's status.used (a give-back never goes below zero). */
function addUsed(q: ResourceQuota, usage: Usage, names: string[], sign: 1 | -1): ResourceQuota {
  const used = { ...(q.status?.used ?? {}) };
  for (const n of names) {
    if (used[n] === undefined && sign < 0) continue;
    used[n] = formatUsage(n, Math.max(0, parseUsage(used[n]) + sign * (usage.get(n) ?? 0)));
  }
  return { ...q, status: { ...(q.status ?? {}), used } };
}

/** Gives back what this request charged: its write did not commit (or is being tried again). */
export async function releaseQuotaCharges(ctx: ApiContext): Promise<void> {
  const charges = pending.get(ctx.request);
  if (!charges || !QUOTAS) return;
  pending.delete(ctx.request);
  for (const c of charges) {
    const res = await ctx.store.guaranteedUpdate(QUOTAS, c.namespace, c.quota, (cur) =>
      addUsed(cur as ResourceQuota, c.usage, [...c.usage.keys()], -1),
    );
    if (!res.ok && res.reason !== 'not-found')
      console.error(`giving back quota ${c.namespace}/${c.quota}: ${res.message ?? res.reason}`);
  }
}

/** The write committed: what it charged is the stored object's now. */
export function commitQuotaCharges(ctx: ApiContext): void {
  pending.delete(ctx.request);
}

/** Checks `usage` (what the write adds) against the namespace's quotas, then charges it. */
async function chargeQuotas(
  ctx: ApiContext,
  r: ResourceInfo,
  obj: KObject,
  usage: Usage,
  checkPods: boolean,
): Promise<void> {
  const ns = obj.metadata.namespace!;
  const list = await ctx.store.list(QUOTAS!, { namespace: ns });
  if (!list.ok || list.value.items.length === 0) return;
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
    if (!matchesScopes(q.spec, r.group === '' ? r.resource : '', obj)) continue;
    const relevant = Object.keys(q.spec?.hard ?? {}).filter((n) => usage.has(n));
    if (checkPods) {
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
      .guaranteedUpdate(QUOTAS!, ns, q.metadata.name!, (cur) => {
        const current = cur as ResourceQuota;
        const why = verdict(current, usage, relevant);
        if (why) throw new QuotaRefusal(why);
        return addUsed(current, usage, relevant, 1);
      })
      .catch((e: unknown) => {
        if (e instanceof QuotaRefusal) throw refuse(e.message);
        throw e;
      });
    // A quota deleted meanwhile limits nothing any more.
    if (res.ok) {
      const mine = pending.get(ctx.request) ?? [];
      mine.push({
        namespace: ns,
        quota: q.metadata.name!,
        usage: new Map(relevant.map((n) => [n, usage.get(n) ?? 0])),
      });
      pending.set(ctx.request, mine);
    } else if (res.reason !== 'not-found')
      throw errors.internal(`charging quota ${q.metadata.name}: ${res.message ?? res.reason}`);
  }
}

/** A create: its whole usage. */
export async function admitResourceQuota(ctx: ApiContext, obj: KObject): Promise<void> {
  const r = ctx.info.resource;
  if (!QUOTAS || !r.namespaced || !obj.metadata.namespace) return;
  const usage = usageOf(r, obj);
  if (usage.size === 0) return;
  await chargeQuotas(ctx, r, obj, usage, r.group === '' && r.resource === 'pods');
}

/** Kinds whose updates change their usage. k8s: the services and PVC evaluators' Handles. */
const UPDATE_EVALUATED = ['services', 'persistentvolumeclaims'];

/**
 * An update of a Service or a PersistentVolumeClaim: what it adds (k8s:
 * SubtractWithNonNegativeResult of the new usage and the old, zeros dropped). A try again of the
 * same request (a storage conflict) gives back what its earlier attempt charged first.
 */
export async function admitResourceQuotaUpdate(
  ctx: ApiContext,
  next: KObject,
  live: KObject,
): Promise<void> {
  const r = ctx.info.resource;
  if (!QUOTAS || r.group !== '' || !UPDATE_EVALUATED.includes(r.resource)) return;
  if (ctx.info.subresource || !next.metadata.namespace) return;
  await releaseQuotaCharges(ctx);
  const before = usageOf(r, live);
  const growth: Usage = new Map();
  for (const [n, v] of usageOf(r, next)) {
    const d = v - (before.get(n) ?? 0);
    if (d > 0) growth.set(n, d);
  }
  if (growth.size === 0) return;
  await chargeQuotas(ctx, r, next, growth, false);
}
