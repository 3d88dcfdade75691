// Parses a Kubernetes API path into group, version, namespace, resource, name and subresource.
import { findResource, type ResourceInfo } from '../api/resources';
import { errors } from './errors';
import { boolParam, checkBoolParams } from './query-params';
import { checkOptionParams } from './option-params';

export interface RequestInfo {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  group: string;
  version: string;
  namespace?: string;
  resource: ResourceInfo;
  name?: string;
  subresource: string;
}

/**
 * Returns undefined for paths that are not resource paths (discovery, health, openapi).
 * Throws NotFound for resource-shaped paths naming something this server does not serve.
 */
export function parseRequestInfo(
  method: string,
  pathname: string,
  query: URLSearchParams,
): RequestInfo | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  // "namespaces/<ns>/<resource>..." addresses namespaced resources, except the namespace's own
  // subresources ("namespaces/<ns>/status", "namespaces/<ns>/finalize").
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resourceName, name, subresource, ...extra] = rest;
  if (extra.length > 0 && subresource !== 'proxy') throw errors.notFoundPath();
  const resource = findResource(group, version, resourceName);
  if (!resource) throw errors.notFoundPath();
  if (namespace !== undefined && !resource.namespaced) throw errors.notFoundPath();
  if (subresource && !resource.subresources.some((s) => s.name === subresource))
    throw errors.notFoundPath();
  checkBoolParams(query);
  const watch = boolParam(query, 'watch');
  let verb: RequestInfo['verb'];
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = watch ? 'watch' : name ? 'get' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      throw errors.methodNotAllowed(
        `the server does not allow this method on the requested resource`,
      );
  }
  // Opening a stream into a pod is a create, whatever the method: a WebSocket upgrade is a GET, and a
  // user allowed only to get pods must not exec. k8s: kubernetes#134577 (AuthorizePodWebsocketUpgradeCreatePermission).
  if (subresource === 'exec' || subresource === 'attach' || subresource === 'portforward')
    verb = 'create';
  if (
    !name &&
    verb !== 'list' &&
    verb !== 'watch' &&
    verb !== 'create' &&
    verb !== 'deletecollection'
  ) {
    throw errors.methodNotAllowed(
      `the server does not allow this method on the requested resource`,
    );
  }
  if (name && verb === 'create' && !subresource) {
    throw errors.methodNotAllowed(
      `the server does not allow this method on the requested resource`,
    );
  }
  checkOptionParams(query, verb, subresource ?? '');
  return { verb, group, version, namespace, resource, name, subresource: subresource ?? '' };
}
