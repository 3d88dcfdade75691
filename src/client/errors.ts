// API failures as values carrying the Kubernetes Status, and the predicates callers branch on.
// k8s: staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go
import type { Status } from '../api/types';

// Reasons the server did not name are inferred from the HTTP code, as apimachinery does for bare responses.
const reasonForCode: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export class ApiStatusError extends Error {
  override name = 'ApiStatusError';
  constructor(readonly status: Status) {
    super(status.message || `the server answered ${status.code} ${status.reason ?? ''}`.trim());
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason ?? '';
  }
}

function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

/** A Status from whatever the server sent: its own Status body, or one made from the code and text. */
export function statusFromResponse(code: number, body: string): Status {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed)) return { ...parsed, code: parsed.code || code };
  const text = body.trim().slice(0, 512);
  return {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: 'Failure',
    code,
    reason: reasonForCode[code] ?? 'Unknown',
    message: text || `the server answered HTTP ${code} with no body`,
  };
}

/** An in-stream watch ERROR event's object (a Status) as an error. */
export function errorFromStatusObject(obj: unknown): ApiStatusError {
  if (isStatus(obj)) return new ApiStatusError(obj);
  return new ApiStatusError(statusFromResponse(500, JSON.stringify(obj)));
}

// apimachinery matches the reason, or the code when the server gave no reason.
function matches(err: unknown, reason: string, code: number): boolean {
  if (!(err instanceof ApiStatusError)) return false;
  if (err.reason && err.reason !== 'Unknown') return err.reason === reason;
  return err.code === code;
}

export const isNotFound = (err: unknown) => matches(err, 'NotFound', 404);
export const isConflict = (err: unknown) => matches(err, 'Conflict', 409);
export const isAlreadyExists = (err: unknown) => matches(err, 'AlreadyExists', 409);
export const isInvalid = (err: unknown) => matches(err, 'Invalid', 422);
export const isForbidden = (err: unknown) => matches(err, 'Forbidden', 403);
export const isTooManyRequests = (err: unknown) => matches(err, 'TooManyRequests', 429);
/** 410: a resourceVersion or continue token older than the server keeps; relist. */
export const isResourceExpired = (err: unknown) =>
  err instanceof ApiStatusError &&
  (err.code === 410 || err.reason === 'Expired' || err.reason === 'Gone');
