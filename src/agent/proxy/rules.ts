// Pure rule computation: Services + EndpointSlices → the TCP listeners one node wants and their backends.
// k8s: pkg/proxy/servicechangetracker.go, pkg/proxy/endpointslicecache.go, pkg/proxy/topology.go
import { SERVICE_NAME_LABEL, type EndpointSlice, type Service } from './types';

export interface Backend {
  ip: string;
  port: number;
  nodeName?: string;
}

export type ListenerKind = 'ClusterIP' | 'NodePort';

export interface ListenerRule {
  /** `host:port`: one listener per key, whatever service claims it. */
  key: string;
  kind: ListenerKind;
  host: string;
  port: number;
  /** ClusterIPs are wanted by every node on the host at once, so they bind with SO_REUSEPORT. */
  shared: boolean;
  /** `namespace/name`. */
  service: string;
  portName: string;
  /** Ready endpoints (or serving-terminating ones when none is ready), sorted. */
  backends: Backend[];
  /** Set when the Service asks for sessionAffinity: ClientIP. */
  affinityTimeoutSeconds?: number;
}

export interface SkippedPort {
  service: string;
  portName: string;
  /** Protocol: not TCP. NonLoopbackClusterIP: not bindable here. PortTaken: another service holds host:port. */
  code: 'Protocol' | 'NonLoopbackClusterIP' | 'PortTaken';
  reason: string;
}

export interface RuleSet {
  listeners: ListenerRule[];
  skipped: SkippedPort[];
}

export interface RuleContext {
  nodeName: string;
  nodeAddress: string;
}

interface CandidateEndpoint extends Backend {
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

// k8s: pkg/apis/core/types.go DefaultClientIPServiceAffinitySeconds
const DEFAULT_AFFINITY_SECONDS = 10800;

export const backendKey = (b: Backend): string => `${b.ip}:${b.port}`;

function isLoopbackIPv4(ip: string): boolean {
  const parts = ip.split('.');
  return (
    parts.length === 4 &&
    parts[0] === '127' &&
    parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
  );
}

const portKey = (service: string, portName: string, protocol: string) =>
  `${service}\0${portName}\0${protocol}`;

/** Endpoints per (service, port name, protocol), merged across the service's slices. */
function collectEndpoints(slices: Iterable<EndpointSlice>): Map<string, CandidateEndpoint[]> {
  const byPort = new Map<string, Map<string, CandidateEndpoint>>();
  for (const slice of slices) {
    const svcName = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    // FQDN slices are not proxied by kube-proxy, and IPv6 addresses have no place on our loopback network.
    if (!svcName || slice.addressType !== 'IPv4') continue;
    const service = `${slice.metadata.namespace ?? ''}/${svcName}`;
    for (const p of slice.ports ?? []) {
      if (p.port === undefined || p.port === null) continue;
      const key = portKey(service, p.name ?? '', p.protocol ?? 'TCP');
      let eps = byPort.get(key);
      if (!eps) byPort.set(key, (eps = new Map()));
      for (const ep of slice.endpoints ?? []) {
        // kube-proxy uses only the first address of an endpoint (endpointslicecache.go).
        const ip = ep.addresses?.[0];
        if (!ip) continue;
        const ready = ep.conditions?.ready !== false;
        const candidate: CandidateEndpoint = {
          ip,
          port: p.port,
          nodeName: ep.nodeName,
          ready,
          serving: ep.conditions?.serving ?? ready,
          terminating: ep.conditions?.terminating === true,
        };
        const id = backendKey(candidate);
        // The same endpoint in two slices (a slice being replaced): the ready copy wins.
        const seen = eps.get(id);
        if (!seen || (!seen.ready && candidate.ready)) eps.set(id, candidate);
      }
    }
  }
  const out = new Map<string, CandidateEndpoint[]>();
  for (const [key, eps] of byPort) out.set(key, [...eps.values()]);
  return out;
}

/**
 * Ready endpoints; when none is ready, the terminating ones still serving, so a rollout that
 * replaces every pod at once does not drop traffic. k8s: pkg/proxy/topology.go CategorizeEndpoints
 */
function usable(eps: CandidateEndpoint[]): Backend[] {
  let chosen = eps.filter((e) => e.ready);
  if (chosen.length === 0) chosen = eps.filter((e) => e.serving && e.terminating);
  return chosen
    .map(({ ip, port, nodeName }) =>
      nodeName === undefined ? { ip, port } : { ip, port, nodeName },
    )
    .sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

/** With traffic policy Local only endpoints on this node serve; none there means the traffic is dropped. */
function forPolicy(
  eps: CandidateEndpoint[],
  policy: string | undefined,
  nodeName: string,
): Backend[] {
  return usable(policy === 'Local' ? eps.filter((e) => e.nodeName === nodeName) : eps);
}

export function computeRules(
  services: Iterable<Service>,
  slices: Iterable<EndpointSlice>,
  ctx: RuleContext,
): RuleSet {
  const endpoints = collectEndpoints(slices);
  const listeners = new Map<string, ListenerRule>();
  const skipped: SkippedPort[] = [];
  // Sorted, so that a clash between two services always resolves the same way on every node.
  const sorted = [...services].sort((a, b) => serviceKey(a).localeCompare(serviceKey(b)));
  for (const svc of sorted) {
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') continue;
    const service = serviceKey(svc);
    const clusterIPs = (
      spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : []
    ).filter((ip) => ip && ip !== 'None');
    const affinity =
      spec.sessionAffinity === 'ClientIP'
        ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS)
        : undefined;
    const wantsNodePort = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    for (const p of spec.ports ?? []) {
      const portName = p.name ?? '';
      const protocol = p.protocol ?? 'TCP';
      if (protocol !== 'TCP') {
        skipped.push({
          service,
          portName,
          code: 'Protocol',
          reason: `${protocol} port ${p.port} is not proxied: this proxy forwards TCP only`,
        });
        continue;
      }
      const eps = endpoints.get(portKey(service, portName, protocol)) ?? [];
      const add = (kind: ListenerKind, host: string, port: number, backends: Backend[]) => {
        const key = `${host}:${port}`;
        const taken = listeners.get(key);
        if (taken) {
          skipped.push({
            service,
            portName,
            code: 'PortTaken',
            reason: `${kind} ${key} is already served for ${taken.service}:${taken.portName}`,
          });
          return;
        }
        const rule: ListenerRule = {
          key,
          kind,
          host,
          port,
          shared: kind === 'ClusterIP',
          service,
          portName,
          backends,
        };
        if (affinity !== undefined) rule.affinityTimeoutSeconds = affinity;
        listeners.set(key, rule);
      };
      for (const ip of clusterIPs) {
        if (!isLoopbackIPv4(ip)) {
          skipped.push({
            service,
            portName,
            code: 'NonLoopbackClusterIP',
            reason: `ClusterIP ${ip} is outside 127.0.0.0/8: this userspace proxy binds ClusterIPs on loopback only (give the cluster a 127.x service CIDR)`,
          });
          continue;
        }
        add('ClusterIP', ip, p.port, forPolicy(eps, spec.internalTrafficPolicy, ctx.nodeName));
      }
      if (wantsNodePort && p.nodePort)
        add(
          'NodePort',
          ctx.nodeAddress,
          p.nodePort,
          forPolicy(eps, spec.externalTrafficPolicy, ctx.nodeName),
        );
    }
  }
  return { listeners: [...listeners.values()].sort((a, b) => a.key.localeCompare(b.key)), skipped };
}

function serviceKey(svc: Service): string {
  return `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
}
