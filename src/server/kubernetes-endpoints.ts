// The API's own endpoints: default/kubernetes Endpoints and EndpointSlice hold the address the API
// serves on (ADVERTISE_ADDRESS), so every node's service proxy forwards the `kubernetes` Service's
// ClusterIP:443 to it and a pod's in-cluster client reaches the API through the Service, as in
// Kubernetes.
//
// Why written here and not by a controller: the Service has no selector, so the Endpoints and
// EndpointSlice controllers leave it alone, and only the API knows where it listens; upstream's
// kube-apiserver writes both objects itself (the endpoint reconciler) for the same reason.
//
// ADVERTISE_ADDRESS is "ip:port" (`edgeplane dev` sets the loopback address and port it serves on).
// A hosted API behind a hostname has no IP to advertise: then the objects are removed (an address
// left from an earlier run would be wrong) and a node's agent, seeing no endpoints, gives pods the
// API's own URL (KUBERNETES_SERVICE_HOST = its hostname, KUBERNETES_SERVICE_PORT = 443), which
// in-cluster clients handle the same way.
// k8s: pkg/controlplane/reconcilers/lease.go (ReconcileEndpoints), endpointsadapter.go,
// pkg/controlplane/controller/kubernetesservice (CreateOrUpdateMasterServiceIfNeeded)
import { findResource } from '../api/resources';
import type { KObject } from '../api/types';
import type { Store } from '../storage/store';
import { newUid, timestamp } from './rest/objects';

const SVC = findResource('', 'v1', 'services')!;
const EP = findResource('', 'v1', 'endpoints')!;
const SLICE = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const NAME = 'kubernetes';
const NS = 'default';
const PORT_NAME = 'https';

export interface Advertised {
  ip: string;
  port: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** "ip:port" with an IPv4 address; anything else (unset, a hostname) advertises nothing. */
export function parseAdvertiseAddress(value: string | undefined): Advertised | undefined {
  const m = /^(.+):(\d{1,5})$/.exec(value?.trim() ?? '');
  if (!m || !IPV4.test(m[1])) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { ip: m[1], port } : undefined;
}

export function kubernetesEndpoints(a: Advertised): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    // skip-mirror: the EndpointSlice is written here too, so a mirroring controller must not copy it.
    metadata: {
      name: NAME,
      namespace: NS,
      labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
    },
    subsets: [
      { addresses: [{ ip: a.ip }], ports: [{ name: PORT_NAME, port: a.port, protocol: 'TCP' }] },
    ],
  };
}

export function kubernetesEndpointSlice(a: Advertised): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: NAME, namespace: NS, labels: { 'kubernetes.io/service-name': NAME } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [a.ip], conditions: { ready: true } }],
    ports: [{ name: PORT_NAME, port: a.port, protocol: 'TCP' }],
  };
}

/** The fields this module owns; metadata other than labels is the stored object's. */
const owned = (o: KObject): unknown => {
  const { apiVersion: _a, kind: _k, metadata, ...rest } = o;
  return { labels: metadata.labels ?? {}, ...rest };
};

/** Creates or brings `want` up to date; a concurrent writer wins (the next start looks again). */
async function put(store: Store, r: typeof EP, want: KObject): Promise<void> {
  const created = await store.create(r, {
    ...want,
    metadata: { ...want.metadata, uid: newUid(), creationTimestamp: timestamp() },
  });
  if (created.ok || created.reason !== 'exists') return;
  const existing = await store.get(r, NS, NAME);
  if (!existing || JSON.stringify(owned(existing)) === JSON.stringify(owned(want))) return;
  const next: KObject = {
    ...existing,
    ...want,
    metadata: {
      ...existing.metadata,
      labels: { ...existing.metadata.labels, ...want.metadata.labels },
    },
  };
  for (const k of Object.keys(existing))
    if (!(k in want) && k !== 'metadata' && k !== 'apiVersion' && k !== 'kind')
      delete (next as Record<string, unknown>)[k];
  const rv = existing.metadata.resourceVersion;
  delete next.metadata.resourceVersion;
  await store.update(r, next, { resourceVersion: rv });
}

/** The Service's targetPort follows the advertised port, as upstream's follows --secure-port. */
async function alignTargetPort(store: Store, port: number): Promise<void> {
  type Ports = { ports?: { name?: string; targetPort?: number | string }[] };
  const https = (svc: KObject) => (svc.spec as Ports).ports?.find((p) => p.name === PORT_NAME);
  const svc = await store.get(SVC, NS, NAME);
  const current = svc && https(svc);
  if (!current || current.targetPort === port) return;
  await store.guaranteedUpdate(SVC, NS, NAME, (next) => {
    const p = https(next);
    if (p) p.targetPort = port;
    return next;
  });
}

/**
 * Makes default/kubernetes Endpoints and EndpointSlice name ADVERTISE_ADDRESS, or removes them when
 * there is no IP to advertise. Runs at each isolate's bootstrap, so a restart on a new port updates them.
 */
export async function reconcileKubernetesEndpoints(
  store: Store,
  advertiseAddress: string | undefined,
): Promise<Advertised | undefined> {
  const a = parseAdvertiseAddress(advertiseAddress);
  if (!a) {
    await Promise.all([store.delete(EP, NS, NAME), store.delete(SLICE, NS, NAME)]);
    return undefined;
  }
  await Promise.all([
    put(store, EP, kubernetesEndpoints(a)),
    put(store, SLICE, kubernetesEndpointSlice(a)),
    alignTargetPort(store, a.port),
  ]);
  return a;
}
