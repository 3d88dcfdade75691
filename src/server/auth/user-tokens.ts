// User tokens: bearer tokens for people, made by `edgeplane user create`, kept as kube-system Secrets
// that hold only the token's SHA-256 (as node credentials). RBAC decides what a user may do.
import { findResource } from '../../api/resources';
import type { Store } from '../../storage/store';
import { safeEqual, type User } from './authenticate';
import { sha256Hex } from './node-credentials';

const SECRETS = findResource('', 'v1', 'secrets')!;
export const USER_TOKEN_TYPE = 'edgeplane.dev/user-token';
export const USER_TOKEN_PREFIX = 'ep-user.';
/** The Secret that holds a token is named by the token's hash: one read per authentication. */
export const userTokenSecretName = (hash: string) => `user-token-${hash.slice(0, 32)}`;

const unb64 = (s: string | undefined) => (s ? atob(s) : '');

/** Names and groups under `system:` belong to the cluster's own components, never to a user token. */
export function reservedIdentity(name: string): boolean {
  return name.startsWith('system:');
}

export async function authenticateUserToken(
  store: Store,
  token: string,
  now = Date.now(),
): Promise<User | undefined> {
  if (!token.startsWith(USER_TOKEN_PREFIX)) return undefined;
  const hash = await sha256Hex(token);
  const secret = await store.get(SECRETS, 'kube-system', userTokenSecretName(hash));
  if (!secret || (secret as { type?: string }).type !== USER_TOKEN_TYPE) return undefined;
  const d = (secret as { data?: Record<string, string> }).data ?? {};
  if (!safeEqual(unb64(d['token-sha256']), hash)) return undefined;
  const exp = unb64(d.expiration);
  if (exp && !(Date.parse(exp) > now)) return undefined;
  const name = unb64(d.user);
  const groups = unb64(d.groups).split(',').filter(Boolean);
  if (!name || reservedIdentity(name) || groups.some(reservedIdentity)) return undefined;
  return { name, groups: [...groups, 'system:authenticated'] };
}
