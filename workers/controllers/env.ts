// The controllers Worker's bindings and settings.
import type { ControllerLeader } from './leader';

export interface ControllersEnv {
  /** The API Worker, through its ControllersApi entrypoint (that binding is the controllers' identity). */
  API: Fetcher;
  LEADER: DurableObjectNamespace<ControllerLeader>;
  /** node-monitor-grace-period in seconds (50). */
  NODE_MONITOR_GRACE_PERIOD?: string;
  /** Default tolerationSeconds for not-ready/unreachable (300). */
  DEFAULT_TOLERATION_SECONDS?: string;
  /** horizontal-pod-autoscaler-sync-period in seconds (15). */
  HPA_SYNC_PERIOD?: string;
}
