// The custom resource kinds the controllers cache, learned at run time from the cached CRDs: one
// cache per established CRD (every served version reads the same stored objects, so one is enough),
// indexed by namespace and by owner uid, dropped when its CRD is gone.
// k8s: the garbage collector's and namespace controller's discovery of served resources (RESTMapper, dynamic informers)
import {
  crdEstablished,
  storageVersion,
  type CustomResourceDefinition,
} from '../../../src/api/crd';
import { crdResourceInfos } from '../../../src/api/crd';
import { RESOURCES, resourceKey, type ResourceInfo } from '../../../src/api/resources';
import type { KObject } from '../../../src/api/types';
import { namespaceOf, type ClusterCache } from '../../shared/cache';
import type { Watch } from '../../shared/controller';

export const CRDS = 'apiextensions.k8s.io/v1/customresourcedefinitions';
const BUILTIN = new Set(RESOURCES.map(resourceKey));

/** Every owner uid an object names (not only its controller): the dependents index. */
export const ownerUids = (o: KObject): string[] =>
  (o.metadata.ownerReferences ?? []).map((r) => r.uid);

/** The version a CRD's objects are cached at: the storage version when served, else the first served one. */
export function cachedVersionOf(crd: CustomResourceDefinition): ResourceInfo | undefined {
  if (!crdEstablished(crd)) return undefined;
  const infos = crdResourceInfos(crd);
  const storage = storageVersion(crd);
  return infos.find((i) => i.version === storage) ?? infos[0];
}

/**
 * Brings the custom kinds' caches in line with the cached CRDs: a cache (indexed by namespace and
 * by owner) for each established CRD, none for a CRD that is gone or whose cached version is no
 * longer served.
 */
export function syncCustomKinds(cache: ClusterCache): void {
  const want = new Map<string, ResourceInfo>();
  for (const crd of cache.kind<CustomResourceDefinition>(CRDS).list()) {
    const info = cachedVersionOf(crd);
    // A CRD naming a built-in kind's key is refused at admission; never shadow a built-in cache.
    if (info && !BUILTIN.has(resourceKey(info))) want.set(resourceKey(info), info);
  }
  for (const r of cache.dynamicResources()) if (!want.has(r)) cache.drop(r);
  for (const [r, info] of want) {
    const k = cache.dynamicKind(r, info);
    k.addIndex('namespace', namespaceOf);
    k.addIndex('owners', ownerUids);
  }
}

/** A watch on the CRDs that keeps the custom kinds' caches current; it enqueues nothing itself. */
export const customKindsWatch: Watch = {
  resource: CRDS,
  map(_crd, cache) {
    syncCustomKinds(cache);
    return [];
  },
};

/** Whether a cache key names a custom kind (not a built-in one). */
export const isCustomKind = (resource: string): boolean =>
  resource !== '*' && !BUILTIN.has(resource);

/** The custom kinds cached now, with their identities. */
export function customKinds(cache: ClusterCache): { resource: string; info: ResourceInfo }[] {
  const out: { resource: string; info: ResourceInfo }[] = [];
  for (const resource of cache.dynamicResources()) {
    const info = cache.peek(resource)?.info;
    if (info) out.push({ resource, info });
  }
  return out;
}

/** The cached custom kind an ownerReference's apiVersion and kind name (any version of its group). */
export function customKindOf(
  cache: ClusterCache,
  apiVersion: string,
  kind: string,
): { resource: string; info: ResourceInfo } | undefined {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return customKinds(cache).find((k) => k.info.group === group && k.info.kind === kind);
}
