// rbac.authorization.k8s.io/v1 RoleBinding. Writes are checked for escalation at admission.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultBinding } from '../defaults/rbac';
import { rbacDefs } from '../schema/defs-rbac';
import { roleBindingPrinter } from '../tables/rbac';
import { validateRoleBinding, validateRoleBindingUpdate } from '../validate/rbac';

export const rolebindings: ResourceDefinition = {
  info: builtin('rbac.authorization.k8s.io', 'v1', 'rolebindings'),
  strategy: defineStrategy(validateRoleBinding, validateRoleBindingUpdate, {
    defaults: defaultBinding,
  }),
  printer: roleBindingPrinter,
  schemas: rbacDefs,
};
