// The registry of our own schemas: every definition by upstream name, lookup by kind, and SchemaNav over them.
import { allResources, groupVersion, resourcesGeneration } from '../../api/resources';
import { allDefinitions } from '../registry';
import { ANY_NAV, type SchemaNav } from '../../lib/schema-nav';
import { META, type Schema, REF_PREFIX, gvk, kind, list, ref } from './dsl';
import { metaDefs } from './defs-meta';
import { containerDefs } from './defs-container';
import { volumeDefs } from './defs-volume';
import { schedulingDefs } from './defs-scheduling';
import { podDefs } from './defs-pod';
import { nodeDefs } from './defs-node';
import { serviceDefs } from './defs-service';
import { coreDefs } from './defs-core';
import { appsDefs } from './defs-apps';
import { otherDefs } from './defs-other';
import { reviewDefs } from './defs-reviews';

export type { Schema } from './dsl';

const BASE: Record<string, Schema> = {
  ...metaDefs,
  ...containerDefs,
  ...volumeDefs,
  ...schedulingDefs,
  ...podDefs,
  ...nodeDefs,
  ...serviceDefs,
  ...coreDefs,
  ...appsDefs,
  ...otherDefs,
  ...reviewDefs,
};

const gvKey = (apiVersion: string, kindName: string) => `${apiVersion}/${kindName}`;

function indexByGVK(defs: Record<string, Schema>): Map<string, string> {
  const byGVK = new Map<string, string>();
  for (const [name, s] of Object.entries(defs)) {
    for (const g of s['x-kubernetes-group-version-kind'] ?? []) {
      const key = gvKey(groupVersion(g), g.kind);
      // DeleteOptions carries many GVKs; a kind's own definition wins over such shared ones.
      if (!byGVK.has(key)) byGVK.set(key, name);
    }
  }
  return byGVK;
}

/** <Kind>List for every served resource, as upstream defines them, so list responses have a schema too. */
function listDefs(
  defs: Record<string, Schema>,
  byGVK: Map<string, string>,
): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const r of allResources()) {
    const item = byGVK.get(gvKey(groupVersion(r), r.kind));
    if (!item || (r.verbs && !r.verbs.includes('list'))) continue; // the create-only reviews
    out[item + 'List'] = kind(
      `A list of ${r.kind} objects.`,
      gvk(r.group, r.version, r.listKind),
      {
        metadata: ref(META + 'ListMeta', 'Standard list metadata.'),
        items: list(ref(item), { desc: `The ${r.kind} objects.` }),
      },
      { required: ['items'] },
    );
  }
  return out;
}

/**
 * The built-in definitions plus those the registered kinds bring (CRDs), with a <Kind>List for
 * each; rebuilt when the set of kinds changes (resourcesGeneration), else shared.
 */
let built:
  { generation: number; defs: Record<string, Schema>; byGVK: Map<string, string> } | undefined;

function current() {
  const generation = resourcesGeneration();
  if (built?.generation !== generation) {
    const base: Record<string, Schema> = { ...BASE };
    for (const d of allDefinitions()) Object.assign(base, d.schemas);
    const defs = { ...base, ...listDefs(base, indexByGVK(base)) };
    built = { generation, defs, byGVK: indexByGVK(defs) };
  }
  return built;
}

/** Every definition, keyed by its upstream name (io.k8s.api.core.v1.PodSpec, ...). Do not mutate. */
export function definitions(): Readonly<Record<string, Schema>> {
  return current().defs;
}

/** The definition name of a kind, e.g. ("apps/v1", "Deployment") → io.k8s.api.apps.v1.Deployment. */
export function definitionName(apiVersion: string, kindName: string): string | undefined {
  return current().byGVK.get(gvKey(apiVersion, kindName));
}

export function schemaForKind(apiVersion: string, kindName: string): Schema | undefined {
  const name = definitionName(apiVersion, kindName);
  return name ? current().defs[name] : undefined;
}

/** Follows $ref (and the single-element allOf that wraps a described $ref) to the schema that has the shape. */
export function resolveSchema(s: Schema): Schema {
  let cur = s;
  for (let hops = 0; hops < 8; hops++) {
    if (cur.$ref) {
      const target = current().defs[cur.$ref.slice(REF_PREFIX.length)];
      if (!target) throw new Error(`schema: dangling $ref ${cur.$ref}`);
      cur = target;
    } else if (cur.allOf?.length === 1 && !cur.properties) {
      cur = cur.allOf[0];
    } else {
      return cur;
    }
  }
  throw new Error('schema: $ref chain too deep');
}

/** The SchemaNav kind of an already-resolved schema. */
export function schemaKind(s: Schema): string {
  if (s['x-kubernetes-int-or-string'])
    return s.format === 'quantity' ? 'quantity' : 'int-or-string';
  switch (s.type) {
    case 'array':
      return 'array';
    case 'object':
      if (s.additionalProperties) return 'map';
      if (s['x-kubernetes-preserve-unknown-fields'] || !s.properties) return 'any';
      return 'object';
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return s.type;
    default:
      return 'any';
  }
}

// Navs are built on first use and shared, so walking a big object does not rebuild the tree.
const navCache = new WeakMap<Schema, SchemaNav>();

/** A nav for a property schema: patch metadata comes from the property, the shape from its resolved target. */
function navOf(prop: Schema): SchemaNav {
  const cached = navCache.get(prop);
  if (cached) return cached;
  const target = resolveSchema(prop);
  const k = schemaKind(target);
  if (k === 'any') return ANY_NAV;
  const nav: SchemaNav = {
    kind: k,
    patchStrategy: prop['x-kubernetes-patch-strategy'] ?? target['x-kubernetes-patch-strategy'],
    patchMergeKey: prop['x-kubernetes-patch-merge-key'] ?? target['x-kubernetes-patch-merge-key'],
    listType: prop['x-kubernetes-list-type'] ?? target['x-kubernetes-list-type'],
    listMapKeys: prop['x-kubernetes-list-map-keys'] ?? target['x-kubernetes-list-map-keys'],
    mapType: prop['x-kubernetes-map-type'] ?? target['x-kubernetes-map-type'],
    field(name: string) {
      if (k === 'map') return navOf(target.additionalProperties!);
      if (k !== 'object') return undefined;
      const p = target.properties![name];
      return p ? navOf(p) : undefined;
    },
    items() {
      return k === 'array' ? navOf(target.items!) : undefined;
    },
  };
  navCache.set(prop, nav);
  return nav;
}

/**
 * The nav of a kind. Kinds we have no schema for (custom resources) get ANY_NAV: every list atomic,
 * every field free-form, which is what Kubernetes does for CRDs without structural schemas.
 */
export function navFor(apiVersion: string, kindName: string): SchemaNav {
  const s = schemaForKind(apiVersion, kindName);
  return s ? navOf(s) : ANY_NAV;
}
