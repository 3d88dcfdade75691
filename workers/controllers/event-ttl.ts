// Event TTL: core/v1 Events are deleted once their last activity is older than eventTtlMs.
// k8s: kube-apiserver --event-ttl (an etcd lease renewed on every write); here a controller does it.
import type { KObject } from '../../src/api/types';
import { isNotFound } from '../../src/client/errors';
import type { Result } from '../shared/controller';
import type { KeyedControllerDef } from './framework';
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

/**
 * Keys are events. Each event's key waits in the queue until its expiry (last activity + TTL): the
 * queue is the ordered expiry index, and nothing scans the events. A repeat of the event (a write)
 * enqueues it again and it is requeued at its new expiry.
 */
export const eventTTLController: KeyedControllerDef = {
  name: 'event-ttl',
  reconciles: 'events',
  reads: ['events'],
  async reconcile(ctx, key): Promise<Result> {
    const e = ctx.cache.kind<Event>('events').get(key);
    if (!e) return;
    const expires = lastSeen(e) + ctx.config.eventTtlMs;
    const now = ctx.now();
    if (expires > now) return { requeueAfterMs: expires - now };
    ctx.budget.take();
    try {
      // The resourceVersion precondition keeps an event that repeated since the cache saw it
      // (a conflict: the key is retried and finds the new expiry).
      await ctx.client.delete('events', e.metadata.name!, {
        namespace: e.metadata.namespace,
        preconditions: { uid: e.metadata.uid, resourceVersion: e.metadata.resourceVersion },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  },
};
