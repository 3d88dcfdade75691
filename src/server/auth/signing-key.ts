// The cluster's ServiceAccount token signing key: an ECDSA P-256 key made on first use and kept as a
// storage setting, never as an API object, so no API read can reveal it. Each cluster has its own.
import type { Store } from '../../storage/store';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public half as a JWK (EC P-256: x, y), for the issuer's key set. */
  publicJwk: JsonWebKey;
}

const SETTING = 'service-account-signing-key';
const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** Per isolate: the key is read (and made, the first time in the cluster's life) once. */
let loaded: Promise<SigningKey> | undefined;

export const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

async function load(store: Store): Promise<SigningKey> {
  const fresh = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const candidate = JSON.stringify(
    await crypto.subtle.exportKey('jwk', (fresh as CryptoKeyPair).privateKey),
  );
  // The first writer's key wins; every later caller reads that one.
  const jwk = JSON.parse(await store.ensureSetting(SETTING, candidate)) as JsonWebKey;
  const privateKey = await crypto.subtle.importKey('jwk', jwk, ALG, false, ['sign']);
  const pub: JsonWebKey = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
  const publicKey = await crypto.subtle.importKey('jwk', pub, ALG, true, ['verify']);
  // As upstream: the key id is the SHA-256 of the public key's DER (SubjectPublicKeyInfo).
  const spki = new Uint8Array((await crypto.subtle.exportKey('spki', publicKey)) as ArrayBuffer);
  const kid = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', spki)));
  return { kid, privateKey, publicKey, publicJwk: pub };
}

export function signingKey(store: Store): Promise<SigningKey> {
  loaded ??= load(store).catch((e: unknown) => {
    loaded = undefined;
    throw e;
  });
  return loaded;
}
