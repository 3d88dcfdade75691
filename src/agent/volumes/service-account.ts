// A pod's ServiceAccount credentials: a token bound to the pod (TokenRequest with the node's
// credential, which NodeRestriction allows only for pods on this node), the CA the node trusts the
// API with, and the namespace, written as token, ca.crt and namespace under
// <per-pod root>/var/run/secrets/kubernetes.io/serviceaccount and refreshed at 80% of the token's
// life, as kubelet refreshes projected tokens.
//
// Where a pod finds them:
// - podman (and docker) containers get that directory bind-mounted read-only at the standard
//   /var/run/secrets/kubernetes.io/serviceaccount (podman-args.ts), so an unchanged in-cluster
//   client reads it there.
// - A process pod is an ordinary host process: without a mount namespace of its own it sees the
//   host's /var/run/secrets, which one node shares between all its pods, so the files stay in the
//   per-pod root and its path is in EDGEPLANE_SERVICEACCOUNT_ROOT (in-cluster clients take it as a
//   path prefix: loadFromCluster(root) in @kubernetes/client-node).
//
// How a pod reaches the API (KUBERNETES_SERVICE_HOST/PORT and the other KUBERNETES_* variables):
// - a pod on the host's network (process, hostNetwork) uses the `kubernetes` Service's ClusterIP
//   and port 443, as in Kubernetes, when this node's service proxy serves it: the API advertises its
//   address in the Service's endpoints (src/server/kubernetes-endpoints.ts) and the proxy splices
//   the TCP stream through, so TLS runs end to end with the serving certificate, which names the
//   ClusterIP and kubernetes.default.svc. When it does not (no endpoints: an API behind a hostname;
//   the bind to port 443 refused without root), the pod gets the API's URL instead (the proxy logs
//   which);
// - a podman pod (slirp4netns) cannot reach ClusterIPs, which live on the host's loopback: it gets
//   the API's URL, with 127.0.0.1 spelled 10.0.2.2, slirp's alias for the host's loopback
//   (allow_host_loopback), which the serving certificate names too.
// k8s: pkg/kubelet/token/token_manager.go (requiresRefresh), pkg/volume/projected,
// plugin/pkg/admission/serviceaccount (the kube-api-access volume)
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

export const SERVICEACCOUNT_MOUNT = `/${SERVICEACCOUNT_PATH}`;
/** slirp4netns's address for the host's 127.0.0.1 (with allow_host_loopback). */
export const SLIRP_HOST_LOOPBACK = '10.0.2.2';

export interface ServiceAccountConfig {
  /** Per-pod roots are made under this folder (<state>/serviceaccounts). */
  root: string;
  /** The API as this node reaches it. */
  server: string;
  /** The CA the node trusts the API with; absent when it trusts the system store. */
  caPem?: string;
  /** How pods' networks reach the host: its own (process) or through slirp4netns (podman). */
  network: 'host' | 'slirp';
  /** The kubernetes Service's ClusterIP and port when this node's proxy serves it (service-proxy.ts). */
  kubernetesService?: () => Promise<{ host: string; port: number } | undefined>;
}

export interface ApiAddress {
  host: string;
  port: string;
}

/** The API's URL as host and port, as a pod in `network` reaches it. */
export function directAddress(server: string, network: 'host' | 'slirp'): ApiAddress {
  const url = new URL(server);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  let host = url.hostname.replace(/^\[|\]$/g, '');
  if (network === 'slirp' && (host === '127.0.0.1' || host === 'localhost'))
    host = SLIRP_HOST_LOOPBACK;
  return { host, port };
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

  /** How this pod reaches the API: the kubernetes Service when it can, else the API's URL. */
  async apiAddress(): Promise<ApiAddress> {
    const network = hostNetwork(this.pod) ? 'host' : this.cfg.network;
    if (network === 'host') {
      const svc = await this.cfg.kubernetesService?.();
      if (svc) return { host: svc.host, port: String(svc.port) };
    }
    return directAddress(this.cfg.server, network);
  }

  /** The container's environment with the root named and the API's address in the service variables. */
  async environment(env: [string, string][]): Promise<[string, string][]> {
    const { host, port } = await this.apiAddress();
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
const hostNetwork = (p: Pod) => (p.spec as { hostNetwork?: boolean }).hostNetwork === true;
