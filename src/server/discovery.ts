// Discovery: aggregated (apidiscovery.k8s.io v2 and v2beta1) and legacy documents from the kind registry's identities.
import { ALL_VERBS, allResources, groupVersion, type ResourceInfo } from '../api/resources';
import { parseAccept } from './negotiate';
import { metricsAggregatedGroup, metricsApiGroup } from './metrics/discovery';

function resourceEntry(r: ResourceInfo) {
  const entry: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs ?? ALL_VERBS,
  };
  if (r.shortNames) entry.shortNames = r.shortNames;
  if (r.categories) entry.categories = r.categories;
  if (r.subresources.length) {
    entry.subresources = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: s.kind ?? { group: r.group, version: r.version, kind: r.kind },
      verbs: s.verbs,
    }));
  }
  return entry;
}

/**
 * Kubernetes' version order: GA before beta before alpha, higher numbers first, anything else
 * last in name order. The first is the group's preferred version.
 * k8s: staging/src/k8s.io/apimachinery/pkg/version/helpers.go CompareKubeAwareVersionStrings
 */
function versionRank(v: string): [number, number, number, string] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [3, 0, 0, v];
  const major = Number(m[1]);
  if (!m[2]) return [0, -major, 0, v];
  return [m[2] === 'beta' ? 1 : 2, -major, -Number(m[3]), v];
}

export function compareVersions(a: string, b: string): number {
  const x = versionRank(a);
  const y = versionRank(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x[3] < y[3] ? -1 : x[3] > y[3] ? 1 : 0;
}

/** Served kinds by group, then by version in preference order. */
function groups(): Map<string, [string, ResourceInfo[]][]> {
  const byGroup = new Map<string, Map<string, ResourceInfo[]>>();
  for (const r of allResources()) {
    const versions = byGroup.get(r.group) ?? new Map<string, ResourceInfo[]>();
    versions.set(r.version, [...(versions.get(r.version) ?? []), r]);
    byGroup.set(r.group, versions);
  }
  const out = new Map<string, [string, ResourceInfo[]][]>();
  for (const [g, versions] of byGroup)
    out.set(
      g,
      [...versions].sort(([a], [b]) => compareVersions(a, b)),
    );
  return out;
}

function aggregated(core: boolean, version: 'v2' | 'v2beta1') {
  const items = [...groups()]
    .filter(([g]) => (core ? g === '' : g !== ''))
    .map(([g, versions]) => ({
      metadata: core ? { creationTimestamp: null } : { name: g, creationTimestamp: null },
      versions: versions.map(([v, rs]) => ({
        version: v,
        freshness: 'Current',
        resources: rs.map(resourceEntry),
      })),
    }));
  if (!core) items.push(metricsAggregatedGroup as (typeof items)[number]);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items,
  };
}

/** Picks aggregated discovery only when asked by exact media type parameters (`v=` parsed, not substring-matched). */
export function discoveryResponse(
  core: boolean,
  accept: string | null,
  serverAddress: string,
): Response {
  for (const m of parseAccept(accept)) {
    const isJson = m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*';
    if (!isJson) continue;
    const v = m.params.get('v');
    if (
      m.params.get('as') === 'APIGroupDiscoveryList' &&
      m.params.get('g') === 'apidiscovery.k8s.io' &&
      (v === 'v2' || v === 'v2beta1')
    ) {
      return new Response(JSON.stringify(aggregated(core, v)), {
        headers: {
          'content-type': `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`,
        },
      });
    }
    if (!m.params.get('as')) break;
  }
  const body = core ? apiVersions(serverAddress) : apiGroupList();
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
}

function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(g: string, versions: [string, ResourceInfo[]][]) {
  const gvs = versions.map(([v]) => ({ groupVersion: `${g}/${v}`, version: v }));
  return { name: g, versions: gvs, preferredVersion: gvs[0] };
}

function apiGroupList() {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [
      ...[...groups()].filter(([g]) => g !== '').map(([g, rs]) => apiGroup(g, rs)),
      metricsApiGroup,
    ],
  };
}

export function apiGroupDoc(group: string) {
  const rs = groups().get(group);
  return rs && group ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, rs) } : undefined;
}

/** Legacy per-group/version list; kubectl drain reads /api/v1 to find pods/eviction. */
export function apiResourceList(group: string, version: string) {
  const rs = allResources().filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of rs) {
    const main: Record<string, unknown> = {
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs ?? ALL_VERBS,
    };
    if (r.shortNames) main.shortNames = r.shortNames;
    if (r.categories) main.categories = r.categories;
    resources.push(main);
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = {
        name: `${r.resource}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        kind: s.kind?.kind ?? r.kind,
        verbs: s.verbs,
      };
      if (s.kind && (s.kind.group !== r.group || s.kind.version !== r.version)) {
        sub.group = s.kind.group;
        sub.version = s.kind.version;
      }
      resources.push(sub);
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion(rs[0]),
    resources,
  };
}
