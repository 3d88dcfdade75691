// Endpoints controller: each Service with a selector gets an Endpoints object listing its pods' addresses and ports.
// k8s: pkg/controller/endpoint/endpoints_controller.go; pkg/api/v1/endpoints/util.go (RepackSubsets)
import type { KObject } from '../../src/api/types';
import { isAlreadyExists, isConflict, isForbidden, isNotFound } from '../../src/client/errors';
import { deepEqual } from '../../src/lib/json';
import { selectorFromSet } from '../../src/lib/labels';
import type { Controller, ControllerContext, ReconcileResult } from './framework';
import { rfc3339 } from './node-lifecycle';

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  appProtocol?: string;
}

export type Service = KObject & {
  spec?: { selector?: Record<string, string>; ports?: ServicePort[]; clusterIP?: string; type?: string; publishNotReadyAddresses?: boolean; ipFamilies?: string[] };
};

interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export type Pod = KObject & {
  spec?: {
    nodeName?: string;
    hostname?: string;
    subdomain?: string;
    containers?: { ports?: ContainerPort[] }[];
    initContainers?: { ports?: ContainerPort[]; restartPolicy?: string }[];
  };
  status?: { phase?: string; podIP?: string; podIPs?: { ip: string }[]; conditions?: { type: string; status: string }[] };
};

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
const HEADLESS = 'service.kubernetes.io/headless';
// k8s: maxCapacity: an Endpoints object lists at most this many addresses.
const MAX_CAPACITY = 1000;

/** k8s: a nil (here: empty) selector means endpoints are managed by hand; ExternalName services have none. */
export function managesEndpoints(svc: Service): boolean {
  return Object.keys(svc.spec?.selector ?? {}).length > 0 && svc.spec?.type !== 'ExternalName';
}

export function selectedPods(svc: Service, pods: Pod[]): Pod[] {
  const selector = selectorFromSet(svc.spec?.selector);
  return pods.filter((p) => p.metadata.namespace === svc.metadata.namespace && selector.matches(p.metadata.labels));
}

/** k8s: podutil.IsPodReady. */
export const isPodReady = (pod: Pod) => (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** k8s: endpointsliceutil.ShouldPodBeInEndpoints: not finished, has an address, and (unless asked) not terminating. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/** The pod's address of the given family (IPv4 unless the Service says otherwise). */
export function podIP(pod: Pod, family = 'IPv4'): string | undefined {
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  return ips.find((ip) => ip.includes(':') === (family === 'IPv6'));
}

/** k8s: endpointsliceutil.ShouldSetHostname. */
export const shouldSetHostname = (pod: Pod, svc: Service) =>
  Boolean(pod.spec?.hostname) && pod.spec?.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;

/** k8s: podutil.FindPort: a number as is; a name looked up among the containers' (and sidecars') ports of the same protocol. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

export function endpointPort(sp: ServicePort, port: number): EndpointPort {
  const out: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
  if (sp.name) out.name = sp.name;
  if (sp.appProtocol) out.appProtocol = sp.appProtocol;
  return out;
}

interface Address {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

interface Subset {
  addresses?: Address[];
  notReadyAddresses?: Address[];
  ports?: EndpointPort[];
}

const addressKey = (a: Address) => `${a.ip}/${a.targetRef.uid}`;
const byAddress = (a: Address, b: Address) => (addressKey(a) < addressKey(b) ? -1 : addressKey(a) > addressKey(b) ? 1 : 0);
const portKey = (p: EndpointPort) => JSON.stringify([p.name ?? '', p.port, p.protocol, p.appProtocol ?? '']);

/**
 * The subsets for a Service, in RepackSubsets' shape: each set of addresses that serves the same
 * ports becomes one subset. Sorted so two computations (and a stored copy) compare equal.
 */
export function desiredSubsets(svc: Service, pods: Pod[]): Subset[] {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses === true;
  const family = svc.spec?.ipFamilies?.[0] ?? 'IPv4';
  const ports = svc.spec?.ports ?? [];
  const headless = svc.spec?.clusterIP === 'None';
  // port (or the "no ports" sentinel) -> address key -> [address, ready]
  const byPort = new Map<string, { port?: EndpointPort; addrs: Map<string, [Address, boolean]> }>();
  const add = (port: EndpointPort | undefined, addr: Address, ready: boolean) => {
    const key = port ? portKey(port) : '';
    const entry = byPort.get(key) ?? { port, addrs: new Map() };
    entry.addrs.set(addressKey(addr), [addr, ready]);
    byPort.set(key, entry);
  };
  for (const pod of selectedPods(svc, pods)) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = podIP(pod, family);
    if (!ip) continue;
    const addr: Address = { ip, targetRef: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! } };
    if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
    if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec!.hostname;
    const ready = tolerateUnready || isPodReady(pod);
    // k8s: a headless Service may have no ports; its pods are listed all the same.
    if (!ports.length) {
      if (headless) add(undefined, addr, ready);
      continue;
    }
    for (const sp of ports) {
      const n = findPort(pod, sp);
      if (n !== undefined) add(endpointPort(sp, n), addr, ready);
    }
  }
  // Ports that share exactly the same addresses (and readiness) share a subset.
  const groups = new Map<string, { addrs: Map<string, [Address, boolean]>; ports: EndpointPort[] }>();
  for (const { port, addrs } of byPort.values()) {
    const key = JSON.stringify([...addrs.entries()].map(([k, [, r]]) => [k, r]).sort());
    const g = groups.get(key) ?? { addrs, ports: [] };
    if (port) g.ports.push(port);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => subset([...g.addrs.values()].filter(([, r]) => r).map(([a]) => a), [...g.addrs.values()].filter(([, r]) => !r).map(([a]) => a), g.ports)).sort(bySubset);
}

