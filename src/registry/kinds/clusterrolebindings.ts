// rbac.authorization.k8s.io/v1 ClusterRoleBinding. Writes are checked for escalation at admission.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultBinding } from '../defaults/rbac';
import { rbacDefs } from '../schema/defs-rbac';
import { roleBindingPrinter } from '../tables/rbac';
import { validateClusterRoleBinding, validateClusterRoleBindingUpdate } from '../validate/rbac';

export const clusterrolebindings: ResourceDefinition = {
  info: builtin('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings'),
  strategy: defineStrategy(validateClusterRoleBinding, validateClusterRoleBindingUpdate, {
    defaults: defaultBinding,
  }),
  printer: roleBindingPrinter,
  schemas: rbacDefs,
};
