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
