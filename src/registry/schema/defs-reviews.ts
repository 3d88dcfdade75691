// OpenAPI definitions of the create-only review kinds (authorization.k8s.io/v1 access and rules
// reviews, authentication.k8s.io/v1 TokenReview and SelfSubjectReview), named as upstream names
// them, so kubectl explain and client-side validation know them.
import { META, type Schema, atomic, bool, gvk, kind, map, obj, ref, str } from './dsl';

const AUTHZ = 'io.k8s.api.authorization.v1.';
const AUTHN = 'io.k8s.api.authentication.v1.';
const metadata = ref(META + 'ObjectMeta', 'Standard object metadata.');
const strings = (desc: string) => atomic(str(), desc);
const extra = (desc: string) => map(atomic(str()), desc);
const accessStatus = ref(
  AUTHZ + 'SubjectAccessReviewStatus',
  'Filled in by the server: whether the request is allowed.',
);

function selectorAttributes(what: 'field' | 'label'): Schema {
  return obj(
    `A ${what} selector the request is limited to, as a raw selector or parsed requirements.`,
    {
      rawSelector: str(`The ${what} selector as in a list request's ${what}Selector parameter.`),
      requirements: atomic(
        ref(META + (what === 'field' ? 'FieldSelectorRequirement' : 'LabelSelectorRequirement')),
        'The parsed requirements of the selector.',
      ),
    },
  );
}

