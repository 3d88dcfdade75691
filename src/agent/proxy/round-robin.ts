// Round-robin backend choice per Service port, with ClientIP session affinity.
// k8s: pkg/proxy/userspace/roundrobin.go (LoadBalancerRR, the userspace kube-proxy's balancer)
import { backendKey, type Backend } from './rules';

interface Affinity {
  backend: string;
  lastUsed: number;
}

// Affinity records of clients gone quiet are swept once the table grows past this.
const AFFINITY_SWEEP_AT = 4096;

export class RoundRobin {
  private backends: Backend[] = [];
  private next = 0;
  private affinityMs = 0;
  private readonly affinity = new Map<string, Affinity>();

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.backends.length;
  }

  list(): readonly Backend[] {
    return this.backends;
  }

  /** Replaces the backends; clients stuck to a backend that left are rebalanced on their next connection. */
  update(backends: Backend[], affinityTimeoutSeconds?: number): void {
    this.backends = backends.slice();
    this.affinityMs = (affinityTimeoutSeconds ?? 0) * 1000;
    // The rotation keeps its place, so an update does not send the next connection back to the first backend.
    if (this.backends.length) this.next %= this.backends.length;
    else this.next = 0;
    const present = new Set(this.backends.map(backendKey));
    for (const [client, a] of this.affinity)
      if (!this.affinityMs || !present.has(a.backend)) this.affinity.delete(client);
  }

  /** The next backend, skipping `exclude` (backends this connection already failed to reach); undefined when none is left. */
  pick(clientIp?: string, exclude?: ReadonlySet<string>): Backend | undefined {
    const now = this.now();
    if (this.affinityMs && clientIp) {
      const a = this.affinity.get(clientIp);
      if (a && now - a.lastUsed < this.affinityMs && !exclude?.has(a.backend)) {
        const stuck = this.backends.find((b) => backendKey(b) === a.backend);
        if (stuck) {
          a.lastUsed = now;
          return stuck;
        }
      }
    }
    for (let i = 0; i < this.backends.length; i++) {
      const backend = this.backends[this.next];
      this.next = (this.next + 1) % this.backends.length;
      if (exclude?.has(backendKey(backend))) continue;
      if (this.affinityMs && clientIp) this.remember(clientIp, backendKey(backend), now);
      return backend;
    }
    return undefined;
  }

  private remember(clientIp: string, backend: string, now: number): void {
    if (this.affinity.size >= AFFINITY_SWEEP_AT) {
      for (const [client, a] of this.affinity)
        if (now - a.lastUsed >= this.affinityMs) this.affinity.delete(client);
    }
    this.affinity.set(clientIp, { backend, lastUsed: now });
  }
}
