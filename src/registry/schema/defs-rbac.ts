// OpenAPI definitions of rbac.authorization.k8s.io/v1, named as upstream names them.
import { META, type Schema, atomic, gvk, kind, obj, ref, str } from './dsl';

const RBAC = 'io.k8s.api.rbac.v1.';
const strings = (desc: string) => atomic(str(), desc);

const rules = atomic(ref(RBAC + 'PolicyRule'), 'The rules this role grants.');

export const rbacDefs: Record<string, Schema> = {
  [RBAC + 'PolicyRule']: obj(
    'Verbs a subject may perform on resources, or on non-resource URLs.',
    {
      verbs: strings('Verbs this rule allows ("get", "list", ...); "*" allows every verb.'),
      apiGroups: strings('API groups of the resources; "" is the core group, "*" every group.'),
      resources: strings(
        'Resources this rule applies to, "pods" or a subresource "pods/log"; "*" every resource.',
      ),
      resourceNames: strings('Names the rule is limited to; empty allows every name.'),
      nonResourceURLs: strings(
        'Partial URLs a user may access ("/healthz", "/apis/*"); only in ClusterRoles bound by ClusterRoleBindings.',
      ),
    },
    { required: ['verbs'] },
  ),
  [RBAC + 'AggregationRule']: obj('How a ClusterRole is built from others.', {
    clusterRoleSelectors: atomic(
      ref(META + 'LabelSelector'),
      'ClusterRoles whose labels match any of these contribute their rules.',
    ),
  }),
  [RBAC + 'Role']: kind(
    'A namespaced set of PolicyRules, granted by a RoleBinding.',
    gvk('rbac.authorization.k8s.io', 'v1', 'Role'),
    { metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'), rules },
  ),
  [RBAC + 'ClusterRole']: kind(
    'A cluster-level set of PolicyRules, granted by a RoleBinding or a ClusterRoleBinding.',
    gvk('rbac.authorization.k8s.io', 'v1', 'ClusterRole'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      aggregationRule: ref(
        RBAC + 'AggregationRule',
        'When set, the controller manages the rules: the union of the selected ClusterRoles.',
      ),
      rules,
    },
  ),
  [RBAC + 'RoleRef']: obj(
    'The role a binding grants.',
    {
      apiGroup: str('Group of the referenced role: rbac.authorization.k8s.io.'),
      kind: str('Role or ClusterRole.'),
      name: str('Name of the role.'),
    },
    { required: ['apiGroup', 'kind', 'name'], atomic: true },
  ),
  [RBAC + 'Subject']: obj(
    'Who a binding grants its role to.',
    {
      apiGroup: str('"" for ServiceAccount; "rbac.authorization.k8s.io" for User and Group.'),
      kind: str('User, Group or ServiceAccount.'),
      name: str('Name of the subject.'),
      namespace: str('Namespace of a ServiceAccount.'),
    },
    { required: ['kind', 'name'], atomic: true },
  ),
  [RBAC + 'RoleBinding']: kind(
    "Grants a Role or a ClusterRole to subjects, within the binding's namespace.",
    gvk('rbac.authorization.k8s.io', 'v1', 'RoleBinding'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      roleRef: ref(RBAC + 'RoleRef', 'The role granted. Cannot be changed.'),
      subjects: atomic(ref(RBAC + 'Subject'), 'Who the role is granted to.'),
    },
    { required: ['roleRef'] },
  ),
  [RBAC + 'ClusterRoleBinding']: kind(
    'Grants a ClusterRole to subjects across the whole cluster.',
    gvk('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      roleRef: ref(RBAC + 'RoleRef', 'The ClusterRole granted. Cannot be changed.'),
      subjects: atomic(ref(RBAC + 'Subject'), 'Who the role is granted to.'),
    },
    { required: ['roleRef'] },
  ),
};
