// The cluster's DNS names, answered from the Services and EndpointSlices the agent already watches.
// Pure: a snapshot of both goes in, answers come out; no sockets here. Names and record shapes as
// the Kubernetes DNS specification gives them (and CoreDNS's kubernetes plugin serves them):
//   <svc>.<ns>.svc.<domain>            A: the ClusterIP; a headless Service: its ready endpoints
//   <hostname>.<svc>.<ns>.svc.<domain> A: the endpoint with that hostname (StatefulSet pods)
//   <a-b-c-d>.<svc>.<ns>.svc.<domain>  A: an endpoint by its dashed address
//   _<port>._<proto>.<svc>.<ns>.svc.<domain>  SRV for each named port
//   <a-b-c-d>.<ns>.pod.<domain>        A: that address
//   ExternalName Services              CNAME to the external name
// k8s: https://github.com/kubernetes/dns/blob/master/docs/specification.md
import type { Endpoint, EndpointSlice, Service, ServicePort } from '../proxy/types';

/** Seconds a client may cache an answer (CoreDNS's kubernetes plugin default). */
export const CLUSTER_TTL = 5;

export interface DnsService extends Service {
  spec?: Service['spec'] & {
    externalName?: string;
    ports?: (ServicePort & { name?: string })[];
  };
}

export interface DnsEndpoint extends Endpoint {
  hostname?: string;
}

export interface DnsSlice extends EndpointSlice {
  endpoints?: DnsEndpoint[] | null;
}

export type Rr =
  | { type: 'A'; name: string; ttl: number; data: string }
  | { type: 'CNAME'; name: string; ttl: number; data: string }
  | {
      type: 'SRV';
      name: string;
      ttl: number;
      data: { priority: number; weight: number; port: number; target: string };
    };

export type ZoneAnswer =
  /** Not a cluster name: the node's resolver answers it. */
  | { kind: 'forward' }
  /** A cluster name: NOERROR with these records (none: the name exists, not with that type). */
  | { kind: 'answer'; answers: Rr[]; additionals: Rr[] }
  | { kind: 'nxdomain' };

interface Target {
  ip: string;
  hostname?: string;
  ports: Map<string, { port: number; protocol: string }>;
}

interface Entry {
  svc: DnsService;
  headless: boolean;
  endpoints: Target[];
}

const isIPv4 = (s: string) =>
  /^\d{1,3}(\.\d{1,3}){3}$/.test(s) && s.split('.').every((p) => Number(p) <= 255);
const dashed = (ip: string) => ip.replace(/\./g, '-');
const undashed = (label: string) => label.replace(/-/g, '.');

/** An index of the cluster's names, rebuilt from a snapshot whenever the watches change. */
export class ClusterZone {
  private readonly services = new Map<string, Entry>();
  private readonly namespaces = new Set<string>();
  readonly domain: string;

  constructor(
    services: Iterable<DnsService>,
    slices: Iterable<DnsSlice>,
    domain = 'cluster.local',
  ) {
    this.domain = domain.toLowerCase().replace(/\.$/, '');
    for (const svc of services) {
      const ns = svc.metadata.namespace ?? '';
      const ip = svc.spec?.clusterIP;
      this.services.set(`${svc.metadata.name}.${ns}`, {
        svc,
        headless: ip === 'None' || (!ip && svc.spec?.type !== 'ExternalName'),
        endpoints: [],
      });
      this.namespaces.add(ns);
    }
    for (const slice of slices) {
      const svcName = slice.metadata.labels?.['kubernetes.io/service-name'];
      const entry = svcName && this.services.get(`${svcName}.${slice.metadata.namespace ?? ''}`);
      if (!entry || slice.addressType !== 'IPv4') continue;
      const ports = new Map<string, { port: number; protocol: string }>();
      for (const p of slice.ports ?? [])
        if (p.port !== undefined && p.port !== null)
          ports.set(p.name ?? '', { port: p.port, protocol: (p.protocol ?? 'TCP').toLowerCase() });
      for (const ep of slice.endpoints ?? []) {
        // Ready endpoints only (publishNotReadyAddresses makes the controller mark them ready).
        if (ep.conditions?.ready === false) continue;
        for (const ip of ep.addresses ?? [])
          if (isIPv4(ip)) entry.endpoints.push({ ip, hostname: ep.hostname, ports });
      }
    }
    for (const e of this.services.values()) e.endpoints.sort((a, b) => (a.ip < b.ip ? -1 : 1));
  }

  /** Answers one question; `type` is the record type asked for ('A', 'AAAA', 'SRV', 'ANY', ...). */
  answer(qname: string, type: string): ZoneAnswer {
    const name = qname.toLowerCase().replace(/\.$/, '');
    const suffix = `.${this.domain}`;
    if (name !== this.domain && !name.endsWith(suffix)) return { kind: 'forward' };
    const labels = name === this.domain ? [] : name.slice(0, -suffix.length).split('.');
    const empty: ZoneAnswer = { kind: 'answer', answers: [], additionals: [] };
    if (labels.length === 0) return empty;
    const kind = labels[labels.length - 1];
    const rest = labels.slice(0, -1);
    if (kind === 'svc') return this.service(rest, type, name) ?? { kind: 'nxdomain' };
    if (kind === 'pod') return this.pod(rest, type, name) ?? { kind: 'nxdomain' };
    return { kind: 'nxdomain' };
  }

  private fqdn(...labels: string[]): string {
    return [...labels, 'svc', this.domain].join('.');
  }

