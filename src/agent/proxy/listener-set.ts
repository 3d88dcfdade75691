// The listeners one proxy holds, reconciled to a rule list: bind new ones (retrying with backoff), retarget kept ones, close the rest.
import { ServiceListener, type ListenerStats } from './listener';
import { RoundRobin } from './round-robin';
import { backendKey, type ListenerRule } from './rules';

export interface ListenerStatus extends Omit<ListenerRule, 'backends'>, ListenerStats {
  backends: string[];
  listening: boolean;
  /** Why the last bind failed (it is retried with backoff). */
  error?: string;
}

interface Entry {
  rule: ListenerRule;
  rr: RoundRobin;
  listener?: ServiceListener;
  error?: string;
  failures: number;
  retry?: NodeJS.Timeout;
  retired: boolean;
}

const RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];

const BIND_HINTS: Record<string, string> = {
  EADDRINUSE: 'the address is in use by another process (two agents given the same --address?)',
  EACCES:
    'permission denied (ports below 1024 need root, CAP_NET_BIND_SERVICE or a lower net.ipv4.ip_unprivileged_port_start)',
  EADDRNOTAVAIL: 'the address is not on this host',
};

const describe = (rule: ListenerRule) =>
  `${rule.key} (${rule.kind} of ${rule.service}:${rule.portName || rule.port})`;

export class ListenerSet {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(
    private readonly opts: {
      log: (message: string) => void;
      /** Whether shared (ClusterIP) listeners bind with SO_REUSEPORT. */
      reusePort: () => boolean;
    },
  ) {}

  /** Makes the held listeners match `rules` (keyed by host:port); resolves once new ones are bound or failed. */
  async apply(rules: ListenerRule[]): Promise<void> {
    const wanted = new Map(rules.map((r) => [r.key, r]));
    const retiring: Promise<void>[] = [];
    for (const [key, entry] of this.entries) {
      if (wanted.get(key)?.shared === entry.rule.shared) continue;
      this.entries.delete(key);
      retiring.push(this.retire(entry, true));
    }
    // Released first, so that a port moving between services is not refused to itself.
    await Promise.all(retiring);
    const binding: Promise<void>[] = [];
    for (const rule of wanted.values()) {
      let entry = this.entries.get(rule.key);
      const fresh = !entry;
      if (!entry)
        this.entries.set(
          rule.key,
          (entry = { rule, rr: new RoundRobin(), failures: 0, retired: false }),
        );
      entry.rule = rule;
      // New connections see the new backends at once; spliced ones keep theirs, so a pod gone
      // unready gets no new connections while its open ones finish.
      entry.rr.update(rule.backends, rule.affinityTimeoutSeconds);
      if (fresh) binding.push(this.bind(entry));
    }
    await Promise.all(binding);
  }

  status(): ListenerStatus[] {
    return [...this.entries.values()].map(({ rule, rr, listener, error }) => {
      const { backends: _, ...rest } = rule;
      const stats = listener?.stats ?? { accepted: 0, rejected: 0, active: 0 };
      const status: ListenerStatus = {
        ...rest,
        ...stats,
        backends: rr.list().map(backendKey),
        listening: listener?.listening ?? false,
      };
      if (error) status.error = error;
      return status;
    });
  }

  /** Closes every listener and cuts its connections. */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => this.retire(e, false)));
  }

  private async bind(entry: Entry): Promise<void> {
    const { rule } = entry;
    const listener = new ServiceListener({
      host: rule.host,
      port: rule.port,
      reusePort: rule.shared && this.opts.reusePort(),
      pick: (clientIp, tried) => entry.rr.pick(clientIp, tried),
      log: this.opts.log,
    });
    try {
      await listener.listen();
    } catch (err) {
      if (this.closed || entry.retired) return;
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const error = `cannot listen on ${describe(rule)}: ${BIND_HINTS[code] ?? (err as Error).message}`;
      if (entry.error !== error) this.opts.log(`${error}; retrying with backoff`);
      entry.error = error;
      entry.retry = setTimeout(
        () => {
          entry.retry = undefined;
          if (!this.closed && !entry.retired) void this.bind(entry);
        },
        RETRY_MS[Math.min(entry.failures++, RETRY_MS.length - 1)],
      );
      entry.retry.unref();
      return;
    }
    if (this.closed || entry.retired) {
      await listener.close(false);
      return;
    }
    entry.listener = listener;
    entry.error = undefined;
    entry.failures = 0;
    this.opts.log(`listening on ${describe(rule)}`);
  }

  private async retire(entry: Entry, drain: boolean): Promise<void> {
    entry.retired = true;
    if (entry.retry) clearTimeout(entry.retry);
    if (!entry.listener) return;
    await entry.listener.close(drain);
    if (drain) this.opts.log(`closed ${describe(entry.rule)}`);
  }
}
