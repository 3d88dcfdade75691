// What node agents report about CPU and memory use, and the metrics.k8s.io/v1beta1 kinds served from it.
// k8s: staging/src/k8s.io/metrics/pkg/apis/metrics/v1beta1/types.go (NodeMetrics, PodMetrics).

/** One container's use over the last window: CPU in nanocores, memory (working set) in bytes. */
export interface ContainerUsage {
  name: string;
  cpu: number;
  memory: number;
}

export interface PodUsage {
  namespace: string;
  name: string;
  uid: string;
  labels?: Record<string, string>;
  containers: ContainerUsage[];
}

/** One node's sample: the node's own use, and every running pod's, measured at `timestamp` (epoch ms). */
export interface NodeUsage {
  node: string;
  labels?: Record<string, string>;
  timestamp: number;
  /** The window the CPU rate was measured over, in seconds (metrics-server's `window`). */
  windowSeconds: number;
  cpu: number;
  memory: number;
  pods: PodUsage[];
}

/** One POST from an agent: the nodes it runs that share its credential (many simulated nodes in one). */
export interface MetricsReport {
  nodes: NodeUsage[];
}

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
export const METRICS_API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;
/** Where agents POST their reports. */
export const METRICS_INGEST_PATH = '/edgeplane/v1/metrics';
/** Agents report this often unless told otherwise (metrics-server's default resolution). */
export const DEFAULT_METRICS_INTERVAL_MS = 15_000;