  private service(labels: string[], type: string, name: string): ZoneAnswer | undefined {
    const out = { kind: 'answer' as const, answers: [] as Rr[], additionals: [] as Rr[] };
    if (labels.length === 0) return out;
    if (labels.length === 1) return this.namespaces.has(labels[0]) ? out : undefined;
    const [svcName, ns] = labels.slice(-2);
    const entry = this.services.get(`${svcName}.${ns}`);
    if (!entry) return undefined;
    const lead = labels.slice(0, -2);
    const wantA = type === 'A' || type === 'ANY';
    const wantSrv = type === 'SRV' || type === 'ANY';
    if (lead.length === 0) {
      const spec = entry.svc.spec ?? {};
      if (spec.type === 'ExternalName' && spec.externalName) {
        out.answers.push({
          type: 'CNAME',
          name,
          ttl: CLUSTER_TTL,
          data: spec.externalName.replace(/\.$/, ''),
        });
        return out;
      }
      if (wantA) out.answers.push(...this.addresses(entry, name));
      if (wantSrv) this.srv(entry, svcName, ns, undefined, name, out);
      return out;
    }
    if (lead.length === 1) {
      const target = this.endpointByLabel(entry, lead[0]);
      if (!target) return undefined;
      if (wantA) out.answers.push({ type: 'A', name, ttl: CLUSTER_TTL, data: target.ip });
      return out;
    }
    if (lead.length === 2 && lead[0].startsWith('_') && lead[1].startsWith('_')) {
      const port = lead[0].slice(1);
      const proto = lead[1].slice(1);
      const found = (entry.svc.spec?.ports ?? []).some(
        (p) => (p.name ?? '') === port && (p.protocol ?? 'TCP').toLowerCase() === proto,
      );
      if (!found) return undefined;
      if (wantSrv) this.srv(entry, svcName, ns, { port, proto }, name, out);
      return out;
    }
    return undefined;
  }

  private addresses(entry: Entry, name: string): Rr[] {
    if (!entry.headless) {
      const spec = entry.svc.spec ?? {};
      const ips = (spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP ?? '']).filter(
        isIPv4,
      );
      return ips.map((ip) => ({ type: 'A', name, ttl: CLUSTER_TTL, data: ip }));
    }
    const seen = new Set<string>();
    const out: Rr[] = [];
    for (const t of entry.endpoints) {
      if (seen.has(t.ip)) continue;
      seen.add(t.ip);
      out.push({ type: 'A', name, ttl: CLUSTER_TTL, data: t.ip });
    }
    return out;
  }

  /** An endpoint of a headless Service by its hostname, or by its dashed address. */
  private endpointByLabel(entry: Entry, label: string): Target | undefined {
    if (!entry.headless) return undefined;
    return (
      entry.endpoints.find((t) => t.hostname?.toLowerCase() === label) ??
      entry.endpoints.find((t) => !t.hostname && dashed(t.ip) === label) ??
      (isIPv4(undashed(label)) ? entry.endpoints.find((t) => t.ip === undashed(label)) : undefined)
    );
  }

  // k8s DNS spec 2.4.2 (ClusterIP: one SRV naming the service) and 2.4.3 (headless: one per endpoint).
  private srv(
    entry: Entry,
    svcName: string,
    ns: string,
    only: { port: string; proto: string } | undefined,
    name: string,
    out: { answers: Rr[]; additionals: Rr[] },
  ) {
    const ports = (entry.svc.spec?.ports ?? []).filter(
      (p) =>
        p.name &&
        (!only || (p.name === only.port && (p.protocol ?? 'TCP').toLowerCase() === only.proto)),
    );
    for (const p of ports) {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const owner = only
        ? name
        : [`_${p.name}`, `_${proto}`, svcName, ns, 'svc', this.domain].join('.');
      if (!entry.headless) {
        const target = this.fqdn(svcName, ns);
        out.answers.push({
          type: 'SRV',
          name: owner,
          ttl: CLUSTER_TTL,
          data: { priority: 0, weight: 100, port: p.port, target },
        });
        out.additionals.push(...this.addresses(entry, target));
        continue;
      }
      const targets = entry.endpoints.filter((t) => t.ports.has(p.name!));
      const weight = targets.length ? Math.floor(100 / targets.length) : 0;
      for (const t of targets) {
        const host = t.hostname ?? dashed(t.ip);
        const target = this.fqdn(host, svcName, ns);
        out.answers.push({
          type: 'SRV',
          name: owner,
          ttl: CLUSTER_TTL,
          data: { priority: 0, weight, port: t.ports.get(p.name!)!.port, target },
        });
        out.additionals.push({ type: 'A', name: target, ttl: CLUSTER_TTL, data: t.ip });
      }
    }
  }

  /** `<a-b-c-d>.<ns>.pod.<domain>`: the address its name spells (CoreDNS's "pods insecure"). */
  private pod(labels: string[], type: string, name: string): ZoneAnswer | undefined {
    if (labels.length !== 2)
      return labels.length < 2 ? { kind: 'answer', answers: [], additionals: [] } : undefined;
    const ip = undashed(labels[0]);
    if (!isIPv4(ip)) return undefined;
    const answers: Rr[] =
      type === 'A' || type === 'ANY' ? [{ type: 'A', name, ttl: CLUSTER_TTL, data: ip }] : [];
    return { kind: 'answer', answers, additionals: [] };
  }
}