function subset(ready: Address[], notReady: Address[], ports: EndpointPort[]): Subset {
  const s: Subset = {};
  if (ready.length) s.addresses = [...ready].sort(byAddress);
  if (notReady.length) s.notReadyAddresses = [...notReady].sort(byAddress);
  if (ports.length) s.ports = [...ports].sort((a, b) => (portKey(a) < portKey(b) ? -1 : 1));
  return s;
}

const subsetKey = (s: Subset) => JSON.stringify([(s.addresses ?? s.notReadyAddresses ?? []).map(addressKey)[0] ?? '', (s.ports ?? []).map(portKey)]);
const bySubset = (a: Subset, b: Subset) => (subsetKey(a) < subsetKey(b) ? -1 : subsetKey(a) > subsetKey(b) ? 1 : 0);

/** A stored Endpoints' subsets in the same canonical order (and without the fields we never set). */
function normalize(subsets: Subset[] | undefined): Subset[] {
  const clean = (a: Address): Address => {
    const out: Address = { ip: a.ip, targetRef: { kind: 'Pod', namespace: a.targetRef?.namespace, name: a.targetRef?.name, uid: a.targetRef?.uid } };
    if (a.nodeName) out.nodeName = a.nodeName;
    if (a.hostname) out.hostname = a.hostname;
    return out;
  };
  const cleanPort = (p: EndpointPort): EndpointPort => endpointPort({ name: p.name, protocol: p.protocol, appProtocol: p.appProtocol, port: p.port }, p.port);
  return (subsets ?? []).map((s) => subset((s.addresses ?? []).map(clean), (s.notReadyAddresses ?? []).map(clean), (s.ports ?? []).map(cleanPort))).sort(bySubset);
}

