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

function groups(): Map<string, ResourceInfo[]> {
  const out = new Map<string, ResourceInfo[]>();
  for (const r of allResources()) out.set(r.group, [...(out.get(r.group) ?? []), r]);
  return out;
}

function aggregated(core: boolean, version: 'v2' | 'v2beta1') {
  const items = [...groups()]
    .filter(([g]) => (core ? g === '' : g !== ''))
    .map(([g, rs]) => ({
      metadata: core ? { creationTimestamp: null } : { name: g, creationTimestamp: null },
      versions: [
        { version: rs[0].version, freshness: 'Current', resources: rs.map(resourceEntry) },
      ],
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

function apiGroup(g: string, rs: ResourceInfo[]) {
  const gv = { groupVersion: groupVersion(rs[0]), version: rs[0].version };
  return { name: g, versions: [gv], preferredVersion: gv };
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
