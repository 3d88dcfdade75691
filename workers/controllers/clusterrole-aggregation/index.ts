// ClusterRole aggregation: a ClusterRole with an aggregationRule gets as its rules the union of the
// rules of every other ClusterRole its selectors match (in name order, each rule once). admin, edit
// and view are built this way from the aggregate-to-* roles, and so is any role an admin adds.
// k8s: pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go
import type { ClusterRole, PolicyRule } from '../../../src/api/rbac';
import { isNotFound } from '../../../src/client/errors';
import { deepEqual } from '../../../src/lib/json';
import { selectorFromLabelSelector } from '../../../src/lib/labels';
import type { KeyedControllerDef } from '../framework';

export const CLUSTER_ROLES = 'rbac.authorization.k8s.io/v1/clusterroles';

/** The rules an aggregated role should hold, given every ClusterRole there is. */
export function aggregatedRules(role: ClusterRole, all: ClusterRole[]): PolicyRule[] {
  const selectors = (role.aggregationRule?.clusterRoleSelectors ?? []).map((s) =>
    selectorFromLabelSelector(s),
  );
  const sources = all
    .filter((r) => r.metadata.name !== role.metadata.name)
    .filter((r) => selectors.some((s) => s.matches(r.metadata.labels ?? {})))
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  const rules: PolicyRule[] = [];
  for (const src of sources)
    for (const rule of src.rules ?? [])
      if (!rules.some((r) => deepEqual(r, rule))) rules.push(rule);
  return rules;
}

export const clusterRoleAggregationController: KeyedControllerDef = {
  name: 'clusterrole-aggregation',
  reconciles: CLUSTER_ROLES,
  reads: [CLUSTER_ROLES],
  // Any ClusterRole's change may change what an aggregated role selects: requeue those.
  watches: [
    {
      resource: CLUSTER_ROLES,
      map: (_obj, cache) =>
        cache
          .kind<ClusterRole>(CLUSTER_ROLES)
          .list()
          .filter((r) => r.aggregationRule)
          .map((r) => r.metadata.name!),
    },
  ],
  async reconcile(ctx, key) {
    const roles = ctx.cache.kind<ClusterRole>(CLUSTER_ROLES);
    const role = roles.get(key);
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, roles.list());
    if (deepEqual(rules, role.rules ?? [])) return;
    ctx.budget.take();
    try {
      await ctx.client.update(CLUSTER_ROLES, { ...role, rules } as ClusterRole);
    } catch (e) {
      // A role deleted meanwhile needs nothing; a conflict is retried with the fresher object.
      if (!isNotFound(e)) throw e;
    }
  },
};
