// The agent's service proxy (kube-proxy in userspace): watches Services and EndpointSlices and keeps one TCP listener per Service port.
// k8s: pkg/proxy/config/config.go (informer handlers), pkg/proxy/iptables/proxier.go syncProxyRules (full resync per change)
import type { KubeClient } from '../../client/client';
import { Informer } from '../../client/informer';
import { HostLock, probeReusePort, type SharingMode } from './host-sharing';
import { ListenerSet, type ListenerStatus } from './listener-set';
import { computeRules, type ListenerRule, type SkippedPort } from './rules';
import { SERVICE_NAME_LABEL, type EndpointSlice, type Service } from './types';

export interface ServiceProxyOptions {
  client: KubeClient;
  nodeName: string;
  /** This node's own address: NodePorts listen here only, so nodes sharing a host never collide on them. */
  nodeAddress: string;
  log?: (message: string) => void;
  /** 'auto' (default) uses SO_REUSEPORT when a probe shows it works, else the host lock. */
  sharing?: 'auto' | SharingMode;
  /** The host lock of the fallback path; default one file under os.tmpdir(). */
  lockFile?: string;
  /** Events within this window are applied in one resync (default 50 ms, at most 100). */
  debounceMs?: number;
}

export type { ListenerStatus } from './listener-set';

export interface ProxyRules {
  /** How ClusterIP listeners are shared with the other agents on this host; undefined until decided. */
  sharing?: SharingMode;
  /** False when the host lock belongs to another agent, which then serves every ClusterIP here. */
  servesClusterIPs: boolean;
  listeners: ListenerStatus[];
  skipped: SkippedPort[];
}

/** The proxy's Services and EndpointSlices (headless ones too), for the node's cluster DNS. */
export interface ServiceFeed {
  services(): Iterable<Service>;
  slices(): Iterable<EndpointSlice>;
  /** Called after any change to either. */
  onChange(fn: () => void): void;
}

export interface ServiceProxy {
  /** Resolves once both caches are synced and the first rules are applied (never rejects). */
  ready: Promise<void>;
  /** The watches' contents, shared so the cluster DNS opens no watch of its own. */
  feed: ServiceFeed;
  /** Closes every listener and cuts its connections; stops the watches. */
  stop(): Promise<void>;
  rules(): ProxyRules;
  /**
   * The `kubernetes` Service's ClusterIP and port when pods on this host can reach the API through
   * it: it has endpoints and its listener is bound (here, or by the agent holding the host lock).
   * Undefined otherwise (no endpoints: a hosted API behind a hostname; the bind refused: port 443
   * needs root or a lower net.ipv4.ip_unprivileged_port_start); pods then get the API's URL.
   * Waits for the first rules, at most `waitMs`.
   */
  kubernetesService(waitMs?: number): Promise<KubernetesService | undefined>;
}

export interface KubernetesService {
  host: string;
  port: number;
}

/** The Service in-cluster clients find through KUBERNETES_SERVICE_HOST/PORT. */
const KUBERNETES = 'default/kubernetes';

// kube-proxy's own selector: Services owned by another proxy, and headless ones, are not ours.
// k8s: cmd/kube-proxy/app/server.go (noProxyName, noHeadlessEndpoints)
const NOT_OURS = '!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless';
// The slices of headless Services are watched too, for the cluster DNS; headless Services have no
// ClusterIP, so computeRules gives them no listener.
const SLICES = `${SERVICE_NAME_LABEL},!service.kubernetes.io/service-proxy-name`;
const LOCK_CHECK_MS = 2000;

class Proxy implements ServiceProxy {
  readonly ready: Promise<void>;
  private readonly log: (message: string) => void;
  private readonly services: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly listeners: ListenerSet;
  private reported = new Set<string>();
  private readonly debounceMs: number;
  private sharing?: SharingMode;
  private lock?: HostLock;
  private lockTimer?: NodeJS.Timeout;
  private servesClusterIPs = false;
  private initialized = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private dirty = false;
  private lastSkipped: SkippedPort[] = [];
  private lastRules: ListenerRule[] = [];
  private kubernetesReported?: string;
  private stopSignal!: () => void;
  private readonly whenStopped = new Promise<void>((resolve) => (this.stopSignal = resolve));
  readonly feed: ServiceFeed;

