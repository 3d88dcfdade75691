// `edgeplane dev`: a whole local cluster in one command: control plane over https, state, kubeconfig.
import path from 'node:path';
import { int, seconds, str, type Parsed, UsageError } from './args';
import { StateDir } from './state';
import { descendants, recordRun, stopLeftovers } from './processes';
import { kubeconfigYaml, writeKubeconfig } from './kubeconfig';
import { startRuntime } from './runtime';
import {
  startLocalAgents,
  stopLocalAgents,
  stopOrphanedContainers,
  type LocalAgent,
} from './local-agents';
import { createApi } from '../agent/api';
import { createJoinToken } from './token';
import { watchParent } from './parent-watch';

export interface DevConfig {
  port: number;
  runtime: string;
  schedulerStrategy: string;
  nodeMonitorGracePeriod: number;
  defaultTolerationSeconds: number;
  eventTtl: number;
  hpaSyncPeriod: number;
  state: string;
  agents: number;
  partitions: number;
  historyRevisions: number;
  serviceCidr: string;
}

/** Every flag `dev` takes: anything else is a typo, refused before a cluster starts. */
const DEV_FLAGS = new Set([
  'agents',
  'runtime',
  'partitions',
  'scheduler-strategy',
  'node-monitor-grace-period',
  'default-toleration-seconds',
  'event-ttl',
  'horizontal-pod-autoscaler-sync-period',
  'port',
  'state',
  'history-revisions',
  'service-cidr',
]);

export function devConfig(p: Parsed): DevConfig {
  for (const name of p.flags.keys())
    if (!DEV_FLAGS.has(name)) throw new UsageError(`dev: unknown flag --${name}`);
  if (p.positional.length)
    throw new UsageError(`dev: unexpected argument ${JSON.stringify(p.positional[0])}`);
  const agents = int(p, 'agents', 2);
  const runtime = str(p, 'runtime', 'process')!;
  if (!['process', 'podman', 'docker', 'fake'].includes(runtime))
    throw new UsageError('--runtime must be process, podman, docker or fake');
  if (agents > 200) throw new UsageError('--agents: at most 200 local nodes');
  const partitions = int(p, 'partitions', 4);
  if (partitions < 1 || partitions > 64)
    throw new UsageError('--partitions must be between 1 and 64');
  const schedulerStrategy = str(p, 'scheduler-strategy', 'least-allocated')!;
  if (!['least-allocated', 'most-allocated'].includes(schedulerStrategy)) {
    throw new UsageError('--scheduler-strategy must be least-allocated or most-allocated');
  }
  return {
    runtime,
    schedulerStrategy,
    nodeMonitorGracePeriod: seconds(p, 'node-monitor-grace-period', 50),
    defaultTolerationSeconds: seconds(p, 'default-toleration-seconds', 300),
    eventTtl: seconds(p, 'event-ttl', 3600),
    hpaSyncPeriod: seconds(p, 'horizontal-pod-autoscaler-sync-period', 15),
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
  const state = new StateDir(cfg.state);
  const runFile = state.file('run.json');
  const stopped = stopLeftovers(runFile) + stopOrphanedContainers(cfg.state, cfg.agents);
  if (stopped > 0)
    console.error(`edgeplane dev: stopped ${stopped} process(es) left by an earlier run`);
  state.cluster(cfg.partitions);
  const token = state.adminToken();
  const tls = state.tls(cfg.serviceCidr);

  const runtime = await startRuntime({
    host: '127.0.0.1',
    port: cfg.port,
    stateDir: cfg.state,
    certPem: tls.serving.chainPem,
    keyPem: tls.serving.keyPem,
    vars: {
      ADMIN_TOKEN: token,
      PARTITIONS: String(cfg.partitions),
      HISTORY_REVISIONS: String(cfg.historyRevisions),
      SERVICE_CIDR: cfg.serviceCidr,
      WATCH_PROGRESS_MS: '1000',
      DEFAULT_TOLERATION_SECONDS: String(cfg.defaultTolerationSeconds),
      EVENT_TTL: String(cfg.eventTtl),
    },
    schedulerVars: { SCHEDULER_STRATEGY: cfg.schedulerStrategy },
    controllerVars: {
      NODE_MONITOR_GRACE_PERIOD: String(cfg.nodeMonitorGracePeriod),
      DEFAULT_TOLERATION_SECONDS: String(cfg.defaultTolerationSeconds),
      HPA_SYNC_PERIOD: String(cfg.hpaSyncPeriod),
    },
  });
  const port = Number(runtime.url.port);
  const server = `https://127.0.0.1:${port}`;
  const kubeconfig = state.file('kubeconfig');
  writeKubeconfig(kubeconfig, kubeconfigYaml({ server, token, caPem: tls.certPem }));

  let agents: LocalAgent[] = [];
  if (cfg.agents > 0) {
    const api = createApi({ server, token, caPem: tls.certPem, userAgent: 'edgeplane-dev' });
    const joinToken = await createJoinToken(api.client, 3600, tls.certPem).finally(() =>
      api.close(),
    );
    agents = startLocalAgents({
      count: cfg.agents,
      runtime: cfg.runtime,
      server,
      joinToken,
      stateDir: cfg.state,
      log: (m) => console.error(m),
    });
  }
  recordRun(runFile, descendants(process.pid));

  let stopping = false;
  const stop = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    console.error(`edgeplane dev: ${signal}, stopping`);
    await stopLocalAgents(agents);
    // Containers of a local node whose agent already died (killed on its own) are stopped too.
    stopOrphanedContainers(cfg.state, 0);
    await runtime.stop().catch(() => undefined);
    stopLeftovers(runFile);
    process.exit(code);
  };
  // Miniflare installs signal handlers that exit at once; ours stop the agents first, then Miniflare.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(sig);
    process.on(sig, () => void stop(sig));
  }
  // The launcher (or whoever started us) died without passing a signal on, e.g. SIGKILLed: stop too.
  watchParent((old) => void stop(`parent process ${old} exited`));

  try {
    await Promise.all(agents.map((a) => a.ready));
  } catch (e) {
    console.error(`edgeplane dev: ${(e as Error).message}`);
    await stop('a local node failed to start', 1);
    return;
  }
  recordRun(runFile, descendants(process.pid));
  const nodes = agents.length
    ? `, ${agents.length} local node(s) (${cfg.runtime}): ${agents.map((a) => `${a.name} ${a.address}`).join(', ')}`
    : '';
  console.log(
    `edgeplane dev: ready at ${server}${nodes} (state ${cfg.state}); use it with: export KUBECONFIG=${kubeconfig}`,
  );
}
