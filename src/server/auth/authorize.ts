// Authorization: a chain, as kube-apiserver's: system:masters, the fixed control-plane identities
// (scheduler, controllers), the Node authorizer for node credentials, then RBAC for everyone.
import type { User } from './authenticate';
import type { RequestInfo } from '../request-info';
import type { Store } from '../../storage/store';
import type { Attributes } from '../../rbac/attributes';
import { resourceAttributes } from '../../rbac/attributes';
import { ruleAllows } from '../../rbac/rules';
import { visitRules } from '../../rbac/resolver';
import { controllersAuthorizer, schedulerAuthorizer } from './identities';
import { authorizeNode } from './node-authorizer';

export interface Decision {
  allowed: boolean;
  reason?: string;
}

/** A synchronous authorizer for an identity whose rights are fixed in code. */
export type Authorizer = (user: User, a: Attributes) => Decision;

const masters: Authorizer = (user) => ({ allowed: user.groups.includes('system:masters') });

const fixed: Authorizer[] = [masters, schedulerAuthorizer, controllersAuthorizer];

export function requestAttributes(info: RequestInfo, path = ''): Attributes {
  return resourceAttributes({
    verb: info.verb,
    apiGroup: info.group,
    apiVersion: info.version,
    resource: info.resource.resource,
    subresource: info.subresource,
    name: info.name,
    namespace: info.namespace,
    path,
  });
}

/** RBAC alone: whether some role bound to the user allows the request. */
export async function rbacAuthorize(user: User, a: Attributes, store: Store): Promise<Decision> {
  let reason: string | undefined;
  const allowed = await visitRules(store, user, a.namespace, (src) => {
    if (!src.rules.some((r) => ruleAllows(a, r))) return false;
    reason = `RBAC: allowed by ${src.describe}`;
    return true;
  });
  return allowed ? { allowed, reason } : { allowed: false };
}

export async function authorize(user: User, a: Attributes, store: Store): Promise<Decision> {
  for (const auth of fixed) {
    const d = auth(user, a);
    if (d.allowed) return d;
  }
  if (user.node !== undefined && (await authorizeNode(user, a, store))) return { allowed: true };
  return rbacAuthorize(user, a, store);
}

/**
 * The apiserver's wording: `pods "web" is forbidden: User "x" cannot get resource "pods" in API
 * group "" in the namespace "default"`; `... at the cluster scope` without a namespace; `forbidden:
 * User "x" cannot get path "/apis"` for a non-resource path.
 * k8s: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go (forbiddenMessage)
 */
export function forbiddenMessage(user: User, a: Attributes, reason = ''): string {
  const tail = reason ? `: ${reason}` : '';
  if (!a.resourceRequest)
    return `forbidden: User "${user.name}" cannot ${a.verb} path "${a.path}"${tail}`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const what = a.name ? `${qualified} "${a.name}"` : qualified;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${what} is forbidden: User "${user.name}" cannot ${a.verb} resource "${res}" in API group "${a.apiGroup}" ${where}${tail}`;
}
