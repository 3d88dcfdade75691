// URL building for the Kubernetes REST layout: /api/v1 or /apis/GROUP/VERSION, namespaces, names, subresources.
import { RESOURCES, type ResourceInfo } from '../api/resources';

/** A resource as the client accepts it: the table entry, or "pods", "deployments.apps", "apps/v1/deployments". */
export type ResourceRef = ResourceInfo | string;

export function resolveResource(ref: ResourceRef): ResourceInfo {
  if (typeof ref !== 'string') return ref;
  const slash = ref.split('/');
  let found: ResourceInfo | undefined;
  if (slash.length === 3)
    found = RESOURCES.find(
      (r) => r.group === slash[0] && r.version === slash[1] && r.resource === slash[2],
    );
  else if (slash.length === 2)
    found = RESOURCES.find(
      (r) => r.group === '' && r.version === slash[0] && r.resource === slash[1],
    );
  else {
    const dot = ref.indexOf('.');
    const [resource, group] = dot < 0 ? [ref, ''] : [ref.slice(0, dot), ref.slice(dot + 1)];
    found = RESOURCES.find((r) => r.resource === resource && r.group === group);
  }
  if (!found)
    throw new Error(
      `unknown resource ${JSON.stringify(ref)}: use "pods", "deployments.apps" or "apps/v1/deployments"`,
    );
  return found;
}

export interface ObjectPath {
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function resourcePath(info: ResourceInfo, at: ObjectPath = {}): string {
  const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  // A cluster-scoped resource has no namespace segment even if a caller passes one.
  const ns =
    info.namespaced && at.namespace ? `/namespaces/${encodeURIComponent(at.namespace)}` : '';
  let path = `${root}${ns}/${info.resource}`;
  if (at.name !== undefined) {
    if (at.name === '') throw new Error(`a ${info.kind} name must not be empty`);
    // Without this the request would go to a path the API answers 404 for, which reads like a missing object.
    if (info.namespaced && !at.namespace)
      throw new Error(`${info.resource} are namespaced: say which namespace ${at.name} is in`);
    path += `/${encodeURIComponent(at.name)}`;
    if (at.subresource) path += `/${at.subresource}`;
  } else if (at.subresource) {
    throw new Error(`subresource ${at.subresource} of ${info.resource} needs an object name`);
  }
  return path;
}

/** Query parameters of list, watch and write calls, spelled as the API spells them. */
export interface Query {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  watch?: boolean;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  dryRun?: 'All';
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  force?: boolean;
}

export function queryString(q: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(q)) {
    if (value === undefined || value === '' || value === false) continue;
    params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function resourceUrl(info: ResourceInfo, at: ObjectPath = {}, query: Query = {}): string {
  return resourcePath(info, at) + queryString(query);
}
