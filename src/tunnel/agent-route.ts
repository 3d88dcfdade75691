// GET /edgeplane/v1/nodes/{name}/tunnel: a node agent opens its one outbound tunnel WebSocket.
// Only that node's own credential may (or an admin, for agents run with the admin token).
import { bearerToken, type User } from '../server/auth/authenticate';
import { authenticateNode } from '../server/auth/node-credentials';
import type { Store } from '../storage/store';
import type { Env } from '../server/env';
import { errors } from '../server/errors';
import { NODE_HEADER, OPEN_HEADER, STREAM_HEADER } from './node-tunnel';
import { isWebSocketUpgrade } from './v5';

export async function handleAgentTunnel(
  req: Request,
  env: Env,
  store: Store,
  user: User,
  node: string,
): Promise<Response> {
  const admin = user.groups.includes('system:masters');
  if (!admin && user.node !== node) {
    throw errors.forbidden(
      `User "${user.name}" cannot open the tunnel of node "${node}": a node credential opens only its own node's tunnel`,
    );
  }
  // The tunnel lives for hours: check a node credential against storage, not the per-isolate cache,
  // so an agent whose tunnel a revocation just cut cannot reconnect on a cached identity.
  if (!admin && (await authenticateNode(store, bearerToken(req) ?? ''))?.node !== node)
    throw errors.unauthorized();
  if (!isWebSocketUpgrade(req))
    throw errors.badRequest('the node tunnel is a WebSocket: send GET with Upgrade: websocket');
  const headers = new Headers(req.headers);
  headers.set(STREAM_HEADER, 'agent');
  headers.set(NODE_HEADER, node);
  return env.NODE_TUNNEL.get(env.NODE_TUNNEL.idFromName(`node:${node}`)).fetch(
    new Request(req.url, { method: 'GET', headers }),
  );
}

/** Closes a node's tunnel (agent socket and every session through it), e.g. when its credential is revoked. */
export async function closeNodeTunnel(env: Env, node: string, why: string): Promise<void> {
  const headers = new Headers({
    [STREAM_HEADER]: 'close',
    [NODE_HEADER]: node,
    [OPEN_HEADER]: why,
  });
  await env.NODE_TUNNEL.get(env.NODE_TUNNEL.idFromName(`node:${node}`)).fetch(
    new Request('https://tunnel/close', { method: 'POST', headers }),
  );
}
