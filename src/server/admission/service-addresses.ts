// Service ClusterIPs and NodePorts: allocated from configured ranges, reserved atomically in storage.
import type { KObject, ResourceInfoLike } from "./types";
import type { ApiContext } from '../context';
import { errors } from '../errors';
import { newUid, timestamp } from '../rest/objects';
import { parseCidr, ipToString, type Cidr } from '../../lib/cidr';

/** Internal, unserved resource: one object per reserved address or port (create = reserve). */
const ALLOCATIONS: ResourceInfoLike = {
  group: 'internal.edgeplane.dev',
  version: 'v1',
  resource: 'allocations',
  singular: 'allocation',
  kind: 'Allocation',
  listKind: 'AllocationList',
  namespaced: false,
  subresources: [],
  partitioned: false,
};

interface ServicePort {
  port?: number;
  nodePort?: number;
  name?: string;
}
interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
}

export function serviceCidr(ctx: ApiContext): Cidr {
  return parseCidr(ctx.env.SERVICE_CIDR || '10.96.0.0/16');
}

export function nodePortRange(ctx: ApiContext): [number, number] {
  const [a, b] = (ctx.env.SERVICE_NODE_PORT_RANGE || '30000-32767').split('-').map(Number);
  return [a, b];
}

/** The first address of the range belongs to the default/kubernetes Service. */
export function kubernetesServiceIP(ctx: ApiContext): string {
  return ipToString(serviceCidr(ctx).base + 1);
}

async function reserve(ctx: ApiContext, key: string, owner: string): Promise<boolean> {
  if (ctx.query.getAll('dryRun').includes('All')) return true;
  const res = await ctx.store.create(ALLOCATIONS, {
    apiVersion: 'internal.edgeplane.dev/v1',
    kind: 'Allocation',
    metadata: { name: key, uid: newUid(), creationTimestamp: timestamp(), annotations: { owner } },
  });
  return res.ok;
}

async function release(ctx: ApiContext, key: string): Promise<void> {
  await ctx.store.delete(ALLOCATIONS, undefined, key);
}

function owner(obj: KObject): string {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}

export async function allocateServiceAddresses(ctx: ApiContext, obj: KObject): Promise<void> {
  const spec = (obj.spec ?? {}) as ServiceSpec;
  if (spec.type === 'ExternalName') return;
  await allocateClusterIP(ctx, obj, spec);
  await allocateNodePorts(ctx, obj, spec, new Set());
}

async function allocateClusterIP(ctx: ApiContext, obj: KObject, spec: ServiceSpec): Promise<void> {
  const requested = spec.clusterIP || spec.clusterIPs?.[0];
  if (requested === 'None') {
    spec.clusterIP = 'None';
    spec.clusterIPs = ['None'];
    return;
  }
  const cidr = serviceCidr(ctx);
  if (requested) {
    if (!cidr.contains(requested)) {
      throw errors.invalid({ resource: 'services', group: '', name: obj.metadata.name }, 'Service', [
        { type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: `Invalid value: "${requested}": failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${cidr.text}` },
      ]);
    }
    if (!(await reserve(ctx, `ip-${requested}`, owner(obj)))) {
      throw errors.invalid({ resource: 'services', group: '', name: obj.metadata.name }, 'Service', [
        { type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: `Invalid value: "${requested}": failed to allocate IP ${requested}: provided IP is already allocated` },
      ]);
    }
    spec.clusterIP = requested;
    spec.clusterIPs = [requested];
    return;
  }
  // Random probing; the range's first address (.1) is kept for default/kubernetes.
  for (let i = 0; i < 64; i++) {
    const ip = ipToString(cidr.base + 2 + Math.floor(Math.random() * Math.max(1, cidr.size - 3)));
    if (await reserve(ctx, `ip-${ip}`, owner(obj))) {
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
      return;
    }
  }
  throw errors.internal(`failed to allocate a service IP: range ${cidr.text} is full`);
}

async function allocateNodePorts(ctx: ApiContext, obj: KObject, spec: ServiceSpec, held: Set<number>): Promise<void> {
  if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') return;
  const [lo, hi] = nodePortRange(ctx);
  for (const [i, p] of (spec.ports ?? []).entries()) {
    if (p.nodePort && held.has(p.nodePort)) continue;
    if (p.nodePort) {
      const bad = p.nodePort < lo || p.nodePort > hi ? `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}` : undefined;
      if (bad || !(await reserve(ctx, `port-${p.nodePort}`, owner(obj)))) {
        throw errors.invalid({ resource: 'services', group: '', name: obj.metadata.name }, 'Service', [
          { type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: ${bad ?? 'provided port is already allocated'}` },
        ]);
      }
      continue;
    }
    for (let tries = 0; ; tries++) {
      if (tries > 128) throw errors.internal(`failed to allocate a node port: range ${lo}-${hi} is full`);
      const port = lo + Math.floor(Math.random() * (hi - lo + 1));
      if (await reserve(ctx, `port-${port}`, owner(obj))) {
        p.nodePort = port;
        break;
      }
    }
  }
}

/** k8s: the service REST keeps allocated values a client left out, and allocates what is new. */
export async function reallocateOnUpdate(ctx: ApiContext, next: KObject, live: KObject): Promise<void> {
  const ns = (next.spec ?? (next.spec = {})) as ServiceSpec;
  const ls = (live.spec ?? {}) as ServiceSpec;
  if (!ns.clusterIP && ls.clusterIP && ns.type !== 'ExternalName') ns.clusterIP = ls.clusterIP;
  if (!ns.clusterIPs?.length && ls.clusterIPs && ns.type !== 'ExternalName') ns.clusterIPs = ls.clusterIPs;
  const heldPorts = new Set((ls.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p));
  if (ns.type === 'NodePort' || ns.type === 'LoadBalancer') {
    for (const p of ns.ports ?? []) {
      if (p.nodePort) continue;
      const before = (ls.ports ?? []).find((q) => q.port === p.port && q.nodePort);
      if (before) p.nodePort = before.nodePort;
    }
    await allocateNodePorts(ctx, next, ns, heldPorts);
  }
  if (ctx.query.getAll('dryRun').includes('All')) return;
  const kept = new Set((ns.type === 'NodePort' || ns.type === 'LoadBalancer' ? ns.ports ?? [] : []).map((p) => p.nodePort));
  for (const port of heldPorts) if (!kept.has(port)) await release(ctx, `port-${port}`);
}

export async function releaseServiceAddresses(ctx: ApiContext, obj: KObject): Promise<void> {
  const spec = (obj.spec ?? {}) as ServiceSpec;
  for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) {
    if (ip && ip !== 'None') await release(ctx, `ip-${ip}`);
  }
  for (const p of spec.ports ?? []) if (p.nodePort) await release(ctx, `port-${p.nodePort}`);
}

/** Reserves the default Service's address at bootstrap. */
export async function reserveKubernetesServiceIP(ctx: ApiContext): Promise<string> {
  const ip = kubernetesServiceIP(ctx);
  await reserve(ctx, `ip-${ip}`, 'default/kubernetes');
  return ip;
}
