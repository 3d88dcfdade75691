// The kind registry: built-in definitions (src/registry/kinds) plus those registered at run time
// (CRDs, per isolate). Discovery, OpenAPI, tables, strategies, wakes and the REST handlers look
// kinds up here, through functions, so a kind registered later is seen by every reader.
import {
  allResources,
  resourceKey,
  resourcesGeneration,
  setDynamicResources,
} from '../api/resources';
import type { KObject } from '../api/types';
import { type ResourceDefinition, defineStrategy } from './definition';
import { BUILTIN_KINDS } from './kinds';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './validate/meta';

export type { LoopName, ResourceDefinition, WakeRule } from './definition';

interface GVR {
  group: string;
  version: string;
  resource: string;
}

// One spelling of a kind's key everywhere outside storage: the loops' and wakes' resourceKey.
const key = (r: GVR) => resourceKey(r);

let custom: ResourceDefinition[] = [];
let index: { generation: number; byKey: Map<string, ResourceDefinition> } | undefined;

function byKey(): Map<string, ResourceDefinition> {
  const generation = resourcesGeneration();
  if (index?.generation !== generation) {
    const map = new Map<string, ResourceDefinition>();
    for (const d of [...BUILTIN_KINDS, ...custom]) map.set(key(d.info), d);
    index = { generation, byKey: map };
  }
  return index.byKey;
}

/** Every registered definition: built-in kinds first, then run-time ones. */
export function allDefinitions(): ResourceDefinition[] {
  return [...byKey().values()];
}

/**
 * Replaces the run-time definitions (the CRDs' kinds) with this set. Their identities join
 * allResources() (so request routing finds them) and every derived cache (discovery, OpenAPI,
 * schemas) rebuilds on next use.
 */
export function setCustomDefinitions(defs: ResourceDefinition[]): void {
  custom = [...defs];
  setDynamicResources(custom.map((d) => d.info));
}

/**
 * The definition of a served resource. A resource in the identity table without a definition
 * (added there only) gets metadata-only rules, scoped as the table says.
 */
export function definitionFor(r: GVR): ResourceDefinition {
  const found = byKey().get(key(r));
  if (found) return found;
  const info = allResources().find(
    (x) => x.group === r.group && x.version === r.version && x.resource === r.resource,
  );
  return {
    info: info ?? {
      ...r,
      kind: '',
      singular: r.resource,
      listKind: '',
      namespaced: true,
      subresources: [],
      partitioned: false,
    },
    strategy: permissiveStrategy(info?.namespaced),
  };
}

/** The definition by group and plural only (any version); for callers that know no version. */
export function definitionByGroupResource(
  group: string,
  resource: string,
): ResourceDefinition | undefined {
  for (const d of byKey().values())
    if (d.info.group === group && d.info.resource === resource) return d;
  return undefined;
}

/** Kinds without their own rules: metadata only; unknown scope neither requires nor forbids a namespace. */
export function permissiveStrategy(namespaced: boolean | undefined) {
  const metaErrors = (obj: KObject) => {
    const errs = validateObjectMeta(obj.metadata, {
      namespaced: namespaced ?? true,
      nameFn: nameIsDNSSubdomain,
    });
    return namespaced === undefined ? errs.filter((e) => e.field !== 'metadata.namespace') : errs;
  };
  return defineStrategy(metaErrors, (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...metaErrors(obj),
  ]);
}
