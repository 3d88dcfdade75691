// The authenticator chain: the fixed identity of a service binding, the admin token, then the
// stored credentials (node credentials, user tokens) and ServiceAccount tokens.
import type { Env } from '../env';
import type { Store } from '../../storage/store';
import { authenticate, bearerToken, type User } from './authenticate';
import { authenticateNode } from './node-credentials';
import { authenticateUserToken, USER_TOKEN_TYPE } from './user-tokens';
import type { KObject } from '../../api/types';
import { authenticateServiceAccountToken } from './service-account-tokens';

/** Stored credentials are checked against storage; a short cache spares a read per request (revocation lands within it). */
const CACHE_MS = 5000;
const cache = new Map<string, { user: User | undefined; until: number }>();

async function lookup(store: Store, token: string): Promise<User | undefined> {
  return (
    (await authenticateNode(store, token)) ??
    (await authenticateUserToken(store, token)) ??
    (await authenticateServiceAccountToken(store, token))
  );
}

export async function authenticateRequest(
  req: Request,
  env: Env,
  store: Store,
): Promise<User | undefined> {
  if (env.IDENTITY) return env.IDENTITY;
  const admin = authenticate(req, env.ADMIN_TOKEN);
  if (admin) return admin;
  const token = bearerToken(req);
  if (!token) return undefined;
  const cached = cache.get(token);
  if (cached && cached.until > Date.now()) return cached.user;
  const user = await lookup(store, token);
  if (cache.size > 10_000) cache.clear();
  // A token that expires sooner than the cache entry is not served from it past its expiry.
  cache.set(token, { user, until: Math.min(Date.now() + CACHE_MS, user?.expires ?? Infinity) });
  return user;
}

/** Forgets cached identities (this isolate; others within CACHE_MS): a revoked node, a deleted SA. */
export function forgetCachedIdentities(match: (u: User) => boolean): void {
  for (const [k, v] of cache) if (v.user && match(v.user)) cache.delete(k);
}

/**
 * A deleted credential or ServiceAccount stops authenticating at once in this isolate (others drop
 * their cached identity within the cache's lifetime): a user token's Secret, a ServiceAccount, or
 * the pod a token is bound to.
 */
export function forgetDeletedIdentity(r: { group: string; resource: string }, obj: KObject): void {
  if (r.group !== '') return;
  const ns = obj.metadata.namespace;
  const name = obj.metadata.name;
  if (r.resource === 'serviceaccounts')
    forgetCachedIdentities((u) => u.name === `system:serviceaccount:${ns}:${name}`);
  else if (r.resource === 'pods')
    forgetCachedIdentities(
      (u) => u.extra?.['authentication.kubernetes.io/pod-uid']?.[0] === obj.metadata.uid,
    );
  else if (r.resource === 'secrets' && (obj as { type?: string }).type === USER_TOKEN_TYPE) {
    const user = atob((obj as { data?: Record<string, string> }).data?.user ?? '');
    forgetCachedIdentities((u) => u.name === user && u.node === undefined);
  }
}
