// The API Worker's bindings and variables, as wrangler.toml and the dev CLI provide them.
import type { StoreEnv } from '../storage/store';

export interface Env extends StoreEnv {
  /** Admin bearer token (a Worker secret; generated per state folder by `edgeplane dev`). */
  ADMIN_TOKEN?: string;
  PARTITIONS?: string;
  HISTORY_REVISIONS?: string;
  WATCH_PROGRESS_MS?: string;
  SERVICE_CIDR?: string;
  SERVICE_NODE_PORT_RANGE?: string;
  /** tolerationSeconds of the default not-ready/unreachable tolerations (300). */
  DEFAULT_TOLERATION_SECONDS?: string;
}
