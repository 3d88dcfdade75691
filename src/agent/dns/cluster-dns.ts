// The node's cluster DNS: the DNS server over the service proxy's watches, and the settings the
// runtime gives pods (the address they reach it on, the domain, the node's own resolver).
import type { ServiceFeed } from '../proxy/service-proxy';
import type { ClusterDnsSettings } from './pod-dns';
import { readResolvConf } from './resolv-conf';
import { startDnsServer, type DnsServer } from './server';
import { ClusterZone } from './zone';

export interface ClusterDnsConfig {
  /** Where the server listens, `host:port`. */
  listen: string;
  /** The address pods put in their resolv.conf (port 53 is implied there). */
  podAddress: string;
  /** Names outside the cluster go here; default the node's /etc/resolv.conf nameservers. */
  upstreams?: string[];
  domain: string;
}

/** The settings before the server is up: no `server`, so pods use the node's resolver. */
export function clusterDnsSettings(cfg: ClusterDnsConfig | undefined): ClusterDnsSettings {
  return { domain: cfg?.domain ?? 'cluster.local', host: readResolvConf() };
}

/**
 * Starts serving and points `settings` at it. A server that cannot bind (port 53 taken, no
 * permission) is logged and left out: ClusterFirst pods then get the node's resolver, as kubelet
 * gives them without --cluster-dns.
 */
export async function startClusterDns(
  feed: ServiceFeed,
  cfg: ClusterDnsConfig,
  settings: ClusterDnsSettings,
  log: (m: string) => void,
): Promise<DnsServer | undefined> {
  let zone: ClusterZone | undefined;
  feed.onChange(() => (zone = undefined));
  const upstreams = cfg.upstreams ?? settings.host.nameservers;
  try {
    const server = await startDnsServer({
      listen: cfg.listen,
      upstreams,
      zone: () => (zone ??= new ClusterZone(feed.services(), feed.slices(), cfg.domain)),
      log,
    });
    settings.server = cfg.podAddress;
    log(
      `cluster DNS on ${server.address} (pods use ${cfg.podAddress}), ${cfg.domain}; other names go to ${upstreams.join(', ') || 'nowhere (no upstream resolver)'}`,
    );
    return server;
  } catch (err) {
    log(
      `cluster DNS could not listen on ${cfg.listen} (${(err as Error).message}); pods with dnsPolicy ClusterFirst use the node's resolver`,
    );
    return undefined;
  }
}