export const reviewDefs: Record<string, Schema> = {
  [META + 'FieldSelectorRequirement']: obj(
    'A field selector requirement: a key, an operator and values.',
    {
      key: str('The field selector key the requirement applies to.'),
      operator: str('How the key relates to the values: In, NotIn, Exists, DoesNotExist.'),
      values: strings('The values; empty for Exists and DoesNotExist.'),
    },
    { required: ['key', 'operator'] },
  ),
  [AUTHZ + 'ResourceAttributes']: obj('The resource request being reviewed.', {
    namespace: str('Namespace of the action; "" means all namespaces (or a cluster-scoped one).'),
    verb: str('A Kubernetes verb: get, list, watch, create, update, delete, proxy; "*" means all.'),
    group: str('API group of the resource; "*" means all.'),
    version: str('API version of the resource; "*" means all.'),
    resource: str('One of the existing resource types; "*" means all.'),
    subresource: str('One of the existing subresource types; "" means none.'),
    name: str('Name of the resource being requested for a get or deleted for a delete.'),
    fieldSelector: ref(AUTHZ + 'FieldSelectorAttributes', 'The field selector of the request.'),
    labelSelector: ref(AUTHZ + 'LabelSelectorAttributes', 'The label selector of the request.'),
  }),
  [AUTHZ + 'FieldSelectorAttributes']: selectorAttributes('field'),
  [AUTHZ + 'LabelSelectorAttributes']: selectorAttributes('label'),
  [AUTHZ + 'NonResourceAttributes']: obj('The non-resource request being reviewed.', {
    path: str('The URL path of the request.'),
    verb: str('The standard HTTP verb.'),
  }),
  [AUTHZ + 'SubjectAccessReviewSpec']: obj(
    'The request to review: exactly one of resourceAttributes and nonResourceAttributes, and who makes it.',
    {
      resourceAttributes: ref(AUTHZ + 'ResourceAttributes', 'A resource request.'),
      nonResourceAttributes: ref(AUTHZ + 'NonResourceAttributes', 'A non-resource request.'),
      user: str('The user to test; user or groups must be set.'),
      groups: strings('The groups to test.'),
      extra: extra('Extra information of the user, as the authenticator gives it.'),
      uid: str('UID of the user.'),
    },
  ),
  [AUTHZ + 'SelfSubjectAccessReviewSpec']: obj(
    'The request to review for the caller: exactly one of resourceAttributes and nonResourceAttributes.',
    {
      resourceAttributes: ref(AUTHZ + 'ResourceAttributes', 'A resource request.'),
      nonResourceAttributes: ref(AUTHZ + 'NonResourceAttributes', 'A non-resource request.'),
    },
  ),
  [AUTHZ + 'SubjectAccessReviewStatus']: obj(
    'The answer of an access review.',
    {
      allowed: bool('Whether the action is allowed.'),
      denied: bool('Whether the action is denied outright (no later authorizer could allow it).'),
      reason: str('Why the action is allowed or denied.'),
      evaluationError: str('An error while checking; the answer may still be meaningful.'),
    },
    { required: ['allowed'] },
  ),
  [AUTHZ + 'SubjectAccessReview']: kind(
    'Checks whether a given user or group can perform an action.',
    gvk('authorization.k8s.io', 'v1', 'SubjectAccessReview'),
    {
      metadata,
      spec: ref(AUTHZ + 'SubjectAccessReviewSpec', 'The request being evaluated.'),
      status: accessStatus,
    },
    { required: ['spec'] },
  ),
  [AUTHZ + 'LocalSubjectAccessReview']: kind(
    'Checks whether a given user or group can perform an action in a namespace.',
    gvk('authorization.k8s.io', 'v1', 'LocalSubjectAccessReview'),
    {
      metadata,
      spec: ref(
        AUTHZ + 'SubjectAccessReviewSpec',
        'The request being evaluated; its namespace must match the one in the path.',
      ),
      status: accessStatus,
    },
    { required: ['spec'] },
  ),
  [AUTHZ + 'SelfSubjectAccessReview']: kind(
    'Checks whether the current user can perform an action (kubectl auth can-i).',
    gvk('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview'),
    {
      metadata,
      spec: ref(AUTHZ + 'SelfSubjectAccessReviewSpec', 'The request being evaluated.'),
      status: accessStatus,
    },
    { required: ['spec'] },
  ),
  [AUTHZ + 'SelfSubjectRulesReviewSpec']: obj('Whose rules to list.', {
    namespace: str('The namespace to evaluate rules in.'),
  }),
  [AUTHZ + 'ResourceRule']: obj(
    'What the user may do on resources.',
    {
      verbs: strings('The verbs allowed; "*" means all.'),
      apiGroups: strings('The API groups of the resources; "*" means all.'),
      resources: strings('The resources; "*" means all, "*/foo" subresource foo of all.'),
      resourceNames: strings('The names the rule is limited to; empty means all.'),
    },
    { required: ['verbs'] },
  ),
  [AUTHZ + 'NonResourceRule']: obj(
    'What the user may do on non-resource URLs.',
    {
      verbs: strings('The verbs allowed; "*" means all.'),
      nonResourceURLs: strings('The URLs, with a trailing "*" as a prefix match; "*" means all.'),
    },
    { required: ['verbs'] },
  ),
  [AUTHZ + 'SubjectRulesReviewStatus']: obj(
    'The rules the user may use in the namespace.',
    {
      resourceRules: atomic(ref(AUTHZ + 'ResourceRule'), 'Rules on resources.'),
      nonResourceRules: atomic(ref(AUTHZ + 'NonResourceRule'), 'Rules on non-resource URLs.'),
      incomplete: bool('Whether the list may be incomplete (an authorizer cannot list its rules).'),
      evaluationError: str('An error while listing the rules.'),
    },
    { required: ['resourceRules', 'nonResourceRules', 'incomplete'] },
  ),
  [AUTHZ + 'SelfSubjectRulesReview']: kind(
    'Lists what the current user may do in a namespace (kubectl auth can-i --list).',
    gvk('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview'),
    {
      metadata,
      spec: ref(AUTHZ + 'SelfSubjectRulesReviewSpec', 'The namespace to review.'),
      status: ref(AUTHZ + 'SubjectRulesReviewStatus', 'Filled in by the server: the rules.'),
    },
    { required: ['spec'] },
  ),
  [AUTHN + 'UserInfo']: obj('Who a user is, as an authenticator says.', {
    username: str('The name that uniquely identifies the user.'),
    uid: str('A unique value that identifies the user across time.'),
    groups: strings('The groups the user belongs to.'),
    extra: extra('Any additional information the authenticator provides.'),
  }),
  [AUTHN + 'SelfSubjectReview']: kind(
    'Returns who the current user is (kubectl auth whoami).',
    gvk('authentication.k8s.io', 'v1', 'SelfSubjectReview'),
    {
      metadata,
      status: ref(AUTHN + 'SelfSubjectReviewStatus', 'Filled in by the server: the user.'),
    },
  ),
  [AUTHN + 'SelfSubjectReviewStatus']: obj('The current user.', {
    userInfo: ref(AUTHN + 'UserInfo', 'The user making the request.'),
  }),
  [AUTHN + 'TokenReviewSpec']: obj('The token to check.', {
    token: str('The opaque bearer token.'),
    audiences: strings(
      'Audiences the token must be valid for; the API server audience when empty.',
    ),
  }),
  [AUTHN + 'TokenReviewStatus']: obj('The result of a token review.', {
    authenticated: bool('Whether the token is valid.'),
    user: ref(AUTHN + 'UserInfo', 'The user the token belongs to.'),
    audiences: strings('The audiences the token is valid for, among those asked.'),
    error: str('Why the token could not be checked.'),
  }),
  [AUTHN + 'TokenReview']: kind(
    'Checks a token; the answer may be cached by the caller.',
    gvk('authentication.k8s.io', 'v1', 'TokenReview'),
    {
      metadata,
      spec: ref(AUTHN + 'TokenReviewSpec', 'The token being checked.'),
      status: ref(AUTHN + 'TokenReviewStatus', 'Filled in by the server: whether it is valid.'),
    },
    { required: ['spec'] },
  ),
};
