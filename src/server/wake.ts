// Wakes the scheduler and controllers after writes they care about, with the written object's key, so nothing waits for cron.
import { resourceKey } from '../api/resources';
import type { KObject } from '../api/types';
import type { WakeKey } from '../api/wake';
import { loopWatches, type LoopName } from './loop-watches';
import type { ApiContext } from './context';
import type { LoopService } from './env';
import { definitionFor, type WakeRule } from '../registry/registry';

/** How long keys gather before one wake call carries them all; also the most a batch grows to. */
const COALESCE_MS = 5;
const MAX_BATCH = 500;

interface Batch {
  keys: Map<string, WakeKey>;
  timer: ReturnType<typeof setTimeout> | undefined;
  flush: () => void;
}

/**
 * One pending batch per loop per isolate. The request that opens a batch owns it: its waitUntil
 * covers the one wake call that carries every key added before the flush, so later writes add a
 * key to a Map and await nothing (a wake per write cost a service call and a Durable Object call
 * each, which held pod writes to tens per second).
 */
const pending = new Map<string, Batch>();

function enqueue(name: LoopName, service: LoopService, key: WakeKey, ctx: ApiContext): void {
  // The loop's own open watch of this kind, served by this isolate, carries the write: a wake would
  // only confirm that its leader is up (a serial pod create made about four wake calls, each a
  // service call and a Durable Object call). Served elsewhere, or closed, it is woken as always.
  if (loopWatches(name, key.resource)) return;
  const id = `${key.resource}\u0000${key.namespace ?? ''}\u0000${key.name}`;
  const open = pending.get(name);
  if (open) {
    open.keys.set(id, key);
    if (open.keys.size >= MAX_BATCH) open.flush();
    return;
  }
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const batch: Batch = {
    keys: new Map([[id, key]]),
    timer: undefined,
    flush: () => {
      if (pending.get(name) !== batch) return;
      pending.delete(name);
      if (batch.timer !== undefined) clearTimeout(batch.timer);
      service
        .wake([...batch.keys.values()])
        .catch((e: unknown) => console.error(`waking ${name} failed`, e))
        .finally(done);
    },
  };
  pending.set(name, batch);
  batch.timer = setTimeout(batch.flush, COALESCE_MS);
  ctx.waitUntil(finished);
}

const wakes = (rule: WakeRule | undefined, sub: string) =>
  rule === true || (rule !== undefined && !rule.except.includes(sub));

/**
 * Each kind's definition says which loops its writes wake (src/registry/kinds). Kinds no
 * controller's decision depends on promptly (ConfigMaps, Secrets, the loops' own Endpoints,
 * EndpointSlices, Leases and Events) wake none: they wait for the controllers' watches or the
 * periodic resync, and waking on them would tax every write.
 * `written` names the object when the URL does not (a create, whose name may be generated).
 */
export function notifyWrite(ctx: ApiContext, written?: KObject): void {
  const rules = definitionFor(ctx.info.resource).wakes;
  if (!rules) return;
  if (ctx.query.getAll('dryRun').includes('All')) return;
  const name = written?.metadata.name ?? ctx.info.name;
  if (!name) return;
  const namespace = written?.metadata.namespace ?? ctx.info.namespace;
  const resource = resourceKey(ctx.info.resource);
  const key: WakeKey = namespace ? { resource, namespace, name } : { resource, name };
  const sub = ctx.info.subresource ?? '';
  if (ctx.env.SCHEDULER && wakes(rules.scheduler, sub))
    enqueue('scheduler', ctx.env.SCHEDULER, key, ctx);
  if (ctx.env.CONTROLLERS && wakes(rules.controllers, sub))
    enqueue('controllers', ctx.env.CONTROLLERS, key, ctx);
}
