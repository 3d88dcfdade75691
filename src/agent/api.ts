// The agent's API client: KubeClient over node:https with the cluster's CA (or no verification), bearer auth.
import https from 'node:https';
import { Readable } from 'node:stream';
import { KubeClient } from '../client/client';
import { bearerTransport, type Transport } from '../client/transport';

/** A request (not a watch) that goes this long without a byte either way has hung: it fails, and its caller retries. */
const IDLE_TIMEOUT_MS = 60_000;

export interface TlsOptions {
  /** PEM of the CA that signs the server's certificate; default the system's trust store. */
  caPem?: string;
  insecureSkipVerify?: boolean;
}

export interface ApiOptions extends TlsOptions {
  server: string;
  token: string;
  userAgent?: string;
  /**
   * A transport shared with other clients of this process (its keep-alive sockets serve every
   * credential; the bearer is per request). Closing this client then leaves it open.
   */
  transport?: Transport;
}

/**
 * A Transport over node:https. Node's global fetch takes no CA of its own, and undici is only a
 * transitive dependency here, so requests go through https.request with one keep-alive agent;
 * response bodies stream (watch needs that) and abort through the Request's signal.
 */
export function httpsTransport(
  tls: TlsOptions,
  maxSockets = Infinity,
): Transport & { close(): void } {
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets,
    ca: tls.caPem,
    rejectUnauthorized: !tls.insecureSkipVerify,
  });
  const transport = async (request: Request): Promise<Response> => {
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => (headers[key] = value));
    if (body) headers['content-length'] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const req = https.request(
        request.url,
        { method: request.method, headers, agent, signal: request.signal },
        (res) => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          const status = res.statusCode ?? 500;
          if (status === 204 || status === 304 || request.method === 'HEAD') {
            res.resume();
            resolve(new Response(null, { status, headers: h }));
            return;
          }
          resolve(
            new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status, headers: h }),
          );
        },
      );
      // A watch may stay quiet between events; anything else that stalls must not hold a pod's sync forever.
      if (new URL(request.url).searchParams.get('watch') !== 'true') {
        req.setTimeout(IDLE_TIMEOUT_MS, () =>
          req.destroy(
            new Error(
              `the API did not answer ${request.method} ${new URL(request.url).pathname} within ${IDLE_TIMEOUT_MS / 1000}s`,
            ),
          ),
        );
      }
      req.on('error', reject);
      req.end(body);
    });
  };
  return Object.assign(transport, { close: () => agent.destroy() });
}

export interface AgentApi {
  client: KubeClient;
  close(): void;
}

export function createApi(opts: ApiOptions): AgentApi {
  const own = opts.transport ? undefined : httpsTransport(opts);
  const client = new KubeClient({
    transport: bearerTransport(opts.server, opts.token, opts.transport ?? own!),
    userAgent: opts.userAgent ?? 'edgeplane-agent/v1.32.4-edgeplane',
  });
  return { client, close: () => own?.close() };
}