  constructor(private readonly opts: ServiceProxyOptions) {
    const log = opts.log ?? (() => {});
    this.log = (m) => log(`proxy: ${m}`);
    this.debounceMs = Math.min(opts.debounceMs ?? 50, 100);
    this.listeners = new ListenerSet({
      log: this.log,
      reusePort: () => this.sharing === 'reusePort',
    });
    const informerOpts = (what: string) => ({
      backoffMaxMs: 30_000,
      onError: (err: unknown) =>
        this.log(`watch ${what}: ${err instanceof Error ? err.message : String(err)}`),
    });
    this.services = new Informer<Service>(opts.client, 'services', {
      labelSelector: NOT_OURS,
      ...informerOpts('services'),
    });
    this.slices = new Informer<EndpointSlice>(opts.client, 'endpointslices.discovery.k8s.io', {
      labelSelector: SLICES,
      ...informerOpts('endpointslices'),
    });
    for (const informer of [this.services, this.slices] as Informer[])
      informer.onEvent(() => this.schedule());
    this.feed = {
      services: () => this.services.store.values(),
      slices: () => this.slices.store.values(),
      onChange: (fn) => {
        for (const informer of [this.services, this.slices] as Informer[]) informer.onEvent(fn);
      },
    };
    this.ready = this.init();
  }

  private async init(): Promise<void> {
    this.services.start();
    this.slices.start();
    await this.decideSharing();
    // Like kube-proxy, no rule is written before both caches hold a full list: a Service seen
    // before its slices would otherwise reset every connection for a moment.
    await Promise.race([Promise.all([this.services.synced, this.slices.synced]), this.whenStopped]);
    if (this.stopped) return;
    this.initialized = true;
    await this.run();
  }

  private async decideSharing(): Promise<void> {
    const wanted = this.opts.sharing ?? 'auto';
    const works = wanted === 'lock' ? false : await probeReusePort();
    if (this.stopped) return;
    if (works) {
      this.sharing = 'reusePort';
      this.servesClusterIPs = true;
      this.log(
        'ClusterIP listeners bind with SO_REUSEPORT: every agent on this host serves them and the kernel spreads connections',
      );
      return;
    }
    if (wanted === 'reusePort')
      this.log(
        `SO_REUSEPORT does not work here (Node ${process.version}, ${process.platform}); using the host lock instead`,
      );
    this.sharing = 'lock';
    this.lock = new HostLock(this.opts.lockFile);
    this.checkLock();
    this.lockTimer = setInterval(() => this.checkLock(), LOCK_CHECK_MS);
    this.lockTimer.unref();
  }

  /** The fallback path: ClusterIPs are served only while this proxy owns the host lock. */
  private checkLock(): void {
    if (!this.lock || this.stopped) return;
    const owns = this.lock.acquire();
    if (owns === this.servesClusterIPs) return;
    this.servesClusterIPs = owns;
    this.log(
      owns
        ? `no SO_REUSEPORT: this agent owns the host lock ${this.lock.file} and serves every ClusterIP on this host`
        : `no SO_REUSEPORT: another agent owns the host lock ${this.lock.file} and serves the ClusterIPs; this one serves its NodePorts only`,
    );
    this.schedule();
  }

  // k8s: pkg/util/async/bounded_frequency_runner.go: events in one window become one resync.
  private schedule(): void {
    if (!this.initialized || this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.debounceMs);
  }

