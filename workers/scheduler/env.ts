// The scheduler Worker's bindings.
import type { SchedulerLeader } from './leader';

export interface SchedulerEnv {
  /** The API Worker, through its SchedulerApi entrypoint (that binding is the scheduler's identity). */
  API: Fetcher;
  LEADER: DurableObjectNamespace<SchedulerLeader>;
  /** "least-allocated" (default, as Kubernetes) or "most-allocated" (bin packing). */
  SCHEDULER_STRATEGY?: string;
}
