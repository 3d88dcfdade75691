// One controller's context for one pass: its own bounded client, budget and event recorder.
import { createRecorder } from '../../src/client/events';
import { loopClient } from '../shared/api-client';
import { boundedRecorder, budgetedTransport, WriteBudget } from '../shared/budget';
import type { ClusterCache } from '../shared/cache';
import type { RateLimiter } from '../shared/rate-limiter';
import {
  cacheSnapshot,
  managerOf,
  type ControllerConfig,
  type ControllerContext,
  type KeyedContext,
  type Snapshot,
} from './framework';

export interface PassShared {
  config: ControllerConfig;
  snapshot: Snapshot;
  backoff?: RateLimiter;
  now?: () => number;
  onRequest?: (request: Request) => void;
}

/**
 * Each controller writes through its own budget: its writes and events together never pass
 * maxWritesPerPass + maxEventsPerPass in one pass, whatever its own accounting says, and every
 * request is bounded in time. Events go under the controller's upstream name, as
 * kube-controller-manager's do ("deployment-controller", "replicaset-controller", ...).
 */
export function controllerContext(
  api: { fetch(request: Request): Promise<Response> },
  controller: { name: string },
  shared: PassShared,
): ControllerContext {
  const { config } = shared;
  const budget = new WriteBudget(config.maxWritesPerPass + config.maxEventsPerPass);
  const client = loopClient(api, {
    userAgent: 'edgeplane-controller-manager',
    onRequest: shared.onRequest,
    wrap: (t) => budgetedTransport(t, budget),
  });
  const recorder = boundedRecorder(
    createRecorder(client, { component: managerOf(controller) }),
    config.maxEventsPerPass,
  );
  return {
    client,
    snapshot: shared.snapshot,
    config,
    now: shared.now ?? (() => Date.now()),
    recorder,
    backoff: shared.backoff,
  };
}

/** The same, for the framework: reads from the leader's caches, the controller's write budget for the pass. */
export function keyedContext(
  api: { fetch(request: Request): Promise<Response> },
  controller: { name: string },
  shared: Omit<PassShared, 'snapshot'> & { cache: ClusterCache },
): KeyedContext {
  const ctx = controllerContext(api, controller, {
    ...shared,
    snapshot: cacheSnapshot(shared.cache),
  });
  return { ...ctx, cache: shared.cache, budget: new WriteBudget(shared.config.maxWritesPerPass) };
}
