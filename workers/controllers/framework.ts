// The controller contract: level-triggered reconcilers that read a snapshot and write through the API.
import type { KObject } from '../../src/api/types';
import type { KubeClient } from '../../src/client/client';
import type { EventRecorder } from '../../src/client/events';
import type { RateLimiter } from '../shared/rate-limiter';
import type { WriteBudget } from '../shared/budget';
import type { ClusterCache } from '../shared/cache';
import type { KeyedController, Result } from '../shared/controller';

/** What one reconcile pass asks for next (controller-runtime's Result). */
export interface ReconcileResult {
  /** Run again no later than this many milliseconds from now (time-based work: deadlines, grace periods). */
  requeueAfterMs?: number;
  /** More work remains than one bounded pass may do: run again at once. */
  more?: boolean;
}

export interface ControllerConfig {
  /** Node lease age after which a node is marked Ready=Unknown (node-monitor-grace-period). */
  nodeMonitorGracePeriodMs: number;
  /** Default tolerationSeconds for not-ready/unreachable taints (used when a pod has none). */
  defaultTolerationSeconds: number;
  /** Events older than this are deleted. */
  eventTtlMs: number;
  /** Upper bound on writes one controller makes in one pass; the rest waits for the next pass. */
  maxWritesPerPass: number;
  /** Upper bound on events one controller records in one pass; the rest are dropped. */
  maxEventsPerPass: number;
}

export const DEFAULT_CONFIG: ControllerConfig = {
  nodeMonitorGracePeriodMs: 50_000,
  defaultTolerationSeconds: 300,
  eventTtlMs: 3_600_000,
  maxWritesPerPass: 200,
  maxEventsPerPass: 50,
};

/**
 * A consistent-enough view of the cluster for one pass: each resource is listed at most once per
 * pass (all namespaces) and shared by every controller in that pass.
 */
export interface Snapshot {
  list<T extends KObject = KObject>(resource: string): Promise<T[]>;
  /** Drops a cached list after a controller wrote to it, so later controllers in the pass see fresh state. */
  invalidate(resource: string): void;
}

export interface ControllerContext {
  client: KubeClient;
  snapshot: Snapshot;
  recorder: EventRecorder;
  config: ControllerConfig;
  now(): number;
  /** Per-object failure backoff that outlives a pass (the leader keeps it). */
  backoff?: RateLimiter;
}

export interface Controller {
  /** kube-controller-manager's name for it, e.g. "replicaset", "deployment", "garbage-collector". */
  name: string;
  /** Resources whose writes should wake this controller ("pods", "apps/v1/deployments", ...). */
  watches: string[];
  reconcile(ctx: ControllerContext): Promise<ReconcileResult>;
}

/** What a keyed controller gets for one pass: the leader's caches (its only reads) and its write budget. */
export interface KeyedContext extends ControllerContext {
  cache: ClusterCache;
  budget: WriteBudget;
}

export type KeyedControllerDef = KeyedController<KeyedContext>;

/** A Snapshot over the caches: every list is the cached kind (started and listed on first use). */
export function cacheSnapshot(cache: ClusterCache): Snapshot {
  return {
    async list<T extends KObject = KObject>(resource: string): Promise<T[]> {
      const k = cache.kind<T>(resource);
      await k.informer.synced;
      return k.list();
    },
    // The caches are fed by watches: nothing to drop.
    invalidate() {},
  };
}

/**
 * A controller that still reconciles everything in one go, under the framework: one key ("*"),
 * enqueued by any change to a kind it watches; its whole pass reads the caches.
 */
export function wholeCluster(
  c: Controller,
  reads: string[],
  relevant: Record<string, (obj: KObject, cache: ClusterCache) => boolean> = {},
): KeyedControllerDef {
  return {
    name: c.name,
    reconciles: '*',
    reads,
    // A change wakes the whole pass only when it can matter to it (`relevant`), so a kind as busy as
    // pods does not make every pod write cost a pass over every pod.
    watches: c.watches.map((resource) => ({
      resource,
      map: (obj, cache) => (relevant[resource] && !relevant[resource](obj, cache) ? [] : ['*']),
    })),
    async reconcile(ctx): Promise<Result> {
      const r = await c.reconcile(ctx);
      if (r.more) return { requeueAfterMs: 0 };
      return r.requeueAfterMs !== undefined ? { requeueAfterMs: r.requeueAfterMs } : undefined;
    },
  };
}

/** Field manager each controller writes with, as kube-controller-manager's do. */
export function managerOf(c: { name: string }): string {
  return `${c.name}-controller`;
}
