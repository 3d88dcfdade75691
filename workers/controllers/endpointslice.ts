// EndpointSlice controller: each Service with a selector gets discovery.k8s.io/v1 EndpointSlices of its pods.
// k8s: staging/src/k8s.io/endpointslice/reconciler.go and utils.go; pkg/controller/endpointslice/endpointslice_controller.go
import type { KObject } from '../../src/api/types';
import { isForbidden, isNotFound } from '../../src/client/errors';
import { deepEqual } from '../../src/lib/json';
import { keyOf } from '../shared/controller';
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

const SERVICE_NAME = 'kubernetes.io/service-name';
const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
const HEADLESS = 'service.kubernetes.io/headless';
const ZONE = 'topology.kubernetes.io/zone';
// k8s: --max-endpoints-per-slice default.
const MAX_PER_SLICE = 100;
const SLICES = 'discovery.k8s.io/v1/endpointslices';

interface Endpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
  nodeName?: string;
  zone?: string;
}

type Slice = KObject & {
  addressType?: string;
  endpoints?: Endpoint[] | null;
  ports?: EndpointPort[] | null;
};

/** k8s: podToEndpoint: terminating pods are listed too, never ready, and serving as their readiness says. */
function toEndpoint(
  pod: Pod,
  svc: Service,
  ip: string,
  zones: (node: string) => string | undefined,
): Endpoint {
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata.deletionTimestamp);
  const ep: Endpoint = {
    addresses: [ip],
    conditions: {
      ready: svc.spec?.publishNotReadyAddresses === true || (serving && !terminating),
      serving,
      terminating,
    },
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata.namespace!,
      name: pod.metadata.name!,
      uid: pod.metadata.uid!,
    },
  };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  if (pod.spec?.nodeName) {
    ep.nodeName = pod.spec.nodeName;
    const zone = zones(pod.spec.nodeName);
    if (zone) ep.zone = zone;
  }
  return ep;
}

/** Slice ports as the API stores them (the name defaults to ""). */
const slicePorts = (ports: EndpointPort[]) =>
  ports
    .map((p) => ({ ...p, name: p.name ?? '' }))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
const portsKey = (ports: unknown[] | null | undefined) =>
  JSON.stringify(
    slicePorts((ports ?? []) as EndpointPort[]).map((p) => [
      p.name,
      p.port,
      p.protocol,
      p.appProtocol ?? '',
    ]),
  );
const endpointKey = (e: Endpoint) => `${e.addresses[0]}/${e.targetRef?.uid}`;

/** Drops what we never set and defaults the API fills, so stored and desired endpoints compare. */
function canonical(e: Endpoint): Endpoint {
  const out: Endpoint = {
    addresses: [...e.addresses],
    conditions: {
      ready: e.conditions?.ready ?? false,
      serving: e.conditions?.serving ?? false,
      terminating: e.conditions?.terminating ?? false,
    },
    targetRef: {
      kind: 'Pod',
      namespace: e.targetRef?.namespace,
      name: e.targetRef?.name,
      uid: e.targetRef?.uid,
    },
  };
  if (e.hostname) out.hostname = e.hostname;
  if (e.nodeName) out.nodeName = e.nodeName;
  if (e.zone) out.zone = e.zone;
  return out;
}

/** Desired endpoints of one address family, grouped by the ports they resolve to (named ports may differ per pod). */
function desiredGroups(
  svc: Service,
  pods: Pod[],
  family: string,
  zones: (node: string) => string | undefined,
): Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }> {
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }>();
  for (const pod of selectedPods(svc, pods)) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ip = podIP(pod, family);
    if (!ip) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const n = findPort(pod, sp);
      if (n !== undefined) ports.push(endpointPort(sp, n));
    }
    const key = portsKey(ports);
    const g = groups.get(key) ?? { ports, endpoints: [] };
    g.endpoints.push(toEndpoint(pod, svc, ip, zones));
    groups.set(key, g);
  }
  for (const g of groups.values())
    g.endpoints.sort((a, b) => (endpointKey(a) < endpointKey(b) ? -1 : 1));
  return groups;
}

/** k8s: setEndpointSliceLabels: the Service's own labels, minus the reserved ones, plus ours. */
function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {}))
    if (k !== SERVICE_NAME && k !== MANAGED_BY && k !== HEADLESS) labels[k] = v;
  if (!svc.spec?.clusterIP || svc.spec.clusterIP === 'None') labels[HEADLESS] = '';
  labels[SERVICE_NAME] = svc.metadata.name!;
  labels[MANAGED_BY] = CONTROLLER_NAME;
  return labels;
}

const sliceService = (s: KObject): string[] =>
  s.metadata.labels?.[MANAGED_BY] === CONTROLLER_NAME && s.metadata.labels?.[SERVICE_NAME]
    ? [keyOf(s.metadata.namespace, s.metadata.labels[SERVICE_NAME])]
    : [];

/**
 * Keys are Services. A pod change enqueues the Services that select it; a change to one of our
 * slices enqueues its Service (by the service-name label). Reads come from the caches: the
 * Service, its slices (by index), the pods of its namespace (by index), the zone of each pod's
 * node. A node's zone label changing reaches existing slices at the next resync, not at once.
 * A deleted Service's slices go with it through their ownerReference (the garbage collector).
 */
