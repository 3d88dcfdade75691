// Which failures of an API call are worth trying again: the server was busy, slow or unreachable,
// as opposed to an answer that will not change (forbidden, invalid, not found).
import { ApiStatusError, isTooManyRequests } from '../client/errors';

/** A network error, a timeout, 429, or a 5xx (k8s: what client-go's retries and the kubelet's loops wait out). */
export function isTransient(err: unknown): boolean {
  if (untrustedCertificate(err)) return false;
  if (!(err instanceof ApiStatusError)) return true;
  return isTooManyRequests(err) || err.code >= 500;
}

/** Exponential backoff from `initialMs`, doubling to `maxMs` (k8s: wait.Backoff with Factor 2 and a Cap). */
export function backoffMs(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
}

/** A TLS verification failure: the server's certificate will not become trusted by waiting. */
function untrustedCertificate(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const code = String((e as { code?: unknown }).code ?? '');
    const message = e instanceof Error ? e.message : String(e);
    if (/CERT|ISSUER|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) return true;
    if (
      /self[- ]signed certificate|unable to (verify|get local issuer)|certificate has expired/i.test(
        message,
      )
    )
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
