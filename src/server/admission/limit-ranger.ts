// LimitRanger: a namespace's LimitRanges give containers default requests and limits, then bound
// what containers and pods may ask for (min, max, maxLimitRequestRatio). Upstream's messages.
// k8s: plugin/pkg/admission/limitranger/admission.go
import { findResource } from '../../api/resources';
import type { LimitRange, LimitRangeItem } from '../../api/quota';
import type { KObject } from '../../api/types';
import { parseQuantity } from '../../lib/quantity';
import type { ApiContext } from '../context';
import { errors } from '../errors';

const LIMIT_RANGES = findResource('', 'v1', 'limitranges');
const ANNOTATION = 'kubernetes.io/limit-ranger';

type List = Record<string, string>;
type Ctr = { name: string; resources?: { requests?: List; limits?: List } };

const milli = (q: string) => parseQuantity(q).milli();

export async function namespaceLimitRanges(ctx: ApiContext, ns: string): Promise<LimitRange[]> {
  if (!LIMIT_RANGES) return [];
  const res = await ctx.store.list(LIMIT_RANGES, { namespace: ns });
  if (!res.ok) return [];
  return (res.value.items as LimitRange[]).sort((a, b) =>
    (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

/** Sets missing container requests and limits from Container items' defaultRequest and default. */
function applyDefaults(pod: KObject, items: LimitRangeItem[]): string[] {
  const notes: string[] = [];
  const spec = (pod.spec ?? {}) as { containers?: Ctr[]; initContainers?: Ctr[] };
  const each = (list: Ctr[] | undefined, what: string) => {
    for (const c of list ?? []) {
      const set = { request: [] as string[], limit: [] as string[] };
      for (const item of items) {
        for (const [which, from, note] of [
          ['requests', item.defaultRequest, 'request'],
          ['limits', item.default, 'limit'],
        ] as const) {
          for (const [k, v] of Object.entries(from ?? {})) {
            const res = (c.resources ??= {});
            const target = (res[which] ??= {});
            if (target[k] !== undefined) continue;
            target[k] = v;
            set[note].push(k);
          }
        }
      }
      for (const kind of ['request', 'limit'] as const)
        if (set[kind].length)
          notes.push(`${set[kind].sort().join(', ')} ${kind} for ${what} ${c.name}`);
    }
  };
  each(spec.initContainers, 'init container');
  each(spec.containers, 'container');
  return notes;
}

/** min/max/ratio of one item against one set of requests and limits. k8s: minConstraint, maxConstraint, limitRequestRatioConstraint. */
function check(item: LimitRangeItem, requests: List, limits: List, per: string): string[] {
  const errs: string[] = [];
  // One error per constraint, the first that fails, in upstream's order.
  for (const [k, min] of Object.entries(item.min ?? {})) {
    const req = requests[k];
    const lim = limits[k];
    if (req === undefined)
      errs.push(`minimum ${k} usage per ${per} is ${min}.  No request is specified`);
    else if (milli(req) < milli(min))
      errs.push(`minimum ${k} usage per ${per} is ${min}, but request is ${req}`);
    else if (lim !== undefined && milli(lim) < milli(min))
      errs.push(`minimum ${k} usage per ${per} is ${min}, but limit is ${lim}`);
  }
  for (const [k, max] of Object.entries(item.max ?? {})) {
    const req = requests[k];
    const lim = limits[k];
    if (lim === undefined)
      errs.push(`maximum ${k} usage per ${per} is ${max}.  No limit is specified`);
    else if (milli(lim) > milli(max))
      errs.push(`maximum ${k} usage per ${per} is ${max}, but limit is ${lim}`);
    else if (req !== undefined && milli(req) > milli(max))
      errs.push(`maximum ${k} usage per ${per} is ${max}, but request is ${req}`);
  }
  for (const [k, ratio] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const req = requests[k];
    const lim = limits[k];
    if (lim === undefined) continue;
    if (req === undefined || milli(req) === 0) {
      errs.push(
        `${k} max limit to request ratio per ${per} is ${ratio}, but no request is specified or request is 0`,
      );
      continue;
    }
    const observed = milli(lim) / milli(req);
    if (observed > milli(ratio) / 1000)
      errs.push(
        `${k} max limit to request ratio per ${per} is ${ratio}, but provided ratio is ${observed.toFixed(6)}`,
      );
  }
  return errs;
}

function sum(list: Ctr[], which: 'requests' | 'limits'): List {
  const m = new Map<string, number>();
  let complete = new Set<string>();
  list.forEach((c, i) => {
    const r = c.resources?.[which] ?? {};
    const keys = new Set(Object.keys(r));
    complete = i === 0 ? keys : new Set([...complete].filter((k) => keys.has(k)));
    for (const [k, v] of Object.entries(r)) m.set(k, (m.get(k) ?? 0) + milli(v));
  });
  // A pod total exists only when every container states the resource.
  const out: List = {};
  for (const k of complete) out[k] = parseQuantity(`${m.get(k)}m`).toString();
  return out;
}

/** Mutates the pod with the defaults, then refuses it (403) when it breaks a LimitRange. */
export async function admitLimitRanger(ctx: ApiContext, pod: KObject): Promise<void> {
  const ranges = await namespaceLimitRanges(ctx, pod.metadata.namespace ?? '');
  if (ranges.length === 0) return;
  const items = ranges.flatMap((r) => r.spec?.limits ?? []);
  const containerItems = items.filter((i) => i.type === 'Container');
  const notes = applyDefaults(pod, containerItems);
  if (notes.length)
    pod.metadata.annotations = {
      ...(pod.metadata.annotations ?? {}),
      [ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}`,
    };
  const spec = (pod.spec ?? {}) as { containers?: Ctr[]; initContainers?: Ctr[] };
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const errs: string[] = [];
  for (const item of containerItems)
    for (const c of all)
      errs.push(
        ...check(item, c.resources?.requests ?? {}, c.resources?.limits ?? {}, 'Container'),
      );
  for (const item of items.filter((i) => i.type === 'Pod')) {
    const app = spec.containers ?? [];
    errs.push(...check(item, sum(app, 'requests'), sum(app, 'limits'), 'Pod'));
  }
  if (errs.length)
    throw errors.forbidden(
      `pods "${pod.metadata.name ?? ''}" is forbidden: ${errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`}`,
      { resource: 'pods', group: '', name: pod.metadata.name },
    );
}