export const endpointSliceController: KeyedControllerDef = {
  name: 'endpointslice',
  reconciles: 'services',
  reads: ['services', 'pods', 'nodes', SLICES],
  watches: [
    { resource: 'pods', map: servicesForPod },
    { resource: SLICES, map: sliceService },
  ],
  indexes: [
    { resource: 'services', name: 'namespace', fn: namespaceOf },
    { resource: 'pods', name: 'namespace', fn: namespaceOf },
    { resource: SLICES, name: 'service', fn: sliceService },
  ],
  async reconcile(ctx, key) {
    const svc = ctx.cache.kind<Service>('services').get(key);
    if (!svc || !managesEndpoints(svc)) return;
    const pods = ctx.cache.kind<Pod>('pods').byIndex('namespace', svc.metadata.namespace ?? '');
    const nodes = ctx.cache.kind('nodes');
    const zones = (node: string) => nodes.get(node)?.metadata.labels?.[ZONE];
    const mine = ctx.cache.kind<Slice>(SLICES).byIndex('service', key);
    const state = { writes: 0 };
    for (const family of svc.spec?.ipFamilies?.length ? svc.spec.ipFamilies : ['IPv4']) {
      await reconcileFamily(
        ctx,
        svc,
        family,
        desiredGroups(svc, pods, family, zones),
        mine.filter((s) => s.addressType === family),
        state,
      );
    }
  },
};

interface PassState {
  writes: number;
}

type SliceContext = ControllerContext & { budget: { take(): void } };

/** NotFound: someone else finished the job; Forbidden: a terminating namespace refuses new content. A conflict propagates: the key is retried. */
async function write(
  ctx: SliceContext,
  state: PassState,
  fn: () => Promise<unknown>,
): Promise<void> {
  ctx.budget.take();
  state.writes++;
  try {
    await fn();
  } catch (e) {
    if (!isNotFound(e) && !isForbidden(e)) throw e;
  }
}

/**
 * Makes the Service's slices of one address family hold exactly the desired endpoints: per port
 * mapping, the endpoints (sorted) in chunks of at most 100, reusing existing slices of that mapping
 * in name order; slices of mappings no longer wanted go. With no endpoints at all, one empty
 * placeholder slice remains, as upstream keeps.
 */
async function reconcileFamily(
  ctx: SliceContext,
  svc: Service,
  family: string,
  groups: Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }>,
  existing: Slice[],
  state: PassState,
): Promise<void> {
  const labels = sliceLabels(svc);
  // k8s: the placeholder: no endpoints and no ports.
  if (groups.size === 0) groups.set(portsKey([]), { ports: [], endpoints: [] });
  const byPorts = new Map<string, Slice[]>();
  for (const s of [...existing].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))) {
    const key = portsKey(s.ports);
    byPorts.set(key, [...(byPorts.get(key) ?? []), s]);
  }
  const leftovers: Slice[] = [];
  for (const [key, slices] of byPorts) if (!groups.has(key)) leftovers.push(...slices);

  for (const [key, { ports, endpoints }] of groups) {
    const have = byPorts.get(key) ?? [];
    const chunks: Endpoint[][] = [];
    for (let i = 0; i < endpoints.length; i += MAX_PER_SLICE)
      chunks.push(endpoints.slice(i, i + MAX_PER_SLICE));
    if (!chunks.length) chunks.push([]);
    // Slices already holding exactly the desired set (however it is spread) are left alone.
    if (
      have.length === chunks.length &&
      sameEndpoints(have, endpoints) &&
      have.every(
        (s) =>
          (s.endpoints?.length ?? 0) <= MAX_PER_SLICE && deepEqual(s.metadata.labels ?? {}, labels),
      )
    )
      continue;
    for (let i = 0; i < chunks.length; i++) {
      const slice = have[i];
      const want = { ports: slicePorts(ports), endpoints: chunks[i] };
      if (
        slice &&
        deepEqual((slice.endpoints ?? []).map(canonical), want.endpoints.map(canonical)) &&
        deepEqual(slice.metadata.labels ?? {}, labels)
      )
        continue;
      if (slice) {
        await write(ctx, state, () =>
          ctx.client.update(
            SLICES,
            { ...slice, metadata: { ...slice.metadata, labels }, ...want },
            { namespace: svc.metadata.namespace },
          ),
        );
      } else {
        await write(ctx, state, () =>
          ctx.client.create(SLICES, newSlice(svc, family, labels, want), {
            namespace: svc.metadata.namespace,
          }),
        );
      }
    }
    leftovers.push(...have.slice(chunks.length));
  }
  for (const s of leftovers) {
    await write(ctx, state, () =>
      ctx.client.delete(SLICES, s.metadata.name!, {
        namespace: s.metadata.namespace,
        preconditions: { uid: s.metadata.uid },
      }),
    );
  }
}

function sameEndpoints(slices: Slice[], endpoints: Endpoint[]): boolean {
  const stored = slices.flatMap((s) => s.endpoints ?? []).map(canonical);
  stored.sort((a, b) => (endpointKey(a) < endpointKey(b) ? -1 : 1));
  return deepEqual(stored, endpoints.map(canonical));
}

function newSlice(
  svc: Service,
  family: string,
  labels: Record<string, string>,
  body: { ports: EndpointPort[]; endpoints: Endpoint[] },
): Slice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
      labels,
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name: svc.metadata.name!,
          uid: svc.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType: family,
    ...body,
  };
}
