// `edgeplane dev`: a whole local cluster in one command: control plane over https, state, kubeconfig.
import path from 'node:path';
import { int, seconds, str, type Parsed, UsageError } from './args';
import { StateDir } from './state';
import { descendants, recordRun, stopLeftovers } from './processes';
import { kubeconfigYaml, writeKubeconfig } from './kubeconfig';
import { startRuntime } from './runtime';

export interface DevConfig {
  port: number;
  schedulerStrategy: string;
  nodeMonitorGracePeriod: number;
  defaultTolerationSeconds: number;
  eventTtl: number;
  state: string;
  agents: number;
  partitions: number;
  historyRevisions: number;
  serviceCidr: string;
}

export function devConfig(p: Parsed): DevConfig {
  const agents = int(p, 'agents', 0);
  const partitions = int(p, 'partitions', 4);
  if (partitions < 1 || partitions > 64) throw new UsageError('--partitions must be between 1 and 64');
  const schedulerStrategy = str(p, 'scheduler-strategy', 'least-allocated')!;
  if (!['least-allocated', 'most-allocated'].includes(schedulerStrategy)) {
    throw new UsageError('--scheduler-strategy must be least-allocated or most-allocated');
  }
  return {
    schedulerStrategy,
    nodeMonitorGracePeriod: seconds(p, 'node-monitor-grace-period', 50),
    defaultTolerationSeconds: seconds(p, 'default-toleration-seconds', 300),
    eventTtl: seconds(p, 'event-ttl', 3600),
    port: int(p, 'port', 8787),
    state: path.resolve(str(p, 'state', '.edgeplane')!),
    agents,
    partitions,
    historyRevisions: int(p, 'history-revisions', 10_000),
    serviceCidr: str(p, 'service-cidr', '127.96.0.0/16')!,
  };
}

export async function runDev(p: Parsed): Promise<void> {
  const cfg = devConfig(p);
  if (cfg.agents > 0) {
    throw new UsageError('--agents: local nodes arrive with the node agent; use --agents 0 for now');
  }
  const state = new StateDir(cfg.state);
  const runFile = state.file('run.json');
  const stopped = stopLeftovers(runFile);
  if (stopped > 0) console.error(`edgeplane dev: stopped ${stopped} process(es) left by an earlier run`);
  state.cluster(cfg.partitions);
  const token = state.adminToken();
  const tls = state.tls();

  const runtime = await startRuntime({
    host: '127.0.0.1',
    port: cfg.port,
    stateDir: cfg.state,
    certPem: tls.certPem,
    keyPem: tls.keyPem,
    vars: {
      ADMIN_TOKEN: token,
      PARTITIONS: String(cfg.partitions),
      HISTORY_REVISIONS: String(cfg.historyRevisions),
      SERVICE_CIDR: cfg.serviceCidr,
      WATCH_PROGRESS_MS: '1000',
      DEFAULT_TOLERATION_SECONDS: String(cfg.defaultTolerationSeconds),
    },
    schedulerVars: { SCHEDULER_STRATEGY: cfg.schedulerStrategy },
    controllerVars: {
      NODE_MONITOR_GRACE_PERIOD: String(cfg.nodeMonitorGracePeriod),
      DEFAULT_TOLERATION_SECONDS: String(cfg.defaultTolerationSeconds),
      EVENT_TTL: String(cfg.eventTtl),
    },
  });
  recordRun(runFile, descendants(process.pid));

  const port = Number(runtime.url.port);
  const server = `https://127.0.0.1:${port}`;
  const kubeconfig = state.file('kubeconfig');
  writeKubeconfig(kubeconfig, kubeconfigYaml({ server, token, caPem: tls.certPem }));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`edgeplane dev: ${signal}, stopping`);
    await runtime.stop().catch(() => undefined);
    stopLeftovers(runFile);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));

  console.log(`edgeplane dev: ready at ${server} (state ${cfg.state}); use it with: export KUBECONFIG=${kubeconfig}`);
}
