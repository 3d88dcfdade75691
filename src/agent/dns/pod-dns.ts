// A pod's resolver: nameservers, search path and options from its dnsPolicy and dnsConfig, as
// kubelet writes them into the pod's resolv.conf.
// k8s: pkg/kubelet/network/dns/dns.go (getPodDNSType, GetPodDNS, appendDNSConfig, mergeDNSOptions)
import type { Pod } from '../types';
import type { ResolvConf } from './resolv-conf';

export interface PodDns {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export interface ClusterDnsSettings {
  /** The address pods reach the node's cluster DNS on; none when it is not serving. */
  server?: string;
  /** The address hostNetwork pods reach it on (the host's own), when it listens on port 53. */
  hostServer?: string;
  domain: string;
  /** The node's own resolver (search path appended to ClusterFirst's). */
  host: ResolvConf;
}

interface DnsConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}

// k8s: pkg/apis/core/validation MaxDNSNameservers, MaxDNSSearchPaths
const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;

const unique = (xs: string[]) => [...new Set(xs)];

/** options by name: later ones (the pod's dnsConfig) replace earlier ones. */
function mergeOptions(base: string[], extra: { name: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0], o);
  for (const o of extra)
    byName.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

/**
 * What the pod's resolv.conf holds; undefined means the runtime's default (the node's own
 * resolver), which is what dnsPolicy Default is. A ClusterFirst pod on a node without cluster DNS
 * falls back to that too, as kubelet does without --cluster-dns.
 */
export function podDns(pod: Pod, s: ClusterDnsSettings): PodDns | undefined {
  const spec = pod.spec as Pod['spec'] & {
    dnsPolicy?: string;
    dnsConfig?: DnsConfig;
    hostNetwork?: boolean;
  };
  const policy = spec.dnsPolicy ?? 'ClusterFirst';
  const cfg = spec.dnsConfig ?? {};
  let base: PodDns | undefined;
  // A hostNetwork pod shares the host's network: it reaches the server where it listens.
  const server = spec.hostNetwork ? s.hostServer : s.server;
  if (policy === 'None') base = { nameservers: [], searches: [], options: [] };
  else if (
    server &&
    (policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !spec.hostNetwork))
  ) {
    const ns = pod.metadata.namespace ?? 'default';
    base = {
      nameservers: [server],
      searches: [`${ns}.svc.${s.domain}`, `svc.${s.domain}`, s.domain, ...s.host.searches],
      options: ['ndots:5'],
    };
  } else if (!spec.dnsConfig) return undefined;
  else base = { ...s.host };
  return {
    nameservers: unique([...base.nameservers, ...(cfg.nameservers ?? [])]).slice(
      0,
      MAX_NAMESERVERS,
    ),
    searches: unique([...base.searches, ...(cfg.searches ?? [])]).slice(0, MAX_SEARCHES),
    options: mergeOptions(base.options, cfg.options ?? []),
  };
}

/** Whether the pod's resolver is this node's cluster DNS (its sandbox must reach the host then). */
export const usesClusterDns = (d: PodDns | undefined, s: ClusterDnsSettings): boolean =>
  !!d && !!s.server && d.nameservers.includes(s.server);
