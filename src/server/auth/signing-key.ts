// The cluster's ServiceAccount token signing keys: ECDSA P-256 keys kept as a storage setting, never
// as an API object, so no API read can reveal them. Each cluster has its own ring, newest first: new
// tokens are signed with the newest key, and a token verifies while its key (its `kid`) is in the
// ring. Rotation puts a fresh key in front; the older keys keep only their public half and verify
// until an admin retires them (see signing-key-api.ts). The cluster's first key is made on first use
// and kept set-once under its own setting, so a cluster from before rotation keeps its key and kid.
import type { Store } from '../../storage/store';

export interface VerifyKey {
  kid: string;
  publicKey: CryptoKey;
  /** The public half as a JWK (EC P-256: x, y), for the issuer's key set. */
  publicJwk: JsonWebKey;
}

export interface SigningKey extends VerifyKey {
  privateKey: CryptoKey;
}

export interface KeyRing {
  /** The newest key: it signs. */
  signing: SigningKey;
  /** Every key that verifies, the signing one first. */
  keys: VerifyKey[];
}

const FIRST_KEY = 'service-account-signing-key';
const RING = 'service-account-signing-keys';
const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
/** How long an isolate trusts the ring it read: a rotation or retirement reaches it within this. */
export const RING_CACHE_MS = 5_000;
/** A token naming a kid this isolate does not know makes it re-read the ring at most this often. */
const UNKNOWN_KID_RELOAD_MS = 1_000;

export const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** The ring as stored: private JWKs, newest first; only the first keeps its private part. */
interface StoredRing {
  keys: JsonWebKey[];
}

const publicPart = (jwk: JsonWebKey): JsonWebKey => ({
  kty: jwk.kty,
  crv: jwk.crv,
  x: jwk.x,
  y: jwk.y,
});

async function freshKeyJwk(): Promise<JsonWebKey> {
  const pair = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  return (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey;
}

async function verifyKey(jwk: JsonWebKey): Promise<VerifyKey> {
  const pub = publicPart(jwk);
  const publicKey = await crypto.subtle.importKey('jwk', pub, ALG, true, ['verify']);
  // As upstream: the key id is the SHA-256 of the public key's DER (SubjectPublicKeyInfo).
  const spki = new Uint8Array((await crypto.subtle.exportKey('spki', publicKey)) as ArrayBuffer);
  const kid = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', spki)));
  return { kid, publicKey, publicJwk: pub };
}

async function parseRing(raw: string): Promise<KeyRing> {
  const stored = JSON.parse(raw) as StoredRing;
  const keys = await Promise.all(stored.keys.map(verifyKey));
  const privateKey = await crypto.subtle.importKey('jwk', stored.keys[0], ALG, false, ['sign']);
  return { signing: { ...keys[0], privateKey }, keys };
}

/** The stored ring, made the first time from the cluster's first key (itself made on first use). */
async function readRing(store: Store): Promise<string> {
  const raw = await store.getSetting(RING);
  if (raw !== undefined) return raw;
  // The first writer's key wins; every later caller reads that one.
  const first = await store.ensureSetting(FIRST_KEY, JSON.stringify(await freshKeyJwk()));
  return store.ensureSetting(RING, JSON.stringify({ keys: [JSON.parse(first)] }));
}

/** Per isolate: the ring last read, and when. */
let cached: { ring: Promise<KeyRing>; at: number } | undefined;

function load(store: Store): Promise<KeyRing> {
  const ring = readRing(store).then(parseRing);
  const entry = { ring, at: Date.now() };
  cached = entry;
  ring.catch(() => {
    if (cached === entry) cached = undefined;
  });
  return ring;
}

/** The cluster's key ring, as read within the last few seconds. */
export function keyRing(store: Store): Promise<KeyRing> {
  if (cached && Date.now() - cached.at < RING_CACHE_MS) return cached.ring;
  return load(store);
}

/** The key that signs new tokens. */
export async function signingKey(store: Store): Promise<SigningKey> {
  return (await keyRing(store)).signing;
}

/**
 * The keys that may have signed a token with this `kid` (all of them when it names none). A kid
 * this isolate does not know makes it read the ring again: another isolate may have rotated.
 */
export async function verifyKeysFor(store: Store, kid: string | undefined): Promise<VerifyKey[]> {
  let ring = await keyRing(store);
  if (kid === undefined) return ring.keys;
  let match = ring.keys.filter((k) => k.kid === kid);
  if (match.length === 0 && cached && Date.now() - cached.at >= UNKNOWN_KID_RELOAD_MS) {
    ring = await load(store);
    match = ring.keys.filter((k) => k.kid === kid);
  }
  return match;
}

export class SigningKeyError extends Error {
  constructor(
    message: string,
    readonly reason: 'NotFound' | 'Conflict',
  ) {
    super(message);
  }
}

/** Changes the stored ring with `change`, retrying when another writer got there first. */
async function updateRing(
  store: Store,
  change: (keys: JsonWebKey[], ring: KeyRing) => Promise<JsonWebKey[]>,
): Promise<KeyRing> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const raw = await readRing(store);
    const current = await parseRing(raw);
    const next = JSON.stringify({
      keys: await change((JSON.parse(raw) as StoredRing).keys, current),
    });
    if ((await store.replaceSetting(RING, raw, next)) === next) {
      cached = undefined;
      return keyRing(store);
    }
  }
  throw new SigningKeyError('the signing key ring kept changing; try again', 'Conflict');
}

/** Puts a fresh signing key in front; the older keys keep verifying, with their public half only. */
export function rotateSigningKey(store: Store): Promise<KeyRing> {
  return updateRing(store, async (keys) => [await freshKeyJwk(), ...keys.map(publicPart)]);
}

/** Drops a verify-only key: tokens it signed stop verifying. The signing key cannot be retired. */
export function retireSigningKey(store: Store, kid: string): Promise<KeyRing> {
  return updateRing(store, async (keys, ring) => {
    const at = ring.keys.findIndex((k) => k.kid === kid);
    if (at < 0) throw new SigningKeyError(`no signing key has kid "${kid}"`, 'NotFound');
    if (at === 0)
      throw new SigningKeyError(
        `key "${kid}" signs new tokens; rotate first, then retire it once its tokens have expired`,
        'Conflict',
      );
    return keys.filter((_, i) => i !== at);
  });
}
