// The controller contract: keyed reconcilers that read the leader's caches and write through the API.
import type { KObject } from '../../src/api/types';
import type { KubeClient } from '../../src/client/client';
import type { EventRecorder } from '../../src/client/events';
import type { RateLimiter } from '../shared/rate-limiter';
import type { WriteBudget } from '../shared/budget';
import type { ClusterCache } from '../shared/cache';
import type { KeyedController } from '../shared/controller';

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
  /** k8s: --horizontal-pod-autoscaler-sync-period: how often each HPA is evaluated. */
  hpaSyncPeriodMs: number;
  /** k8s: --node-eviction-rate: NoExecute taints started per second in a healthy zone. */
  nodeEvictionRate: number;
  /** k8s: --secondary-node-eviction-rate: the same in a partially disrupted zone larger than largeClusterSizeThreshold. */
  secondaryNodeEvictionRate: number;
  /** k8s: --unhealthy-zone-threshold: share of not-Ready nodes (more than 2) that makes a zone partially disrupted. */
  unhealthyZoneThreshold: number;
  /** k8s: --large-cluster-size-threshold: a smaller partially disrupted zone starts no evictions at all. */
  largeClusterSizeThreshold: number;
  /** k8s: --terminated-pod-gc-threshold: terminated pods kept before pod GC deletes the oldest (0: never). */
  terminatedPodGCThreshold: number;
  /** Upper bound on writes one controller makes in one pass; the rest waits for the next pass. */
  maxWritesPerPass: number;
  /** Upper bound on events one controller records in one pass; the rest are dropped. */
  maxEventsPerPass: number;
}

export const DEFAULT_CONFIG: ControllerConfig = {
  nodeMonitorGracePeriodMs: 50_000,
  defaultTolerationSeconds: 300,
  hpaSyncPeriodMs: 15_000,
  nodeEvictionRate: 0.1,
  secondaryNodeEvictionRate: 0.01,
  unhealthyZoneThreshold: 0.55,
  largeClusterSizeThreshold: 50,
  terminatedPodGCThreshold: 12_500,
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

/** Field manager each controller writes with, as kube-controller-manager's do. */
export function managerOf(c: { name: string }): string {
  return `${c.name}-controller`;
}
