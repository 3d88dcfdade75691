// Endpoints controller: each Service with a selector gets an Endpoints object listing its pods' addresses and ports.
// k8s: pkg/controller/endpoint/endpoints_controller.go; pkg/api/v1/endpoints/util.go (RepackSubsets)
import type { KObject } from '../../src/api/types';
import { isForbidden, isNotFound } from '../../src/client/errors';
import { objectKey } from '../../src/client/informer';
import { deepEqual } from '../../src/lib/json';
import { rfc3339 } from '../../src/lib/time';
import { namespaceOf } from '../shared/cache';
import type { ControllerContext, KeyedControllerDef } from './framework';
import {
  endpointPort,
  findPort,
  isPodReady,
  managesEndpoints,
  podIP,
  selectedPods,
  servicesForPod,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  type EndpointPort,
  type Pod,
  type Service,
} from './lib/endpoint-util';

export type { EndpointPort, Pod, Service };

const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
const HEADLESS = 'service.kubernetes.io/headless';
// k8s: maxCapacity: an Endpoints object lists at most this many addresses.
const MAX_CAPACITY = 1000;

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
const byAddress = (a: Address, b: Address) =>
  addressKey(a) < addressKey(b) ? -1 : addressKey(a) > addressKey(b) ? 1 : 0;
const portKey = (p: EndpointPort) =>
  JSON.stringify([p.name ?? '', p.port, p.protocol, p.appProtocol ?? '']);

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
    const addr: Address = {
      ip,
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata.namespace!,
        name: pod.metadata.name!,
        uid: pod.metadata.uid!,
      },
    };
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
  const groups = new Map<
    string,
    { addrs: Map<string, [Address, boolean]>; ports: EndpointPort[] }
  >();
  for (const { port, addrs } of byPort.values()) {
    const key = JSON.stringify([...addrs.entries()].map(([k, [, r]]) => [k, r]).sort());
    const g = groups.get(key) ?? { addrs, ports: [] };
    if (port) g.ports.push(port);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) =>
      subset(
        [...g.addrs.values()].filter(([, r]) => r).map(([a]) => a),
        [...g.addrs.values()].filter(([, r]) => !r).map(([a]) => a),
        g.ports,
      ),
    )
    .sort(bySubset);
}

function subset(ready: Address[], notReady: Address[], ports: EndpointPort[]): Subset {
  const s: Subset = {};
  if (ready.length) s.addresses = [...ready].sort(byAddress);
  if (notReady.length) s.notReadyAddresses = [...notReady].sort(byAddress);
  if (ports.length) s.ports = [...ports].sort((a, b) => (portKey(a) < portKey(b) ? -1 : 1));
  return s;
}

const subsetKey = (s: Subset) =>
  JSON.stringify([
    (s.addresses ?? s.notReadyAddresses ?? []).map(addressKey)[0] ?? '',
    (s.ports ?? []).map(portKey),
  ]);
const bySubset = (a: Subset, b: Subset) =>
  subsetKey(a) < subsetKey(b) ? -1 : subsetKey(a) > subsetKey(b) ? 1 : 0;

/** A stored Endpoints' subsets in the same canonical order (and without the fields we never set). */
function normalize(subsets: Subset[] | undefined): Subset[] {
  const clean = (a: Address): Address => {
    const out: Address = {
      ip: a.ip,
      targetRef: {
        kind: 'Pod',
        namespace: a.targetRef?.namespace,
        name: a.targetRef?.name,
        uid: a.targetRef?.uid,
      },
    };
    if (a.nodeName) out.nodeName = a.nodeName;
    if (a.hostname) out.hostname = a.hostname;
    return out;
  };
  const cleanPort = (p: EndpointPort): EndpointPort =>
    endpointPort(
      { name: p.name, protocol: p.protocol, appProtocol: p.appProtocol, port: p.port },
      p.port,
    );
  return (subsets ?? [])
    .map((s) =>
      subset(
        (s.addresses ?? []).map(clean),
        (s.notReadyAddresses ?? []).map(clean),
        (s.ports ?? []).map(cleanPort),
      ),
    )
    .sort(bySubset);
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

/**
 * Keys are Services. A pod change enqueues the Services that select it (before and after the
 * change); a change to an Endpoints object enqueues its Service (same name). Reads: the Service,
 * its Endpoints, the pods of its namespace (by index), all from the caches.
 */
export const endpointsController: KeyedControllerDef = {
  name: 'endpoints',
  reconciles: 'services',
  reads: ['services', 'pods', 'endpoints'],
  watches: [
    { resource: 'pods', map: servicesForPod },
    { resource: 'endpoints', map: (ep) => [objectKey(ep)] },
  ],
  indexes: [
    { resource: 'services', name: 'namespace', fn: namespaceOf },
    { resource: 'pods', name: 'namespace', fn: namespaceOf },
  ],
  async reconcile(ctx, key) {
    const svc = ctx.cache.kind<Service>('services').get(key);
    const current = ctx.cache.kind('endpoints').get(key);
    if (!svc) {
      // k8s: the Endpoints of a deleted Service go with it. Only ours (they carry the trigger-time
      // annotation): hand-made Endpoints may well exist before their Service.
      if (current?.metadata.annotations?.[TRIGGER_TIME]) {
        ctx.budget.take();
        await tolerate(
          ctx.client.delete('endpoints', current.metadata.name!, {
            namespace: current.metadata.namespace,
            preconditions: { uid: current.metadata.uid },
          }),
        );
      }
      return;
    }
    if (!managesEndpoints(svc)) return;
    await syncService(
      ctx,
      svc,
      ctx.cache.kind<Pod>('pods').byIndex('namespace', svc.metadata.namespace ?? ''),
      current,
    );
  },
};

/** NotFound: someone else finished the job; Forbidden: a terminating namespace refuses new content, and the Service is about to go anyway. A conflict propagates: the key is retried. */
async function tolerate(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!isNotFound(e) && !isForbidden(e)) throw e;
  }
}

async function syncService(
  ctx: ControllerContext & { budget: { take(): void } },
  svc: Service,
  pods: Pod[],
  current: KObject | undefined,
): Promise<void> {
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
  const annotations: Record<string, string> = {
    ...(current?.metadata.annotations ?? {}),
    [TRIGGER_TIME]: rfc3339(ctx.now()),
  };
  if (truncated) annotations[OVER_CAPACITY] = 'truncated';
  else delete annotations[OVER_CAPACITY];
  const { namespace, name } = svc.metadata;
  const body: KObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { ...(current?.metadata ?? { name, namespace }), labels, annotations },
    subsets,
  };
  ctx.budget.take();
  if (current) await tolerate(ctx.client.update('endpoints', body, { namespace }));
  else await tolerate(ctx.client.create('endpoints', body, { namespace }));
}
