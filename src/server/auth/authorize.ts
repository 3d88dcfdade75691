// Authorization: who may do what. Admin may do everything; other identities plug in here.
import type { User } from './authenticate';
import type { RequestInfo } from '../request-info';
import { controllersAuthorizer, schedulerAuthorizer } from './identities';

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export type Authorizer = (user: User, info: RequestInfo) => Decision;

const admin: Authorizer = (user) => ({ allowed: user.groups.includes('system:masters') });

const authorizers: Authorizer[] = [admin, schedulerAuthorizer, controllersAuthorizer];

export function registerAuthorizer(a: Authorizer): void {
  authorizers.push(a);
}

export function authorize(user: User, info: RequestInfo): Decision {
  for (const a of authorizers) {
    const d = a(user, info);
    if (d.allowed) return d;
  }
  return { allowed: false };
}

/** The apiserver's wording: `pods is forbidden: User "x" cannot list resource "pods" in API group "" in the namespace "default"`. */
export function forbiddenMessage(user: User, info: RequestInfo): string {
  const res = info.subresource
    ? `${info.resource.resource}/${info.subresource}`
    : info.resource.resource;
  const what = info.name ? `${info.resource.resource} "${info.name}"` : info.resource.resource;
  const where = info.namespace
    ? ` in the namespace "${info.namespace}"`
    : info.resource.namespaced
      ? ''
      : ' at the cluster scope';
  return `${what} is forbidden: User "${user.name}" cannot ${info.verb} resource "${res}" in API group "${info.group}"${where}`;
}
