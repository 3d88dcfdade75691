// POST /edgeplane/v1/join: a node trades a join token for a credential of its own.
import { findResource } from '../api/resources';
import type { Store } from '../storage/store';
import { bearerToken } from './auth/authenticate';
import { checkJoinToken, hasNodeCredential, issueNodeCredential } from './auth/node-credentials';
import { errors } from './errors';
import { isDNS1123Subdomain } from '../lib/validation';
import { readBody } from './body';

const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
/** k8s: kubelet's nodeLeaseDurationSeconds default, for a Lease that does not say. */
const DEFAULT_LEASE_SECONDS = 40;

export async function handleJoin(req: Request, store: Store, now = Date.now()): Promise<Response> {
  const token = bearerToken(req);
  const grant = token ? await checkJoinToken(store, token) : undefined;
  if (!grant) throw errors.unauthorized();
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
      {
        type: 'FieldValueInvalid',
        field: 'nodeName',
        message: `Invalid value: ${JSON.stringify(name)}: ${problems.join('; ')}`,
      },
    ]);
  }
  if (!grant.allowTakeover) await refuseLiveNode(store, name as string, now);
  const credential = await issueNodeCredential(store, name as string);
  return new Response(JSON.stringify({ nodeName: name, token: credential }), {
    status: 201,
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * A join token is for new machines: joining under the name of a node whose credential is unrevoked
 * and whose Lease is fresh would rotate that credential away from a running agent and hand its pods
 * and Secrets to whoever holds the token. The admin frees the name with `edgeplane node revoke`, or
 * makes a token that may replace live nodes (`token create --allow-takeover`); a node whose Lease
 * has expired (a machine that lost its state) may join again.
 */
async function refuseLiveNode(store: Store, name: string, now: number): Promise<void> {
  const lease = await store.get(LEASES, 'kube-node-lease', name);
  const spec = (lease?.spec ?? {}) as { renewTime?: string; leaseDurationSeconds?: number };
  const renewed = spec.renewTime ? Date.parse(spec.renewTime) : NaN;
  if (!Number.isFinite(renewed)) return;
  const expires = renewed + (spec.leaseDurationSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  if (expires <= now || !(await hasNodeCredential(store, name))) return;
  const ago = Math.max(0, Math.round((now - renewed) / 1000));
  throw errors.conflict(
    { resource: 'nodes', group: '', name },
    `node ${name} is already joined and alive (its credential is in use and its Lease was renewed ${ago}s ago); ` +
      `to replace that machine, revoke it first (edgeplane node revoke ${name}) or join with a token made by edgeplane token create --allow-takeover, or join under another name`,
  );
}
