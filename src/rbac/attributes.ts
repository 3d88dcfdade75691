// What an authorizer decides on: one request, resource-shaped or a plain path.
// k8s: staging/src/k8s.io/apiserver/pkg/authorization/authorizer/interfaces.go (AttributesRecord)

export interface Attributes {
  verb: string;
  /** False for non-resource paths (/api, /healthz, /openapi/v3...): only `path` and `verb` apply. */
  resourceRequest: boolean;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
  namespace: string;
  path: string;
}

export function resourceAttributes(a: Partial<Attributes>): Attributes {
  return {
    verb: a.verb ?? '',
    resourceRequest: true,
    apiGroup: a.apiGroup ?? '',
    apiVersion: a.apiVersion ?? '',
    resource: a.resource ?? '',
    subresource: a.subresource ?? '',
    name: a.name ?? '',
    namespace: a.namespace ?? '',
    path: a.path ?? '',
  };
}

export function pathAttributes(verb: string, path: string): Attributes {
  return { ...resourceAttributes({ verb, path }), resourceRequest: false };
}
