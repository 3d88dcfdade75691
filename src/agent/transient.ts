// Which failures of an API call are worth trying again: the server was busy, slow or unreachable,
// as opposed to an answer that will not change (forbidden, invalid, not found).
import { ApiStatusError, isTooManyRequests } from '../client/errors';

/** A network error, a timeout, 429, or a 5xx (k8s: what client-go's retries and the kubelet's loops wait out). */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof ApiStatusError)) return true;
  return isTooManyRequests(err) || err.code >= 500;
}

/** Exponential backoff from `initialMs`, doubling to `maxMs` (k8s: wait.Backoff with Factor 2 and a Cap). */
export function backoffMs(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
}
