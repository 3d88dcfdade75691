// Where the API Worker asks the authorizer chain: each resource request, each non-resource path
// (discovery, OpenAPI), and the authentication/authorization API's own handlers.
import type { Store } from '../../storage/store';
import { REVIEW_RESOURCES } from '../../api/review-resources';
import { pathAttributes } from '../../rbac/attributes';
import type { ApiContext } from '../context';
import { errors } from '../errors';
import type { RequestInfo } from '../request-info';
import type { User } from './authenticate';
import { authorize, forbiddenMessage, requestAttributes } from './authorize';
import { handleReview } from './reviews';
import { handleTokenRequest } from './token-request';

/** Throws the apiserver's 403 unless the user may make the resource request. */
export async function requireAllowed(
  user: User,
  info: RequestInfo,
  store: Store,
  path = '',
): Promise<void> {
  const a = requestAttributes(info, path);
  const d = await authorize(user, a, store);
  if (!d.allowed)
    throw errors.forbidden(forbiddenMessage(user, a), {
      resource: info.resource.resource,
      group: info.group,
      name: info.name,
    });
}

/** Resource requests are `/api/<version>/...` and `/apis/<group>/<version>/...`; the rest are paths. */
function isResourcePath(path: string): boolean {
  const parts = path.split('/').filter(Boolean);
  return (parts[0] === 'api' && parts.length >= 3) || (parts[0] === 'apis' && parts.length >= 4);
}

/**
 * Authorizes a non-resource path (`/api`, `/apis/apps/v1`, `/openapi/v3/...`) by its URL, as RBAC's
 * nonResourceURLs do. The agent and join endpoints under /edgeplane/ check their own identities.
 */
export async function authorizePath(
  user: User,
  method: string,
  path: string,
  store: Store,
): Promise<void> {
  if (isResourcePath(path) || path.startsWith('/edgeplane/')) return;
  const a = pathAttributes(method.toLowerCase(), path);
  if (!(await authorize(user, a, store)).allowed) throw errors.forbidden(forbiddenMessage(user, a));
}

/** The handler of a request the authentication and authorization APIs answer, if it is one. */
export function handleAuthApi(
  info: RequestInfo,
): ((ctx: ApiContext) => Promise<Response>) | undefined {
  if (REVIEW_RESOURCES.includes(info.resource)) return handleReview;
  if (
    info.group === '' &&
    info.resource.resource === 'serviceaccounts' &&
    info.subresource === 'token'
  ) {
    if (info.verb !== 'create')
      return () =>
        Promise.reject(
          errors.methodNotAllowed(`${info.verb} is not allowed on serviceaccounts/token`),
        );
    return handleTokenRequest;
  }
  return undefined;
}
