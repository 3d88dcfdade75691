// ApiError: the one error type of the API Worker; it renders as a Kubernetes Status.
import type { Status, StatusCause } from '../api/types';
import type { FieldError } from '../registry/field-errors';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Status['details'],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      details: this.details,
      code: this.code,
    };
  }
}

/** What a message calls a resource: "pods", "deployments.apps". */
export interface Target {
  resource: string;
  group: string;
  kind?: string;
  name?: string;
}

const qualified = (t: Target) => (t.group ? `${t.resource}.${t.group}` : t.resource);
const detailsOf = (t: Target, extra: Partial<NonNullable<Status['details']>> = {}) => ({
  name: t.name,
  group: t.group || undefined,
  kind: t.resource,
  ...extra,
});

export const errors = {
  badRequest: (message: string, causes?: StatusCause[]) =>
    new ApiError(400, 'BadRequest', message, causes ? { causes } : undefined),
  unauthorized: () => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (message: string, t?: Target) =>
    new ApiError(403, 'Forbidden', message, t ? detailsOf(t) : undefined),
  notFound: (t: Target) =>
    new ApiError(404, 'NotFound', `${qualified(t)} "${t.name}" not found`, detailsOf(t)),
  notFoundPath: () =>
    new ApiError(404, 'NotFound', 'the server could not find the requested resource'),
  methodNotAllowed: (message: string) => new ApiError(405, 'MethodNotAllowed', message),
  alreadyExists: (t: Target) =>
    new ApiError(409, 'AlreadyExists', `${qualified(t)} "${t.name}" already exists`, detailsOf(t)),
  conflict: (
    t: Target,
    why = 'the object has been modified; please apply your changes to the latest version and try again',
  ) =>
    new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(t)} "${t.name}": ${why}`,
      detailsOf(t),
    ),
  expired: (message: string) => new ApiError(410, 'Expired', message),
  tooLarge: (message: string) => new ApiError(413, 'RequestEntityTooLarge', message),
  unsupportedMediaType: (message: string) => new ApiError(415, 'UnsupportedMediaType', message),
  invalid: (t: Target, kind: string, fieldErrors: FieldError[]) => {
    const causes = fieldErrors.map((e) => ({ reason: e.type, message: e.message, field: e.field }));
    const list = fieldErrors.map((e) => `${e.field}: ${e.message}`);
    const body = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
    return new ApiError(
      422,
      'Invalid',
      `${kind}${t.group ? `.${t.group}` : ''} "${t.name ?? ''}" is invalid: ${body}`,
      detailsOf(t, { kind, causes }),
    );
  },
  tooManyRequests: (message: string, retryAfter = 1) =>
    new ApiError(
      429,
      'TooManyRequests',
      message,
      { retryAfterSeconds: retryAfter },
      { 'Retry-After': String(retryAfter) },
    ),
  internal: (message: string) =>
    new ApiError(500, 'InternalError', `Internal error occurred: ${message}`),
  notSupported: (what: string) =>
    new ApiError(
      400,
      'BadRequest',
      `${what} is not implemented by edgeplane yet: exec, attach, port-forward and logs reach pods through each node's tunnel, but HTTP proxying over it is not built; use kubectl port-forward`,
    ),
};

/**
 * A Status as the apiserver's JSON serializer writes it: metav1.Status's fields in struct order,
 * empty ones left out (all are omitempty), and the trailing newline of Go's json.Encoder.
 * Clients that compare error bodies byte for byte see the same text.
 */
export function renderStatus(s: Status): string {
  return JSON.stringify(orderedStatus(s)) + '\n';
}

/** The Status with its keys in metav1.Status order (also the object of a watch ERROR event). */
// k8s: staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go (Status, StatusDetails, StatusCause)
export function orderedStatus(s: Status): Record<string, unknown> {
  const d = s.details;
  const details = d && {
    name: d.name || undefined,
    group: d.group || undefined,
    kind: d.kind || undefined,
    uid: d.uid || undefined,
    causes: d.causes?.length
      ? d.causes.map((c) => ({
          reason: c.reason || undefined,
          message: c.message || undefined,
          field: c.field || undefined,
        }))
      : undefined,
    retryAfterSeconds: d.retryAfterSeconds || undefined,
  };
  return {
    kind: s.kind,
    apiVersion: s.apiVersion,
    metadata: s.metadata,
    status: s.status || undefined,
    message: s.message || undefined,
    reason: s.reason || undefined,
    details,
    code: s.code || undefined,
  };
}

export function statusResponse(err: ApiError): Response {
  return new Response(renderStatus(err.toStatus()), {
    status: err.code,
    headers: { 'content-type': 'application/json', ...err.headers },
  });
}
