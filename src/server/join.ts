// POST /edgeplane/v1/join: a node trades a join token for a credential of its own.
import type { Store } from '../storage/store';
import { bearerToken } from './auth/authenticate';
import { checkJoinToken, issueNodeCredential } from './auth/node-credentials';
import { errors } from './errors';
import { isDNS1123Subdomain } from '../lib/validation';
import { readBody } from './body';

export async function handleJoin(req: Request, store: Store): Promise<Response> {
  const token = bearerToken(req);
  if (!token || !(await checkJoinToken(store, token))) throw errors.unauthorized();
  let body: { nodeName?: unknown };
  try {
    body = JSON.parse(new TextDecoder().decode(await readBody(req))) as { nodeName?: unknown };
  } catch {
    throw errors.badRequest('the join request body must be JSON: {"nodeName": "<name>"}');
  }
  const name = body.nodeName;
  const problems = typeof name === 'string' ? isDNS1123Subdomain(name) : ['must be a string'];
  if (problems.length) {
    throw errors.invalid({ resource: 'nodes', group: '', name: String(name) }, 'Node', [
      { type: 'FieldValueInvalid', field: 'nodeName', message: `Invalid value: ${JSON.stringify(name)}: ${problems.join('; ')}` },
    ]);
  }
  const credential = await issueNodeCredential(store, name as string);
  return new Response(JSON.stringify({ nodeName: name, token: credential }), { status: 201, headers: { 'content-type': 'application/json' } });
}