  private run(): Promise<void> {
    if (this.running) {
      this.dirty = true;
      return this.running;
    }
    const loop = async () => {
      try {
        do {
          this.dirty = false;
          await this.sync();
        } while (this.dirty && !this.stopped);
      } catch (err) {
        this.log(`sync failed: ${err instanceof Error ? err.stack : String(err)}`);
      } finally {
        // Cleared in the same turn as the last dirty check, so no event can slip between the two.
        this.running = undefined;
      }
    };
    this.running = loop();
    return this.running;
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const { listeners, skipped } = computeRules(
      this.services.store.values(),
      this.slices.store.values(),
      {
        nodeName: this.opts.nodeName,
        nodeAddress: this.opts.nodeAddress,
      },
    );
    this.lastSkipped = skipped;
    this.lastRules = listeners;
    this.reportNew(skipMessages(skipped));
    await this.listeners.apply(listeners.filter((rule) => !rule.shared || this.servesClusterIPs));
    this.reportKubernetes();
  }

  /** The kubernetes Service's rule, and why pods cannot use it (undefined: they can). */
  private kubernetesState(): { rule?: ListenerRule; problem?: string } {
    const rule = this.lastRules.find((r) => r.service === KUBERNETES && r.kind === 'ClusterIP');
    if (!rule) return { problem: 'the default/kubernetes Service has no ClusterIP served here' };
    if (rule.backends.length === 0)
      return { rule, problem: 'the default/kubernetes Service has no endpoints' };
    if (!this.servesClusterIPs) return { rule }; // the host lock's owner serves it
    const status = this.listeners.status().find((l) => l.key === rule.key);
    if (!status?.listening)
      return { rule, problem: status?.error ?? `${rule.key} is not bound yet` };
    return { rule };
  }

  /** Logged once per change: whether pods reach the API through the Service or directly. */
  private reportKubernetes(): void {
    const { rule, problem } = this.kubernetesState();
    const message = problem
      ? `pods get the API's own URL in KUBERNETES_SERVICE_HOST/PORT, not the kubernetes Service: ${problem}`
      : `pods reach the API through the kubernetes Service at ${rule!.key}`;
    if (message === this.kubernetesReported) return;
    this.kubernetesReported = message;
    this.log(message);
  }

  async kubernetesService(waitMs = 5000): Promise<KubernetesService | undefined> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.ready,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs))),
    ]);
    clearTimeout(timer);
    const { rule, problem } = this.kubernetesState();
    return rule && !problem ? { host: rule.host, port: rule.port } : undefined;
  }

  /** Each problem is logged once while it lasts; one that goes away and comes back is logged again. */
  private reportNew(messages: string[]): void {
    for (const m of messages) if (!this.reported.has(m)) this.log(m);
    this.reported = new Set(messages);
  }

  rules(): ProxyRules {
    return {
      sharing: this.sharing,
      servesClusterIPs: this.servesClusterIPs,
      listeners: this.listeners.status(),
      skipped: this.lastSkipped,
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopSignal();
    this.services.stop();
    this.slices.stop();
    if (this.timer) clearTimeout(this.timer);
    if (this.lockTimer) clearInterval(this.lockTimer);
    await this.running;
    await this.listeners.close();
    this.lock?.release();
  }
}

/**
 * One line per skipped port, except ClusterIPs outside 127.0.0.0/8: a cluster whose service range
 * is not on loopback has every ClusterIP there, so that gets one summary line, not one per service.
 */
function skipMessages(skipped: SkippedPort[]): string[] {
  const out = skipped
    .filter((s) => s.code !== 'NonLoopbackClusterIP')
    .map((s) => `${s.service}:${s.portName || '(unnamed)'}: ${s.reason}`);
  if (skipped.some((s) => s.code === 'NonLoopbackClusterIP')) {
    out.push(
      'ClusterIPs outside 127.0.0.0/8 are not served: this userspace proxy binds ClusterIPs on loopback only (give the cluster a 127.x service CIDR); NodePorts still work',
    );
  }
  return out;
}

/**
 * Starts the proxy for one node. It only reads the API (list and watch of Services and
 * EndpointSlices in every namespace); call stop() when the node agent stops.
 */
export function startServiceProxy(opts: ServiceProxyOptions): ServiceProxy {
  return new Proxy(opts);
}
