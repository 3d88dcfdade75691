// The dashboard reads and writes through the API itself, with the signed-in user's own token, so a
// view sees exactly what `kubectl` would show that identity and an action is the same API call
// kubectl makes. The authorizer is asked beforehand only to choose which lists to make and which
// buttons to draw.
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../server/app';
import type { KObject } from '../api/types';
import { findResource } from '../api/resources';
import { resourceAttributes } from '../rbac/attributes';
import { authorize } from '../server/auth/authorize';
import type { User } from '../server/auth/authenticate';
import type { Env } from '../server/env';
import type { Store } from '../storage/store';

export interface UiContext {
  app: Hono<AppEnv>;
  env: Env;
  exec: Context<AppEnv>['executionCtx'];
  origin: string;
  token: string;
  user: User;
  store: Store;
  csrf: string;
  now: number;
}

/** One kind the dashboard shows: where it lives in the API. */
export interface Kind {
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
}

export const KINDS = {
  nodes: { group: '', version: 'v1', resource: 'nodes', namespaced: false },
  pods: { group: '', version: 'v1', resource: 'pods', namespaced: true },
  services: { group: '', version: 'v1', resource: 'services', namespaced: true },
  endpoints: { group: '', version: 'v1', resource: 'endpoints', namespaced: true },
  events: { group: '', version: 'v1', resource: 'events', namespaced: true },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespaced: true },
  deployments: { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true },
  replicasets: { group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true },
  statefulsets: { group: 'apps', version: 'v1', resource: 'statefulsets', namespaced: true },
  daemonsets: { group: 'apps', version: 'v1', resource: 'daemonsets', namespaced: true },
  controllerrevisions: {
    group: 'apps',
    version: 'v1',
    resource: 'controllerrevisions',
    namespaced: true,
  },
  jobs: { group: 'batch', version: 'v1', resource: 'jobs', namespaced: true },
  cronjobs: { group: 'batch', version: 'v1', resource: 'cronjobs', namespaced: true },
} satisfies Record<string, Kind>;

export type KindName = keyof typeof KINDS;

export function collectionPath(k: Kind, namespace?: string): string {
  const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  return namespace && k.namespaced
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${k.resource}`
    : `${base}/${k.resource}`;
}

export function objectPath(k: Kind, namespace: string | undefined, name: string): string {
  return `${collectionPath(k, namespace)}/${encodeURIComponent(name)}`;
}

/** A request to the API as the signed-in user. */
export function apiFetch(
  u: UiContext,
  path: string,
  init: { method?: string; body?: unknown; contentType?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${u.token}`,
    accept: 'application/json',
  };
  if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const req = new Request(u.origin + path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  return Promise.resolve(u.app.fetch(req, u.env, u.exec));
}

/** May the user do `verb` on the kind (in the namespace, or cluster-wide without one)? */
export async function may(
  u: UiContext,
  verb: string,
  k: Kind,
  namespace = '',
  subresource = '',
): Promise<boolean> {
  const a = resourceAttributes({
    verb,
    apiGroup: k.group,
    apiVersion: k.version,
    resource: k.resource,
    subresource,
    namespace,
  });
  return (await authorize(u.user, a, u.store)).allowed;
}

/**
 * Where the user may list a kind: every namespace (undefined), or the namespaces whose list RBAC
 * allows (a user bound to `view` in one namespace sees that one). An empty array: nowhere.
 */
export async function listScope(u: UiContext, k: Kind): Promise<string[] | undefined> {
  if (await may(u, 'list', k)) return undefined;
  if (!k.namespaced) return [];
  const nsResource = findResource('', 'v1', 'namespaces');
  if (!nsResource) return [];
  const page = await u.store.list(nsResource, {});
  if (!page.ok) return [];
  const names = page.value.items.map((n) => n.metadata.name!);
  const allowed = await Promise.all(names.map((n) => may(u, 'list', k, n)));
  return names.filter((_, i) => allowed[i]);
}

/** Every object of a kind the user may list (cluster-wide or per allowed namespace). */
export async function listAll<T = KObject>(u: UiContext, k: Kind): Promise<T[]> {
  const scope = await listScope(u, k);
  const paths =
    scope === undefined ? [collectionPath(k)] : scope.map((ns) => collectionPath(k, ns));
  const lists = await Promise.all(
    paths.map(async (p) => {
      const r = await apiFetch(u, p);
      if (!r.ok) return [];
      return ((await r.json()) as { items?: T[] }).items ?? [];
    }),
  );
  return lists.flat();
}

export async function getObject<T = KObject>(
  u: UiContext,
  k: Kind,
  namespace: string | undefined,
  name: string,
): Promise<T | undefined> {
  const r = await apiFetch(u, objectPath(k, namespace, name));
  return r.ok ? ((await r.json()) as T) : undefined;
}
