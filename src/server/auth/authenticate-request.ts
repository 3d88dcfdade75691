// The authenticator chain: the fixed identity of a service binding, the admin token, then the
// stored credentials (node credentials, user tokens) and ServiceAccount tokens.
import type { Env } from '../env';
import type { Store } from '../../storage/store';
import { authenticate, bearerToken, type User } from './authenticate';
import { authenticateNode } from './node-credentials';
import { authenticateUserToken } from './user-tokens';
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
