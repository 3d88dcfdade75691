// rbac.authorization.k8s.io/v1 Role. Writes are checked for escalation at admission.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { rbacDefs } from '../schema/defs-rbac';
import { rolePrinter } from '../tables/rbac';
import { validateRole, validateRoleUpdate } from '../validate/rbac';

export const roles: ResourceDefinition = {
  info: builtin('rbac.authorization.k8s.io', 'v1', 'roles'),
  strategy: defineStrategy(validateRole, validateRoleUpdate),
  printer: rolePrinter,
  schemas: rbacDefs,
};
