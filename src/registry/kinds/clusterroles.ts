// rbac.authorization.k8s.io/v1 ClusterRole. Its writes wake the controllers: the aggregation
// controller keeps aggregated roles' rules the union of the roles they select.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { rbacDefs } from '../schema/defs-rbac';
import { rolePrinter } from '../tables/rbac';
import { validateClusterRole, validateClusterRoleUpdate } from '../validate/rbac';

export const clusterroles: ResourceDefinition = {
  info: builtin('rbac.authorization.k8s.io', 'v1', 'clusterroles'),
  strategy: defineStrategy(validateClusterRole, validateClusterRoleUpdate),
  printer: rolePrinter,
  schemas: rbacDefs,
  wakes: { controllers: true },
};
