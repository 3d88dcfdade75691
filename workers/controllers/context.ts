// One controller's context for one pass: its own bounded client, budget and event recorder.
import { createRecorder } from '../../src/client/events';
import { loopClient } from '../shared/api-client';
import { boundedRecorder, budgetedTransport, WriteBudget } from '../shared/budget';
import type { RateLimiter } from '../shared/rate-limiter';
import { managerOf, type ControllerConfig, type ControllerContext, type Snapshot } from './framework';

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
export function controllerContext(api: { fetch(request: Request): Promise<Response> }, controller: { name: string }, shared: PassShared): ControllerContext {
  const { config } = shared;
  const budget = new WriteBudget(config.maxWritesPerPass + config.maxEventsPerPass);
  const client = loopClient(api, { userAgent: 'edgeplane-controller-manager', onRequest: shared.onRequest, wrap: (t) => budgetedTransport(t, budget) });
  const recorder = boundedRecorder(createRecorder(client, { component: managerOf(controller) }), config.maxEventsPerPass);
  return { client, snapshot: shared.snapshot, config, now: shared.now ?? (() => Date.now()), recorder, backoff: shared.backoff };
}
