// `edgeplane agent`: join a cluster as one node (or N simulated ones) and run the pods bound to it until SIGTERM.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAgent, type AgentConfig, type RuntimeName } from '../agent/agent';
import { parseJoinToken, resolveCredentials, type Credentials } from '../agent/join';
import {
  addressSlot,
  defaultPodCidr,
  slotAddress,
  slotPodCidr,
  MAX_LOCAL_SLOTS,
} from '../agent/network';
import { parseQuantity } from '../lib/quantity';
import { parseFakeLoad, type FakeLoad } from '../agent/metrics/fake-collector';
import {
  DEFAULT_EVICTION_HARD,
  DEFAULT_PRESSURE_TRANSITION_MS,
  parseThresholds,
  type EvictionConfig,
} from '../agent/eviction/thresholds';
import { int, seconds, str, UsageError, type Parsed } from './args';
import { watchParent } from './parent-watch';

export const AGENT_USAGE = `  agent    join a cluster as a node and run the pods bound to it
           --server URL  --token TOKEN (a join token, or a bearer credential; or the
           environment variable EDGEPLANE_AGENT_TOKEN, which ps does not show)  --name NODE
           --runtime process|podman|docker|fake  --address IP  --cpu N  --memory SIZE
           --labels k=v,...  --pod-cidr CIDR  --ca-file F | --insecure-skip-tls-verify
           --state DIR (~/.edgeplane/agent/NODE)  --stop-pods-on-exit  --verbose
           --metrics-interval 15s (CPU and memory reports for kubectl top and autoscaling)
           --cluster-dns HOST:PORT|off (podman: 127.0.0.1:53, reached from pods as 10.0.2.2;
           docker: off)  --cluster-dns-pod-address IP  --cluster-domain cluster.local
           --cluster-dns-upstream IP[:PORT],... (default $EDGEPLANE_CLUSTER_DNS_UPSTREAM, else
           /etc/resolv.conf)
           simulated nodes: --runtime fake --nodes N --name-prefix P (address from --address, 127.0.1.1)
           --fake-load cpu=1m,memory=4Mi (each simulated container's use, unless its pod's
           edgeplane.dev/fake-cpu and edgeplane.dev/fake-memory annotations say otherwise)
           eviction (kubelet's): --eviction-hard memory.available<100Mi (or 10%; none: off)
           --eviction-soft memory.available<300Mi --eviction-soft-grace-period memory.available=1m
           --eviction-pressure-transition-period 5m (MemoryPressure stays this long after pressure)
`;

/** Flags that take no value: the dispatcher passes these to parseArgs. */
export const AGENT_BOOLEANS = ['insecure-skip-tls-verify', 'stop-pods-on-exit', 'verbose'];

const RUNTIMES: RuntimeName[] = ['process', 'podman', 'docker', 'fake'];

