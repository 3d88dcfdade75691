// POST /edgeplane/v1/nodes/{name}/revoke: `edgeplane node revoke NODE`. Deletes the node's credentials
// and cuts its live tunnel at once, so exec, attach, port-forward and log follows through that node stop
// now rather than whenever its agent next reconnects (which then meets 401: the tunnel route checks the
// credential against storage, uncached).
import type { Store } from '../storage/store';
import type { User } from './auth/authenticate';
import { revokeNodeCredentials } from './auth/node-credentials';
import type { Env } from './env';
import { errors } from './errors';
import { closeNodeTunnel } from '../tunnel/agent-route';

const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export async function handleNodeRevoke(
  env: Env,
  store: Store,
  user: User,
  node: string,
): Promise<Response> {
  if (!user.groups.includes('system:masters')) {
    throw errors.forbidden(`User "${user.name}" cannot revoke node credentials: only an admin may`);
  }
  if (!NODE_NAME.test(node)) throw errors.badRequest(`"${node}" is not a node name`);
  // Credentials first: an agent that reconnects after the tunnel closes must already find them gone.
  const revoked = await revokeNodeCredentials(store, node);
  await closeNodeTunnel(env, node, 'the node credential was revoked');
  return Response.json({ node, revoked });
}
