// Message tables for the RBAC kinds and the authentication/authorization reviews that kubectl's
// typed clients POST as protobuf (`kubectl create role|rolebinding|...`, `kubectl auth can-i`,
// `kubectl auth whoami`, `kubectl create token`). Field numbers as published for release-1.32.
import { META, PTR, REP, TIME, message, type MessageTable } from './descriptor-types';

export const RBAC = 'k8s.io.api.rbac.v1.';
export const AUTHZ = 'k8s.io.api.authorization.v1.';
export const AUTHN = 'k8s.io.api.authentication.v1.';
const OBJECT_META = META + 'ObjectMeta';

export const authMessages: MessageTable = {
  [RBAC + 'PolicyRule']: message(
    [1, 'verbs', 'string', REP],
    [2, 'apiGroups', 'string', REP],
    [3, 'resources', 'string', REP],
    [4, 'resourceNames', 'string', REP],
    [5, 'nonResourceURLs', 'string', REP],
  ),
  [RBAC + 'AggregationRule']: message([1, 'clusterRoleSelectors', META + 'LabelSelector', REP]),
  [RBAC + 'Role']: message([1, 'metadata', OBJECT_META], [2, 'rules', RBAC + 'PolicyRule', REP]),
  [RBAC + 'ClusterRole']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'rules', RBAC + 'PolicyRule', REP],
    [3, 'aggregationRule', RBAC + 'AggregationRule', PTR],
  ),
  [RBAC + 'RoleRef']: message(
    [1, 'apiGroup', 'string'],
    [2, 'kind', 'string'],
    [3, 'name', 'string'],
  ),
  [RBAC + 'Subject']: message(
    [1, 'kind', 'string'],
    [2, 'apiGroup', 'string'],
    [3, 'name', 'string'],
    [4, 'namespace', 'string'],
  ),
  [RBAC + 'RoleBinding']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'subjects', RBAC + 'Subject', REP],
    [3, 'roleRef', RBAC + 'RoleRef'],
  ),
  [RBAC + 'ClusterRoleBinding']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'subjects', RBAC + 'Subject', REP],
    [3, 'roleRef', RBAC + 'RoleRef'],
  ),

  [AUTHZ + 'ResourceAttributes']: message(
    [1, 'namespace', 'string'],
    [2, 'verb', 'string'],
    [3, 'group', 'string'],
    [4, 'version', 'string'],
    [5, 'resource', 'string'],
    [6, 'subresource', 'string'],
    [7, 'name', 'string'],
  ),
  [AUTHZ + 'NonResourceAttributes']: message([1, 'path', 'string'], [2, 'verb', 'string']),
  [AUTHZ + 'SelfSubjectAccessReviewSpec']: message(
    [1, 'resourceAttributes', AUTHZ + 'ResourceAttributes', PTR],
    [2, 'nonResourceAttributes', AUTHZ + 'NonResourceAttributes', PTR],
  ),
  [AUTHZ + 'SubjectAccessReviewSpec']: message(
    [1, 'resourceAttributes', AUTHZ + 'ResourceAttributes', PTR],
    [2, 'nonResourceAttributes', AUTHZ + 'NonResourceAttributes', PTR],
    [3, 'user', 'string'],
    [4, 'groups', 'string', REP],
    [6, 'uid', 'string'],
  ),
  [AUTHZ + 'SubjectAccessReviewStatus']: message(
    [1, 'allowed', 'bool'],
    [4, 'denied', 'bool'],
    [2, 'reason', 'string'],
    [3, 'evaluationError', 'string'],
  ),
  [AUTHZ + 'SelfSubjectAccessReview']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'spec', AUTHZ + 'SelfSubjectAccessReviewSpec'],
    [3, 'status', AUTHZ + 'SubjectAccessReviewStatus'],
  ),
  [AUTHZ + 'SubjectAccessReview']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'spec', AUTHZ + 'SubjectAccessReviewSpec'],
    [3, 'status', AUTHZ + 'SubjectAccessReviewStatus'],
  ),
  [AUTHZ + 'SelfSubjectRulesReviewSpec']: message([1, 'namespace', 'string']),
  [AUTHZ + 'SelfSubjectRulesReview']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'spec', AUTHZ + 'SelfSubjectRulesReviewSpec'],
  ),

  [AUTHN + 'SelfSubjectReview']: message([1, 'metadata', OBJECT_META]),
  [AUTHN + 'BoundObjectReference']: message(
    [1, 'kind', 'string'],
    [2, 'apiVersion', 'string'],
    [3, 'name', 'string'],
    [4, 'uid', 'string'],
  ),
  [AUTHN + 'TokenRequestSpec']: message(
    [1, 'audiences', 'string', REP],
    [4, 'expirationSeconds', 'int64', PTR],
    [3, 'boundObjectRef', AUTHN + 'BoundObjectReference', PTR],
  ),
  [AUTHN + 'TokenRequest']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'spec', AUTHN + 'TokenRequestSpec'],
  ),
  [AUTHN + 'TokenReviewSpec']: message([1, 'token', 'string'], [2, 'audiences', 'string', REP]),
  [AUTHN + 'TokenReview']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'spec', AUTHN + 'TokenReviewSpec'],
  ),
};

/** The kinds above that a client POSTs, by `apiVersion kind`. */
export const authKindMessages: Record<string, string> = {
  'rbac.authorization.k8s.io/v1 Role': RBAC + 'Role',
  'rbac.authorization.k8s.io/v1 ClusterRole': RBAC + 'ClusterRole',
  'rbac.authorization.k8s.io/v1 RoleBinding': RBAC + 'RoleBinding',
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding': RBAC + 'ClusterRoleBinding',
  'authorization.k8s.io/v1 SelfSubjectAccessReview': AUTHZ + 'SelfSubjectAccessReview',
  'authorization.k8s.io/v1 SubjectAccessReview': AUTHZ + 'SubjectAccessReview',
  'authorization.k8s.io/v1 SelfSubjectRulesReview': AUTHZ + 'SelfSubjectRulesReview',
  'authentication.k8s.io/v1 SelfSubjectReview': AUTHN + 'SelfSubjectReview',
  'authentication.k8s.io/v1 TokenRequest': AUTHN + 'TokenRequest',
  'authentication.k8s.io/v1 TokenReview': AUTHN + 'TokenReview',
};
