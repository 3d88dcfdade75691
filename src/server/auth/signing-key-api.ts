// The ServiceAccount signing key ring, for cluster administrators (system:masters) only:
//   GET    /edgeplane/v1/serviceaccount-signing-keys           the keys, the signing one first
//   POST   /edgeplane/v1/serviceaccount-signing-keys/rotate    a fresh key signs from now on
//   DELETE /edgeplane/v1/serviceaccount-signing-keys/{kid}     retire a verify-only key
// With kubectl: `kubectl get --raw ...`, `kubectl create --raw .../rotate -f /dev/null`,
// `kubectl delete --raw .../{kid}`. Key material never leaves storage; only kids are shown.
import type { Hono } from 'hono';
import type { AppEnv } from '../app';
import type { User } from './authenticate';
import { forgetCachedIdentities } from './authenticate-request';
import { errors, ApiError } from '../errors';
import {
  type KeyRing,
  SigningKeyError,
  keyRing,
  retireSigningKey,
  rotateSigningKey,
} from './signing-key';

export const SIGNING_KEYS_PATH = '/edgeplane/v1/serviceaccount-signing-keys';

function requireAdmin(user: User): void {
  if (!user.groups.includes('system:masters'))
    throw errors.forbidden(
      `User "${user.name}" cannot manage ServiceAccount signing keys: only cluster administrators (system:masters) may`,
    );
}

const listing = (ring: KeyRing) =>
  Response.json({ keys: ring.keys.map((k, i) => ({ kid: k.kid, signing: i === 0 })) });

function apiError(e: unknown): unknown {
  if (!(e instanceof SigningKeyError)) return e;
  return new ApiError(e.reason === 'NotFound' ? 404 : 409, e.reason, e.message);
}

export function mountSigningKeyApi(app: Hono<AppEnv>): void {
  app.get(SIGNING_KEYS_PATH, async (c) => {
    requireAdmin(c.get('user'));
    return listing(await keyRing(c.get('store')));
  });
  app.post(`${SIGNING_KEYS_PATH}/rotate`, async (c) => {
    requireAdmin(c.get('user'));
    return listing(
      await rotateSigningKey(c.get('store')).catch((e) => Promise.reject(apiError(e))),
    );
  });
  app.delete(`${SIGNING_KEYS_PATH}/:kid`, async (c) => {
    requireAdmin(c.get('user'));
    const ring = await retireSigningKey(c.get('store'), c.req.param('kid')).catch((e) =>
      Promise.reject(apiError(e)),
    );
    // Identities this isolate cached from ServiceAccount tokens are checked again (others within
    // their cache's lifetime); a token of the retired key then fails its signature check.
    forgetCachedIdentities((u) => u.name.startsWith('system:serviceaccount:'));
    return listing(ring);
  });
}