/** k8s: truncateEndpoints: keep ready addresses first, each subset its proportional share. */
function truncate(subsets: Subset[]): boolean {
  const ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const notReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  if (ready + notReady <= MAX_CAPACITY) return false;
  const truncateReady = ready > MAX_CAPACITY;
  const max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - ready;
  const total = truncateReady ? ready : notReady;
  let room = max;
  for (const s of subsets) {
    const have = truncateReady ? (s.addresses?.length ?? 0) : (s.notReadyAddresses?.length ?? 0);
    const share = Math.min(Math.ceil((have / total) * max), room);
    if (truncateReady) {
      s.addresses = s.addresses?.slice(0, share);
      delete s.notReadyAddresses;
      room -= s.addresses?.length ?? 0;
    } else {
      s.notReadyAddresses = s.notReadyAddresses?.slice(0, share);
      room -= s.notReadyAddresses?.length ?? 0;
    }
  }
  return true;
}

function desiredLabels(svc: Service): Record<string, string> {
  const labels = { ...(svc.metadata.labels ?? {}) };
  if (!svc.spec?.clusterIP || svc.spec.clusterIP === 'None') labels[HEADLESS] = '';
  else delete labels[HEADLESS];
  return labels;
}

export const endpointsController: Controller = {
  name: 'endpoints',
  watches: ['services', 'pods', 'endpoints'],
  async reconcile(ctx) {
    const services = (await ctx.snapshot.list('services')) as Service[];
    const pods = (await ctx.snapshot.list('pods')) as Pod[];
    const existing = new Map((await ctx.snapshot.list('endpoints')).map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e]));
    const state = { writes: 0, retry: false };
    const full = () => state.writes >= ctx.config.maxWritesPerPass;
    for (const svc of services) {
      if (full()) break;
      if (!managesEndpoints(svc)) continue;
      await syncService(ctx, svc, pods, existing.get(`${svc.metadata.namespace}/${svc.metadata.name}`), state);
    }
    // k8s: the Endpoints of a deleted Service go with it. Only ours (they carry the trigger-time
    // annotation): hand-made Endpoints may well exist before their Service.
    const serviceKeys = new Set(services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`));
    for (const [key, ep] of existing) {
      if (full()) break;
      if (serviceKeys.has(key) || !ep.metadata.annotations?.[TRIGGER_TIME]) continue;
      await write(state, () => ctx.client.delete('endpoints', ep.metadata.name!, { namespace: ep.metadata.namespace, preconditions: { uid: ep.metadata.uid } }));
    }
    if (state.writes > 0) ctx.snapshot.invalidate('endpoints');
    const result: ReconcileResult = {};
    if (full()) result.more = true;
    else if (state.retry) result.requeueAfterMs = 1000;
    return result;
  },
};

async function write(state: { writes: number; retry: boolean }, fn: () => Promise<unknown>): Promise<void> {
  state.writes++;
  try {
    await fn();
  } catch (e) {
    if (isConflict(e) || isAlreadyExists(e)) state.retry = true;
    // A terminating namespace refuses new content; the Service is about to go anyway.
    else if (!isNotFound(e) && !isForbidden(e)) throw e;
  }
}

async function syncService(ctx: ControllerContext, svc: Service, pods: Pod[], current: KObject | undefined, state: { writes: number; retry: boolean }): Promise<void> {
  const subsets = desiredSubsets(svc, pods);
  const labels = desiredLabels(svc);
  // Truncation keeps the first addresses in canonical order, so a stored truncated copy compares equal.
  const truncated = truncate(subsets);
  if (
    current &&
    Boolean(current.metadata.annotations?.[OVER_CAPACITY]) === truncated &&
    deepEqual(normalize(current.subsets as Subset[]), normalize(subsets)) &&
    deepEqual(current.metadata.labels ?? {}, labels)
  ) {
    return;
  }
  const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}), [TRIGGER_TIME]: rfc3339(ctx.now()) };
  if (truncated) annotations[OVER_CAPACITY] = 'truncated';
  else delete annotations[OVER_CAPACITY];
  const { namespace, name } = svc.metadata;
  const body: KObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { ...(current?.metadata ?? { name, namespace }), labels, annotations },
    subsets,
  };
  if (current) await write(state, () => ctx.client.update('endpoints', body, { namespace }));
  else await write(state, () => ctx.client.create('endpoints', body, { namespace }));
}
