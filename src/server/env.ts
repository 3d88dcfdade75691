// The API Worker's bindings and variables, as wrangler.toml and the dev CLI provide them.
import type { StoreEnv } from '../storage/store';
import type { User } from './auth/authenticate';
import type { LogStore } from '../storage/log-store';
import type { WakeKey } from '../api/wake';
import type { NodeTunnel } from '../tunnel/node-tunnel';
import type { MetricsShard } from './metrics/shard';

/** What the API needs of the scheduler and controllers Workers: a wake-up call naming the objects written. */
export interface LoopService {
  wake(keys: WakeKey[]): Promise<void>;
}

export interface Env extends StoreEnv {
  LOGS: DurableObjectNamespace<LogStore>;
  /** One per node: the agent's tunnel, through which exec, attach and port-forward reach its pods. */
  NODE_TUNNEL: DurableObjectNamespace<NodeTunnel>;
  /** The latest CPU and memory sample of each node (metrics.k8s.io), nodes hashed over PARTITIONS. */
  METRICS: DurableObjectNamespace<MetricsShard>;
  /** Admin bearer token (a Worker secret; generated per state folder by `edgeplane dev`). */
  ADMIN_TOKEN?: string;
  PARTITIONS?: string;
  HISTORY_REVISIONS?: string;
  WATCH_PROGRESS_MS?: string;
  SERVICE_CIDR?: string;
  /** "ip:port" the API serves on, for the `kubernetes` Service's endpoints (`edgeplane dev` sets it). */
  ADVERTISE_ADDRESS?: string;
  SERVICE_NODE_PORT_RANGE?: string;
  /** tolerationSeconds of the default not-ready/unreachable tolerations (300). */
  DEFAULT_TOLERATION_SECONDS?: string;
  /** Dashboard session: idle timeout (1800), absolute lifetime (43200), sealing key rotation (86400). */
  UI_SESSION_IDLE_SECONDS?: string;
  UI_SESSION_MAX_SECONDS?: string;
  UI_SESSION_KEY_ROTATION_SECONDS?: string;
  SCHEDULER?: LoopService;
  CONTROLLERS?: LoopService;
  /** Set only by the named entrypoints (src/entrypoints.ts): the caller's identity. */
  IDENTITY?: User;
}
