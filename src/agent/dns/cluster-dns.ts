// The node's cluster DNS: the DNS server over the service proxy's watches, and the settings the
// runtime gives pods (the address they reach it on, the domain, the node's own resolver).
import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';
import type { ServiceFeed } from '../proxy/service-proxy';
import type { ClusterDnsSettings } from './pod-dns';
import { parseServer, readResolvConf } from './resolv-conf';
import { startDnsServer, type DnsServer } from './server';
import { ClusterZone } from './zone';

const PROBE_ATTEMPTS = 10;
const PROBE_PAUSE_MS = 500;

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
    settings.hostServer = hostServer(cfg.listen);
    log(
      `cluster DNS on ${server.address} (pods use ${cfg.podAddress}), ${cfg.domain}; other names go to ${upstreams.join(', ') || 'nowhere (no upstream resolver)'}`,
    );
    return server;
  } catch (err) {
    // Another agent of this host (local nodes share one) may hold the port: if what listens there
    // answers for the cluster's own API Service, pods can use it as well.
    if (await eventuallyAnswers(cfg.listen, cfg.domain)) {
      settings.server = cfg.podAddress;
      settings.hostServer = hostServer(cfg.listen);
      log(
        `cluster DNS: ${cfg.listen} is served by another process that answers ${cfg.domain} names (another agent on this host); pods use it`,
      );
      return undefined;
    }
    log(
      `cluster DNS could not listen on ${cfg.listen} (${(err as Error).message}); pods with dnsPolicy ClusterFirst use the node's resolver`,
    );
    return undefined;
  }
}

/**
 * Agents of one host start together: the one holding the port may not have listed the cluster's
 * Services yet, so it is asked a few times before the answer counts as no.
 */
async function eventuallyAnswers(listen: string, domain: string): Promise<boolean> {
  for (let attempt = 0; attempt < PROBE_ATTEMPTS; attempt++) {
    if (await answersClusterNames(listen, domain)) return true;
    await new Promise((r) => setTimeout(r, PROBE_PAUSE_MS));
  }
  return false;
}

/** A resolv.conf names no port: hostNetwork pods can use the server only on port 53. */
function hostServer(listen: string): string | undefined {
  const { host, port } = parseServer(listen);
  return port === 53 ? host : undefined;
}

/** Whether a DNS server at `listen` knows kubernetes.default.svc.<domain> (every cluster has it). */
async function answersClusterNames(listen: string, domain: string): Promise<boolean> {
  const { host, port } = parseServer(listen);
  const name = `kubernetes.default.svc.${domain}`;
  return new Promise((resolve) => {
    const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      sock.close();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), 1000);
    sock.on('error', () => finish(false));
    sock.on('message', (m) => {
      try {
        const r = packet.decode(m);
        finish(((r.flags ?? 0) & 0xf) === 0 && (r.answers ?? []).some((a) => a.type === 'A'));
      } catch {
        finish(false);
      }
    });
    sock.send(
      packet.encode({ type: 'query', id: 1, questions: [{ type: 'A', name }] }),
      port,
      host,
    );
  });
}