function labels(p: Parsed): Record<string, string> {
  const raw = str(p, 'labels');
  if (!raw) return {};
  const out: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new UsageError(
        `--labels takes key=value pairs separated by commas, got ${JSON.stringify(pair)}`,
      );
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

function quantity(p: Parsed, name: string): string | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  try {
    if (parseQuantity(v).sign() <= 0) throw new Error('not positive');
  } catch {
    throw new UsageError(
      `--${name} must be a positive quantity like 4, 500m, 8Gi or 512Mi, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/** The machine's first non-internal IPv4 address, as kubelet picks a node IP when none is given. */
function hostAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function agentConfig(
  p: Parsed,
  log: (m: string) => void,
): Omit<AgentConfig, 'token' | 'tls'> & { rawToken?: string; caFile?: string; insecure: boolean } {
  const server = str(p, 'server');
  if (!server) throw new UsageError('agent needs --server URL (the cluster API, https://...)');
  if (!/^https:\/\//.test(server))
    throw new UsageError(`--server must be an https:// URL, got ${JSON.stringify(server)}`);
  const runtime = (str(p, 'runtime') ?? 'podman') as RuntimeName;
  if (!RUNTIMES.includes(runtime))
    throw new UsageError(`--runtime must be one of ${RUNTIMES.join(', ')}`);
  const count = int(p, 'nodes', 1);
  if (count < 1) throw new UsageError('--nodes must be at least 1');
  if (count > 1 && runtime !== 'fake')
    throw new UsageError('--nodes above 1 needs --runtime fake (simulated nodes)');
  const common = { labels: labels(p), cpu: quantity(p, 'cpu'), memory: quantity(p, 'memory') };
  let nodes: AgentConfig['nodes'];
  const podCidrFlag = str(p, 'pod-cidr');
  const prefix = str(p, 'name-prefix');
  if (prefix !== undefined || count > 1) {
    if (!prefix)
      throw new UsageError('--nodes needs --name-prefix P (nodes are named P1, P2, ...)');
    const first = addressSlot(str(p, 'address') ?? '127.0.1.1');
    if (first === undefined)
      throw new UsageError(
        'simulated nodes take their addresses from --address, which must be 127.0.x.y',
      );
    if (first + count > MAX_LOCAL_SLOTS)
      throw new UsageError(
        `--nodes ${count} from --address ${slotAddress(first)} runs past 127.0.15.255, the last local pod range`,
      );
    nodes = Array.from({ length: count }, (_, i) => ({
      name: `${prefix}${i + 1}`,
      address: slotAddress(first + i),
      podCidr: slotPodCidr(first + i),
      ...common,
    }));
  } else {
    const name = str(p, 'name');
    if (!name)
      throw new UsageError(
        'agent needs --name NODE (or --nodes N --name-prefix P with --runtime fake)',
      );
    const address = str(p, 'address') ?? hostAddress();
    nodes = [{ name, address, podCidr: podCidrFlag ?? defaultPodCidr(address), ...common }];
  }
  const caFile = str(p, 'ca-file');
  const insecure =
    p.flags.get('insecure-skip-tls-verify') === true ||
    p.flags.get('insecure-skip-tls-verify') === 'true';
  if (caFile && insecure)
    throw new UsageError('--ca-file and --insecure-skip-tls-verify exclude each other');
  const stateDir = path.resolve(
    str(p, 'state') ??
      path.join(os.homedir(), '.edgeplane', 'agent', nodes.length > 1 ? prefix! : nodes[0].name),
  );
  const stop = p.flags.get('stop-pods-on-exit');
  const verbose = p.flags.get('verbose') === true || p.flags.get('verbose') === 'true';
  return {
    server: server.replace(/\/+$/, ''),
    runtime,
    nodes,
    stateDir,
    stopPodsOnExit: stop === true || stop === 'true',
    log,
    debug: verbose ? (m: string) => log(`${new Date().toISOString()} ${m}`) : undefined,
    statusReportMs: seconds(p, 'status-report-interval', 300) * 1000,
    metricsIntervalMs: metricsInterval(p),
    clusterDns: clusterDns(p, runtime),
    fakeLoad: fakeLoad(p),
    eviction: eviction(p),
    // The environment is readable only by the agent's own user; a command line is readable by all.
    rawToken: str(p, 'token') ?? (process.env.EDGEPLANE_AGENT_TOKEN || undefined),
    caFile,
    insecure,
  };
}

/**
 * The node's cluster DNS. podman's slirp4netns sandboxes reach the host's 127.0.0.1 only, as
 * 10.0.2.2, and a resolv.conf names no port: so 127.0.0.1:53 by default. Docker's bridge needs an
 * address on the bridge: off unless given. Process pods cannot be pointed at it at all.
 */
function clusterDns(p: Parsed, runtime: RuntimeName): AgentConfig['clusterDns'] {
  const podman = runtime === 'podman';
  const listen = str(p, 'cluster-dns') ?? (podman ? '127.0.0.1:53' : 'off');
  if (listen === 'off' || runtime === 'process' || runtime === 'fake') return undefined;
  const podAddress =
    str(p, 'cluster-dns-pod-address') ?? (podman ? '10.0.2.2' : listen.replace(/:\d+$/, ''));
  const upstream = str(p, 'cluster-dns-upstream') ?? process.env.EDGEPLANE_CLUSTER_DNS_UPSTREAM;
  return {
    listen,
    podAddress,
    upstreams: upstream
      ? upstream
          .split(',')
          .map((u) => u.trim())
          .filter(Boolean)
      : undefined,
    domain: str(p, 'cluster-domain') ?? 'cluster.local',
  };
}

function metricsInterval(p: Parsed): number {
  const ms = seconds(p, 'metrics-interval', 15) * 1000;
  if (ms < 1000) throw new UsageError('--metrics-interval must be at least 1s');
  return ms;
}

/** kubelet's eviction flags, for memory.available (the one signal the agent measures). */
function eviction(p: Parsed): EvictionConfig {
  const hard = str(p, 'eviction-hard') ?? DEFAULT_EVICTION_HARD;
  let thresholds;
  try {
    thresholds = parseThresholds(
      hard === 'none' ? '' : hard,
      str(p, 'eviction-soft') ?? '',
      str(p, 'eviction-soft-grace-period') ?? '',
    );
  } catch (err) {
    throw new UsageError(
      `--eviction-hard/--eviction-soft: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return {
    thresholds,
    pressureTransitionMs:
      seconds(p, 'eviction-pressure-transition-period', DEFAULT_PRESSURE_TRANSITION_MS / 1000) *
      1000,
  };
}

function fakeLoad(p: Parsed): FakeLoad | undefined {
  const v = str(p, 'fake-load');
  if (v === undefined) return undefined;
  try {
    return parseFakeLoad(v);
  } catch (err) {
    throw new UsageError(
      `--fake-load takes cpu=QUANTITY,memory=QUANTITY, got ${JSON.stringify(v)}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/**
 * Simulated nodes joined with a join token (or re-started from kept credentials) each join under their
 * own name and keep their own credential in <state>/nodes/NAME: a node credential may write only its
 * own node. With a bearer credential (the admin token) all nodes share it, as before.
 */
function nodeStateDir(cfg: ReturnType<typeof agentConfig>, i: number): string {
  return cfg.nodes.length > 1 ? path.join(cfg.stateDir, 'nodes', cfg.nodes[i].name) : cfg.stateDir;
}

async function joinSimulatedNodes(
  cfg: ReturnType<typeof agentConfig>,
  first: Credentials,
  log: (m: string) => void,
): Promise<Map<string, string> | undefined> {
  if (cfg.nodes.length === 1 || (cfg.rawToken && !parseJoinToken(cfg.rawToken))) return undefined;
  const tokens = new Map([[cfg.nodes[0].name, first.token]]);
  // The first join settled how to trust the server (its pinned CA): the others reuse it.
  for (let i = 1; i < cfg.nodes.length; i++) {
    const c = await resolveCredentials({
      server: cfg.server,
      token: cfg.rawToken,
      nodeName: cfg.nodes[i].name,
      stateDir: nodeStateDir(cfg, i),
      tls: first.tls,
      log,
    });
    tokens.set(cfg.nodes[i].name, c.token);
  }
  return tokens;
}

/** Node's "self-signed certificate ... --use-system-ca" is no help here: say which flag trusts the cluster. */
function untrustedHint(err: unknown, cfg: ReturnType<typeof agentConfig>): unknown {
  const message = err instanceof Error ? err.message : String(err);
  if (
    cfg.caFile ||
    cfg.insecure ||
    !/self[- ]signed|unable to (verify|get local issuer)|certificate/i.test(message)
  )
    return err;
  return new Error(
    `${cfg.server} presents a certificate this machine does not trust (${message}): pass --ca-file with the cluster's CA ` +
      '(edgeplane dev: <state>/tls/server.crt), or join with a join token (edgeplane token create), which pins it',
  );
}

/** Runs until SIGTERM or SIGINT, then stops its loops (and its pods with --stop-pods-on-exit) and exits 0. */
export async function runAgent(p: Parsed): Promise<void> {
  const log = (m: string) => console.error(`edgeplane agent: ${m}`);
  const cfg = agentConfig(p, log);
  fs.mkdirSync(cfg.stateDir, { recursive: true, mode: 0o700 });
  if (cfg.caFile && !fs.existsSync(cfg.caFile))
    throw new UsageError(`--ca-file ${cfg.caFile} does not exist`);
  const tls = {
    caPem: cfg.caFile ? fs.readFileSync(cfg.caFile, 'utf8') : undefined,
    insecureSkipVerify: cfg.insecure,
  };
  const cred = await resolveCredentials({
    server: cfg.server,
    token: cfg.rawToken,
    nodeName: cfg.nodes[0].name,
    stateDir: nodeStateDir(cfg, 0),
    tls,
    log,
  });
  const nodeTokens = await joinSimulatedNodes(cfg, cred, log);
  const agent = await startAgent({ ...cfg, token: cred.token, tls: cred.tls, nodeTokens }).catch(
    (err: unknown) => {
      throw untrustedHint(err, cfg);
    },
  );
  const names = agent.nodes.map((n) => n.identity.name);
  console.log(
    `edgeplane agent: ${names.length === 1 ? `node ${names[0]}` : `${names.length} nodes`} ready (runtime ${cfg.runtime}, state ${cfg.stateDir})`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(
      `${signal}, stopping${cfg.stopPodsOnExit ? ' and stopping pods' : '; pods keep running and are adopted on the next start'}`,
    );
    await agent
      .stop()
      .catch((err: unknown) => log(`stop: ${err instanceof Error ? err.message : String(err)}`));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Our parent (the launcher, or `edgeplane dev` for its local nodes) died without signalling us.
  watchParent((old) => void stop(`parent process ${old} exited`));
}
