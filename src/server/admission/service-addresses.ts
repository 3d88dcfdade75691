// Service ClusterIPs and NodePorts: allocated from configured ranges and reserved in the allocation
// table; a write keeps its reservations only once the Service is stored, and frees what a Service
// gave up only after the update committed.
// k8s: pkg/registry/core/service/storage/alloc.go (allocClusterIPs, allocNodePorts, releaseAllocated...).
import type { KObject } from './types';
import type { ApiContext } from '../context';
import { errors } from '../errors';
import { parseCidr, ipToString, type Cidr } from '../../lib/cidr';
import {
  ALLOCATIONS,
  commitReservations,
  pendingOf,
  releaseKey,
  reserveKey,
} from './allocation-table';

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

export function serviceCidr(ctx: Pick<ApiContext, 'env'>): Cidr {
  return parseCidr(ctx.env.SERVICE_CIDR || '10.96.0.0/16');
}

export function nodePortRange(ctx: Pick<ApiContext, 'env'>): [number, number] {
  const [a, b] = (ctx.env.SERVICE_NODE_PORT_RANGE || '30000-32767').split('-').map(Number);
  return [a, b];
}

/** The first address of the range belongs to the default/kubernetes Service. */
export function kubernetesServiceIP(ctx: Pick<ApiContext, 'env'>): string {
  return ipToString(serviceCidr(ctx).base + 1);
}

const usesNodePorts = (spec: ServiceSpec) =>
  spec.type === 'NodePort' || spec.type === 'LoadBalancer';

/** The allocation keys a Service holds: its ClusterIPs and, for NodePort and LoadBalancer, its node ports. */
export function serviceKeys(svc: KObject): Set<string> {
  const spec = (svc.spec ?? {}) as ServiceSpec;
  const keys = new Set<string>();
  if (spec.type === 'ExternalName') return keys;
  for (const ip of spec.clusterIPs?.length
    ? spec.clusterIPs
    : spec.clusterIP
      ? [spec.clusterIP]
      : [])
    if (ip && ip !== 'None') keys.add(`ip-${ip}`);
  if (usesNodePorts(spec))
    for (const p of spec.ports ?? []) if (p.nodePort) keys.add(`port-${p.nodePort}`);
  return keys;
}

/** Reserves `key` for this request; a key this request already reserved (an earlier attempt) is its own. */
async function reserve(ctx: ApiContext, key: string, owner: string): Promise<boolean> {
  // A dry run reserves nothing but answers as the real write would (k8s: the dry-run allocator).
  if (ctx.query.getAll('dryRun').includes('All'))
    return !(await ctx.store.get(ALLOCATIONS, undefined, key));
  const mine = pendingOf(ctx.request);
  if (mine?.reserved.has(key)) return true;
  if (!(await reserveKey(ctx.store, key, owner))) return false;
  mine?.reserved.add(key);
  return true;
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

async function allocateClusterIP(
  ctx: ApiContext,
  obj: KObject,
  spec: ServiceSpec,
  held = new Set<string>(),
): Promise<void> {
  const requested = spec.clusterIP || spec.clusterIPs?.[0];
  if (requested === 'None') {
    spec.clusterIP = 'None';
    spec.clusterIPs = ['None'];
    return;
  }
  const cidr = serviceCidr(ctx);
  if (requested) {
    if (!cidr.contains(requested)) {
      throw errors.invalid(
        { resource: 'services', group: '', name: obj.metadata.name },
        'Service',
        [
          {
            type: 'FieldValueInvalid',
            field: 'spec.clusterIPs[0]',
            message: `Invalid value: "${requested}": failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${cidr.text}`,
          },
        ],
      );
    }
    if (!held.has(`ip-${requested}`) && !(await reserve(ctx, `ip-${requested}`, owner(obj)))) {
      throw errors.invalid(
        { resource: 'services', group: '', name: obj.metadata.name },
        'Service',
        [
          {
            type: 'FieldValueInvalid',
            field: 'spec.clusterIPs[0]',
            message: `Invalid value: "${requested}": failed to allocate IP ${requested}: provided IP is already allocated`,
          },
        ],
      );
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

async function allocateNodePorts(
  ctx: ApiContext,
  obj: KObject,
  spec: ServiceSpec,
  held: Set<string>,
): Promise<void> {
  if (!usesNodePorts(spec)) return;
  const [lo, hi] = nodePortRange(ctx);
  for (const [i, p] of (spec.ports ?? []).entries()) {
    if (p.nodePort && held.has(`port-${p.nodePort}`)) continue;
    if (p.nodePort) {
      const bad =
        p.nodePort < lo || p.nodePort > hi
          ? `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`
          : undefined;
      if (bad || !(await reserve(ctx, `port-${p.nodePort}`, owner(obj)))) {
        throw errors.invalid(
          { resource: 'services', group: '', name: obj.metadata.name },
          'Service',
          [
            {
              type: 'FieldValueInvalid',
              field: `spec.ports[${i}].nodePort`,
              message: `Invalid value: ${p.nodePort}: ${bad ?? 'provided port is already allocated'}`,
            },
          ],
        );
      }
      continue;
    }
    for (let tries = 0; ; tries++) {
      if (tries > 128)
        throw errors.internal(`failed to allocate a node port: range ${lo}-${hi} is full`);
      const port = lo + Math.floor(Math.random() * (hi - lo + 1));
      if (await reserve(ctx, `port-${port}`, owner(obj))) {
        p.nodePort = port;
        break;
      }
    }
  }
}

/**
 * k8s: the service REST keeps allocated values a client left out, and allocates what is new. What
 * the Service held before is remembered and freed only once the update commits (afterUpdate).
 */
export async function reallocateOnUpdate(
  ctx: ApiContext,
  next: KObject,
  live: KObject,
): Promise<void> {
  const ns = (next.spec ?? (next.spec = {})) as ServiceSpec;
  const ls = (live.spec ?? {}) as ServiceSpec;
  const held = serviceKeys(live);
  const mine = pendingOf(ctx.request);
  if (mine) mine.before = held;
  if (ns.type === 'ExternalName') return;
  if (!ns.clusterIP && ls.clusterIP && ls.type !== 'ExternalName') ns.clusterIP = ls.clusterIP;
  if (!ns.clusterIPs?.length && ls.clusterIPs && ls.type !== 'ExternalName')
    ns.clusterIPs = ls.clusterIPs;
  // A Service that had no address (it was ExternalName) gets one now.
  if (!ns.clusterIP || ns.clusterIP !== ls.clusterIP) await allocateClusterIP(ctx, next, ns, held);
  if (usesNodePorts(ns)) {
    for (const p of ns.ports ?? []) {
      if (p.nodePort) continue;
      const before = (ls.ports ?? []).find((q) => q.port === p.port && q.nodePort);
      if (before) p.nodePort = before.nodePort;
    }
    await allocateNodePorts(ctx, next, ns, held);
  }
}

/** The write committed: the stored Service owns what it holds; what it gave up is freed now. */
export async function commitServiceAddresses(ctx: ApiContext, stored: KObject): Promise<void> {
  await commitReservations(ctx.store, ctx.request, serviceKeys(stored));
}

export async function releaseServiceAddresses(ctx: ApiContext, obj: KObject): Promise<void> {
  for (const key of serviceKeys(obj)) await releaseKey(ctx.store, key);
}

/** Reserves the default Service's address at bootstrap. */
export async function reserveKubernetesServiceIP(ctx: ApiContext): Promise<string> {
  const ip = kubernetesServiceIP(ctx);
  await reserveKey(ctx.store, `ip-${ip}`, 'default/kubernetes');
  return ip;
}
