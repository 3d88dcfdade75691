// Wakes the scheduler and controllers after writes they care about, so nothing waits for cron.
import type { ApiContext } from './context';

/**
 * The kinds whose writes the controllers react to at once. Everything else (ConfigMaps, Secrets,
 * their own Endpoints and EndpointSlices) waits for the periodic resync: no controller's decision
 * depends on it promptly, and waking on it would tax every write.
 */
const CONTROLLER_WAKES = new Set(['pods', 'nodes', 'services', 'namespaces', 'apps/v1/deployments', 'apps/v1/replicasets']);

function resourceKey(ctx: ApiContext): string {
  const r = ctx.info.resource;
  return r.group ? `${r.group}/${r.version}/${r.resource}` : r.resource;
}

/**
 * Leases and events never wake a loop: lease renewals are the heartbeat the node lifecycle
 * controller reads on its own schedule, and events are written by the loops themselves.
 * The scheduler cares about pods entering or leaving and about nodes; status writes of pods only
 * matter to the controllers (readiness drives ReplicaSet status and Endpoints).
 */
export function notifyWrite(ctx: ApiContext): void {
  const key = resourceKey(ctx);
  if (key === 'coordination.k8s.io/v1/leases' || key === 'events' || key === 'events.k8s.io/v1/events') return;
  if (ctx.query.getAll('dryRun').includes('All')) return;
  const sub = ctx.info.subresource;
  const wakeScheduler = (key === 'pods' && sub !== 'status' && sub !== 'binding') || key === 'nodes';
  const wakes: Promise<unknown>[] = [];
  if (wakeScheduler && ctx.env.SCHEDULER) wakes.push(ctx.env.SCHEDULER.wake([key]));
  if (ctx.env.CONTROLLERS && CONTROLLER_WAKES.has(key) && !(key === 'pods' && sub === 'binding')) wakes.push(ctx.env.CONTROLLERS.wake([key]));
  if (wakes.length) ctx.waitUntil(Promise.allSettled(wakes));
}
