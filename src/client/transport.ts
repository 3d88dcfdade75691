// How the client reaches the API: any function from Request to Response (a service binding, or fetch).

/** A Worker passes `binding.fetch.bind(binding)`; Node passes a fetch configured for the cluster's TLS. */
export type Transport = (request: Request) => Promise<Response>;

/**
 * Sends every request to `base` (origin plus optional path prefix) with a bearer token. The client
 * builds URLs against a placeholder origin, so the transport alone decides where requests go.
 */
export function bearerTransport(
  base: string,
  token: string,
  fetchImpl: Transport = (request) => fetch(request),
): Transport {
  const target = new URL(base);
  const prefix = target.pathname.replace(/\/+$/, '');
  return (request) => {
    const original = new URL(request.url);
    const url = new URL(target.origin);
    url.pathname = prefix + original.pathname;
    url.search = original.search;
    const rebased = new Request(url, request);
    rebased.headers.set('Authorization', `Bearer ${token}`);
    return fetchImpl(rebased);
  };
}

/** A request the transport gave up on: the server did not answer within the deadline. */
export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError';
}

const isWatch = (url: string) => /[?&]watch=(true|1)(&|$)/.test(url);

/**
 * Bounds every request: a hung API call fails after `ms` instead of stalling the caller forever.
 * A plain request's deadline covers its whole body (it is read here, within the deadline); a watch's
 * covers only the response headers, since its body is meant to stay open.
 */
export function withTimeout(inner: Transport, ms: number): Transport {
  return async (request) => {
    const abort = new AbortController();
    const upstream = request.signal;
    const onAbort = () => abort.abort(upstream.reason);
    if (upstream.aborted) abort.abort(upstream.reason);
    else upstream.addEventListener('abort', onAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new RequestTimeoutError(
          `${request.method} ${new URL(request.url).pathname}: no answer within ${ms} ms`,
        );
        abort.abort(err);
        reject(err);
      }, ms);
    });
    deadline.catch(() => undefined);
    const watch = isWatch(request.url);
    try {
      const response = await Promise.race([
        inner(new Request(request, { signal: abort.signal })),
        deadline,
      ]);
      if (watch) return response;
      const body = await Promise.race([response.arrayBuffer(), deadline]);
      const empty = response.status === 204 || response.status === 304;
      return new Response(empty ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      // A watch's stream must still end when its caller aborts.
      if (!watch) upstream.removeEventListener('abort', onAbort);
    }
  };
}
