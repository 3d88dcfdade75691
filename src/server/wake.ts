// Wakes the scheduler and controllers after writes they care about, with the written object's key, so nothing waits for cron.
import { resourceKey } from '../api/resources';
import type { KObject } from '../api/types';
import type { WakeKey } from '../api/wake';
import type { ApiContext } from './context';
import type { LoopService } from './env';

/**
 * The kinds whose writes the controllers react to at once. Everything else (ConfigMaps, Secrets,
 * their own Endpoints and EndpointSlices) waits for the controllers' watches or the periodic
 * resync: no controller's decision depends on it promptly, and waking on it would tax every write.
 */
const CONTROLLER_WAKES = new Set([
  'pods',
  'nodes',
  'services',
  'namespaces',
  'apps/v1/deployments',
  'apps/v1/replicasets',
]);

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

function enqueue(name: string, service: LoopService, key: WakeKey, ctx: ApiContext): void {
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

/**
 * Leases and events never wake a loop: lease renewals are the heartbeat the node lifecycle
 * controller reads on its own schedule, and events are written by the loops themselves.
 * The scheduler cares about pods entering or leaving and about nodes; status writes of pods only
 * matter to the controllers (readiness drives ReplicaSet status and Endpoints).
 * `written` names the object when the URL does not (a create, whose name may be generated).
 */
export function notifyWrite(ctx: ApiContext, written?: KObject): void {
  const resource = resourceKey(ctx.info.resource);
  if (
    resource === 'coordination.k8s.io/v1/leases' ||
    resource === 'events' ||
    resource === 'events.k8s.io/v1/events'
  )
    return;
  if (ctx.query.getAll('dryRun').includes('All')) return;
  const name = written?.metadata.name ?? ctx.info.name;
  if (!name) return;
  const namespace = written?.metadata.namespace ?? ctx.info.namespace;
  const key: WakeKey = namespace ? { resource, namespace, name } : { resource, name };
  const sub = ctx.info.subresource;
  const wakeScheduler =
    (resource === 'pods' && sub !== 'status' && sub !== 'binding') || resource === 'nodes';
  if (wakeScheduler && ctx.env.SCHEDULER) enqueue('scheduler', ctx.env.SCHEDULER, key, ctx);
  if (
    ctx.env.CONTROLLERS &&
    CONTROLLER_WAKES.has(resource) &&
    !(resource === 'pods' && sub === 'binding')
  )
    enqueue('controllers', ctx.env.CONTROLLERS, key, ctx);
}
