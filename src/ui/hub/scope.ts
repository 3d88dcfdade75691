// Where a dashboard subscriber may hear about changes of a kind: the namespaces in which its identity
// may both list and watch that kind (the two calls the page's own stream needed), or everywhere. The
// same authorizer as the API decides, so a note never names a namespace the user could not watch.
import type { ResourceInfo } from '../../api/resources';
import { resourceAttributes } from '../../rbac/attributes';
import { authorize } from '../../server/auth/authorize';
import type { User } from '../../server/auth/authenticate';
import type { Store } from '../../storage/store';

/** Every namespace ('all'), or the namespaces listed (empty: nowhere). */
export type Scope = 'all' | string[];

async function mayListWatch(
  user: User,
  store: Store,
  r: ResourceInfo,
  namespace: string,
): Promise<boolean> {
  for (const verb of ['list', 'watch']) {
    const a = resourceAttributes({
      verb,
      apiGroup: r.group,
      apiVersion: r.version,
      resource: r.resource,
      namespace,
    });
    if (!(await authorize(user, a, store)).allowed) return false;
  }
  return true;
}

/**
 * The scope of one kind for a user, narrowed to `only` when the page asked for one namespace.
 * `namespaces` gives the cluster's namespaces (asked only when cluster-wide rights are missing).
 */
export async function scopeFor(
  user: User,
  store: Store,
  r: ResourceInfo,
  namespaces: () => Promise<string[]>,
  only?: string,
): Promise<Scope> {
  if (only !== undefined && r.namespaced) {
    if (await mayListWatch(user, store, r, '')) return [only];
    return (await mayListWatch(user, store, r, only)) ? [only] : [];
  }
  if (await mayListWatch(user, store, r, '')) return 'all';
  if (!r.namespaced) return [];
  const names = await namespaces();
  const allowed = await Promise.all(names.map((ns) => mayListWatch(user, store, r, ns)));
  return names.filter((_, i) => allowed[i]);
}

export function inScope(scope: Scope, namespace: string | undefined): boolean {
  if (scope === 'all') return true;
  return namespace !== undefined && scope.includes(namespace);
}

export function sameScope(a: Scope | undefined, b: Scope | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === 'all' || b === 'all') return false;
  return a.length === b.length && a.every((ns, i) => ns === b[i]);
}
