// Event TTL: core/v1 Events are deleted once their last activity is older than eventTtlMs.
// k8s: kube-apiserver --event-ttl (an etcd lease renewed on every write); here a controller does it.
import type { KObject } from '../../src/api/types';
import { isConflict, isNotFound } from '../../src/client/errors';
import type { Controller, ReconcileResult } from './framework';
import { parseTime } from '../../src/lib/time';

type Event = KObject & {
  lastTimestamp?: string;
  firstTimestamp?: string;
  eventTime?: string;
  series?: { lastObservedTime?: string };
};

/**
 * The event's last activity: its latest occurrence (a repeat bumps it), else when it was stored.
 * Upstream's TTL restarts on every write, which these timestamps follow.
 */
export function lastSeen(e: Event): number {
  const seen = [e.lastTimestamp, e.series?.lastObservedTime, e.eventTime]
    .map(parseTime)
    .filter((t): t is number => t !== undefined);
  if (seen.length) return Math.max(...seen);
  return parseTime(e.metadata.creationTimestamp ?? undefined) ?? 0;
}

export const eventTTLController: Controller = {
  name: 'event-ttl',
  // Event writes never wake the controllers; this runs on its own requeue and on cron.
  watches: [],
  async reconcile(ctx) {
    const now = ctx.now();
    const ttl = ctx.config.eventTtlMs;
    const events = ((await ctx.snapshot.list('events')) as Event[])
      .map((e) => ({ e, expires: lastSeen(e) + ttl }))
      .sort((a, b) => a.expires - b.expires);
    let writes = 0;
    let retry = false;
    let more = false;
    let next = Infinity;
    for (const { e, expires } of events) {
      if (expires > now) {
        next = expires - now;
        break;
      }
      if (writes >= ctx.config.maxWritesPerPass) {
        more = true;
        break;
      }
      writes++;
      try {
        // The resourceVersion precondition keeps an event that repeated since the list.
        await ctx.client.delete('events', e.metadata.name!, {
          namespace: e.metadata.namespace,
          preconditions: { uid: e.metadata.uid, resourceVersion: e.metadata.resourceVersion },
        });
      } catch (err) {
        if (isConflict(err)) retry = true;
        else if (!isNotFound(err)) throw err;
      }
    }
    if (writes > 0) ctx.snapshot.invalidate('events');
    const result: ReconcileResult = {};
    if (more) result.more = true;
    const wait = Math.min(next, retry ? 1000 : Infinity);
    if (wait !== Infinity) result.requeueAfterMs = wait;
    return result;
  },
};
