// A pod's ServiceAccount credentials on a runtime that cannot mount (process): a token bound to the
// pod (TokenRequest with the node's credential, which NodeRestriction allows only for pods on this
// node), the CA the node trusts the API with, and the namespace, laid out as the standard
// var/run/secrets/kubernetes.io/serviceaccount under a per-pod root named in
// EDGEPLANE_SERVICEACCOUNT_ROOT, and refreshed at 80% of the token's life, as kubelet refreshes
// projected tokens. KUBERNETES_SERVICE_HOST/PORT name the API as the node reaches it (a process pod
// shares the node's network).
// k8s: pkg/kubelet/token/token_manager.go (requiresRefresh), pkg/volume/projected
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient } from '../../client/client';
import { isForbidden, isNotFound } from '../../client/errors';
import { StartError } from '../runtime';
import type { Pod } from '../types';

export const SERVICEACCOUNT_ROOT_ENV = 'EDGEPLANE_SERVICEACCOUNT_ROOT';
export const SERVICEACCOUNT_PATH = 'var/run/secrets/kubernetes.io/serviceaccount';
/** What kubelet asks for a projected token by default (an hour and seven seconds). */
const EXPIRATION_SECONDS = 3607;
/** kubelet refreshes a token once 80% of its life has passed, or after 24 h. */
const REFRESH_FRACTION = 0.8;
const MAX_REFRESH_MS = 24 * 3600_000;

export interface ServiceAccountConfig {
  /** Per-pod roots are made under this folder (<state>/serviceaccounts). */
  root: string;
  /** The API as this node reaches it. */
  server: string;
  /** The CA the node trusts the API with; absent when it trusts the system store. */
  caPem?: string;
}

interface TokenRequestStatus {
  status?: { token?: string; expirationTimestamp?: string };
}

/** Writes `data` to `file` so a reader sees the old or the new content, never a half-written one. */
function writeAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o644 });
  fs.renameSync(tmp, file);
}

export class ServiceAccountFiles {
  private refreshAt = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly cfg: ServiceAccountConfig,
    private readonly pod: Pod,
  ) {}

  /** Whether the pod gets credentials: unless it opts out (automountServiceAccountToken: false). */
  static wanted(pod: Pod): boolean {
    return (
      (pod.spec as { automountServiceAccountToken?: boolean }).automountServiceAccountToken !==
      false
    );
  }

  get root(): string {
    return path.join(this.cfg.root, this.pod.metadata.uid!);
  }

  get serviceAccount(): string {
    return pod(this.pod).serviceAccountName || 'default';
  }

  /** Writes the files when they are missing or due; answers the milliseconds until the next refresh. */
  async ensure(now = Date.now()): Promise<number> {
    if (now < this.refreshAt) return this.refreshAt - now;
    const ns = this.pod.metadata.namespace!;
    let res: TokenRequestStatus;
    try {
      res = await this.client.createSubresource<TokenRequestStatus>(
        'serviceaccounts',
        this.serviceAccount,
        'token',
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: {
            expirationSeconds: EXPIRATION_SECONDS,
            boundObjectRef: {
              kind: 'Pod',
              apiVersion: 'v1',
              name: this.pod.metadata.name,
              uid: this.pod.metadata.uid,
            },
          },
        },
        { namespace: ns },
      );
    } catch (err) {
      if (isNotFound(err) || isForbidden(err))
        throw new StartError(
          'CreateContainerConfigError',
          `cannot get a token for serviceaccount "${this.serviceAccount}": ${err instanceof Error ? err.message : String(err)}`,
        );
      throw err;
    }
    const token = res.status?.token;
    const expires = Date.parse(res.status?.expirationTimestamp ?? '');
    if (!token || Number.isNaN(expires)) throw new Error('TokenRequest answered without a token');
    const dir = path.join(this.root, SERVICEACCOUNT_PATH);
    fs.mkdirSync(dir, { recursive: true });
    writeAtomic(path.join(dir, 'token'), token);
    writeAtomic(path.join(dir, 'namespace'), ns);
    if (this.cfg.caPem) writeAtomic(path.join(dir, 'ca.crt'), this.cfg.caPem);
    const life = Math.max(0, expires - now);
    this.refreshAt = now + Math.min(life * REFRESH_FRACTION, MAX_REFRESH_MS);
    return this.refreshAt - now;
  }

  /** The container's environment with the root named and the API's address in the service variables. */
  environment(env: [string, string][]): [string, string][] {
    const url = new URL(this.cfg.server);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // Every variable of the `kubernetes` Service names the same address, so a client reading
    // KUBERNETES_PORT or KUBERNETES_PORT_443_TCP_ADDR agrees with one reading SERVICE_HOST/PORT.
    const rewrite = (k: string, v: string): string => {
      if (k === 'KUBERNETES_SERVICE_HOST') return host;
      if (k === 'KUBERNETES_SERVICE_PORT' || k.startsWith('KUBERNETES_SERVICE_PORT_')) return port;
      if (k === 'KUBERNETES_PORT') return `tcp://${host}:${port}`;
      const m = /^KUBERNETES_PORT_\d+_TCP(_ADDR|_PORT|_PROTO)?$/.exec(k);
      if (!m) return v;
      return m[1] === '_ADDR'
        ? host
        : m[1] === '_PORT'
          ? port
          : m[1]
            ? 'tcp'
            : `tcp://${host}:${port}`;
    };
    const out = env.map(([k, v]): [string, string] => [k, rewrite(k, v)]);
    if (!out.some(([k]) => k === 'KUBERNETES_SERVICE_HOST'))
      out.unshift(['KUBERNETES_SERVICE_HOST', host], ['KUBERNETES_SERVICE_PORT', port]);
    out.push([SERVICEACCOUNT_ROOT_ENV, this.root]);
    return out;
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

const pod = (p: Pod) => p.spec as { serviceAccountName?: string };
