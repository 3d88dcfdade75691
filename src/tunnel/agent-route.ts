// GET /edgeplane/v1/nodes/{name}/tunnel: a node agent opens its one outbound tunnel WebSocket.
// Only that node's own credential may (or an admin, for agents run with the admin token).
import type { User } from '../server/auth/authenticate';
import type { Env } from '../server/env';
import { errors } from '../server/errors';
import { NODE_HEADER, STREAM_HEADER } from './node-tunnel';
import { isWebSocketUpgrade } from './v5';

export function handleAgentTunnel(req: Request, env: Env, user: User, node: string): Promise<Response> {
  const admin = user.groups.includes('system:masters');
  if (!admin && user.node !== node) {
    throw errors.forbidden(`User "${user.name}" cannot open the tunnel of node "${node}": a node credential opens only its own node's tunnel`);
  }
  if (!isWebSocketUpgrade(req)) throw errors.badRequest('the node tunnel is a WebSocket: send GET with Upgrade: websocket');
  const headers = new Headers(req.headers);
  headers.set(STREAM_HEADER, 'agent');
  headers.set(NODE_HEADER, node);
  return env.NODE_TUNNEL.get(env.NODE_TUNNEL.idFromName(`node:${node}`)).fetch(new Request(req.url, { method: 'GET', headers }));
}
