// Maps storage failures (returned as values) to Kubernetes Status errors.
import type { StoreFailure } from '../../storage/store';
import { ApiError, errors } from '../errors';
import { targetOf, type ApiContext } from '../context';

export function failureToError(ctx: ApiContext, f: StoreFailure, name?: string): ApiError {
  const t = targetOf(ctx, name);
  switch (f.reason) {
    case 'not-found':
      return errors.notFound(t);
    case 'exists':
      return errors.alreadyExists(t);
    case 'conflict':
      return errors.conflict(t, f.message ? `Precondition failed: ${f.message}` : undefined);
    case 'expired':
      return errors.expired(f.message ?? 'too old resource version');
    case 'too-large':
      return errors.tooLarge(f.message ?? 'object is too large');
    case 'invalid':
      return errors.badRequest(f.message ?? 'invalid request');
    case 'rv-too-large':
      return tooLargeResourceVersion(f.message ?? 'Too large resource version');
  }
}

/**
 * A read at a resourceVersion the store did not reach within its wait: 504 Timeout that clients
 * retry after a second; client-go's reflector recognizes the cause and relists from scratch.
 * k8s: staging/src/k8s.io/apiserver/pkg/storage/errors.go (NewTooLargeResourceVersionError)
 */
export function tooLargeResourceVersion(message: string): ApiError {
  return new ApiError(
    504,
    'Timeout',
    `Timeout: ${message}`,
    {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    },
    { 'Retry-After': '1' },
  );
}
