// The scheduler Worker's bindings.
import type { SchedulerLeader } from './leader';

/** The API Worker's SchedulerApi entrypoint: HTTP, plus events in batches (see src/entrypoints.ts). */
export interface SchedulerApiBinding extends Fetcher {
  /** Creates core/v1 Events as the scheduler; answers each one's HTTP status, in order. */
  createEvents(events: Record<string, unknown>[]): Promise<number[]>;
}

export interface SchedulerEnv {
  /** The API Worker, through its SchedulerApi entrypoint (that binding is the scheduler's identity). */
  API: SchedulerApiBinding;
  LEADER: DurableObjectNamespace<SchedulerLeader>;
  /** "least-allocated" (default, as Kubernetes) or "most-allocated" (bin packing). */
  SCHEDULER_STRATEGY?: string;
}
