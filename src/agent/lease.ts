// The node's heartbeat: a Lease in kube-node-lease, named after the node, renewed every 10 s.
// k8s: staging/src/k8s.io/component-helpers/apimachinery/lease/controller.go (ensure, then update
// renewTime every leaseDuration/4; the Node as owner so the Lease goes when the Node goes).
import type { KObject } from '../api/types';
import type { KubeClient } from '../client/client';
import { isAlreadyExists, isConflict, isNotFound } from '../client/errors';
import { backoffMs, isTransient } from './transient';
import { microTime, type Node } from './types';

export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;
// k8s: component-helpers lease controller maxUpdateRetries.
const MAX_UPDATE_RETRIES = 5;

export interface LeaseOptions {
  client: KubeClient;
  node: Node;
  log: (message: string) => void;
  durationSeconds?: number;
  /** Default a quarter of the duration (10 s). */
  renewMs?: number;
  /** Delay between the first write (at start) and the second, so many simulated nodes do not renew in lockstep. */
  firstDelayMs?: number;
  /** How long one lease request may take before it is abandoned and tried again (default the renewal period, 10 s). */
  requestTimeoutMs?: number;
}

/**
 * k8s: the kubelet's heartbeat client times out after the node status update frequency (10 s): a
 * request stuck on a dead keep-alive socket must not hold the lease past the grace period.
 */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

const leaseUrl = (name: string) =>
  `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases/${encodeURIComponent(name)}`;

export class LeaseRenewer {
  private lease?: KObject;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** When the last successful renewal happened (ms), for tests and logs. */
  lastRenewed = 0;

  constructor(private readonly opts: LeaseOptions) {}

  private get name(): string {
    return this.opts.node.metadata.name!;
  }

  private get duration(): number {
    return this.opts.durationSeconds ?? LEASE_DURATION_SECONDS;
  }

  start(): void {
    const every = this.opts.renewMs ?? (this.duration * 1000) / 4;
    let first = true;
    const loop = async () => {
      try {
        await this.renew();
      } catch (err) {
        this.opts.log(`lease of ${this.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
      // k8s: JitterUntil with a small jitter, so renewals spread instead of bunching.
      const next =
        first && this.opts.firstDelayMs
          ? this.opts.firstDelayMs
          : every * (1 + Math.random() * 0.04);
      first = false;
      if (!this.stopped) this.timer = setTimeout(loop, next);
    };
    this.timer = setTimeout(loop, 0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private spec(): Record<string, unknown> {
    return {
      holderIdentity: this.name,
      leaseDurationSeconds: this.duration,
      renewTime: microTime(),
    };
  }

  /**
   * k8s: retryUpdateLease: up to 5 tries in one renewal. A conflict or a missing lease reads it
   * again; a busy, slow or unreachable API (a dropped keep-alive socket, a 5xx, 429) is tried again
   * after a short backoff, so one failed request does not cost a whole renewal period of the grace.
   */
  async renew(): Promise<void> {
    const { client } = this.opts;
    for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
      const last = attempt === MAX_UPDATE_RETRIES - 1;
      const timeout = this.opts.requestTimeoutMs ?? this.opts.renewMs ?? 10_000;
      try {
        if (!this.lease) this.lease = await within(this.ensure(), timeout, `lease of ${this.name}`);
        else {
          // Aborted at the deadline, so a stuck request gives its socket back instead of holding it
          // while the retry opens another (a fleet of nodes would pile up sockets on the server).
          const res = await client.raw('PUT', leaseUrl(this.name), {
            body: JSON.stringify({
              ...this.lease,
              spec: { ...(this.lease.spec as object), ...this.spec() },
            }),
            contentType: 'application/json',
            signal: AbortSignal.timeout(timeout),
          });
          this.lease = (await res.json()) as KObject;
        }
        this.lastRenewed = Date.now();
        return;
      } catch (err) {
        if (last || this.stopped) throw err;
        if (isConflict(err) || isNotFound(err) || isAlreadyExists(err)) {
          // Someone else wrote, created or removed it: read it again on the next try.
          this.lease = undefined;
        } else if (isTransient(err)) {
          await new Promise((r) => setTimeout(r, backoffMs(attempt, 200, 2000)));
        } else throw err;
      }
    }
  }

  private async ensure(): Promise<KObject> {
    const { client, node } = this.opts;
    try {
      const existing = await client.get('leases.coordination.k8s.io', this.name, {
        namespace: LEASE_NAMESPACE,
      });
      return await client.update('leases.coordination.k8s.io', {
        ...existing,
        spec: { ...(existing.spec as object), ...this.spec() },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const owner = node.metadata.uid
      ? [{ apiVersion: 'v1', kind: 'Node', name: this.name, uid: node.metadata.uid }]
      : undefined;
    return client.create('leases.coordination.k8s.io', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.name,
        namespace: LEASE_NAMESPACE,
        ...(owner ? { ownerReferences: owner } : {}),
      },
      spec: this.spec(),
    });
  }
}
