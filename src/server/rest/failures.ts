// Maps storage failures (returned as values) to Kubernetes Status errors.
import type { StoreFailure } from '../../storage/store';
import { errors, type ApiError } from '../errors';
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
  }
}
