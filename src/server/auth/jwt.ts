// Compact JWS (JWT) with ES256: what ServiceAccount tokens are. WebCrypto's ECDSA signature is
// already the raw r||s form JWS uses.
import { b64url } from './signing-key';

const enc = new TextEncoder();
const ES256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

function unb64url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

export async function signJwt(
  claims: Record<string, unknown>,
  key: { kid: string; privateKey: CryptoKey },
): Promise<string> {
  const head = b64url(enc.encode(JSON.stringify({ alg: 'ES256', kid: key.kid })));
  const body = b64url(enc.encode(JSON.stringify(claims)));
  const sig = await crypto.subtle.sign(ES256, key.privateKey, enc.encode(`${head}.${body}`));
  return `${head}.${body}.${b64url(new Uint8Array(sig))}`;
}

/** The claims of a JWT signed by `publicKey`, or undefined when it is not one (any malformation). */
export async function verifyJwt(
  token: string,
  publicKey: CryptoKey,
): Promise<Record<string, unknown> | undefined> {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(new TextDecoder().decode(unb64url(parts[0]))) as { alg?: string };
    if (header.alg !== 'ES256') return undefined;
    const ok = await crypto.subtle.verify(
      ES256,
      publicKey,
      unb64url(parts[2]),
      enc.encode(`${parts[0]}.${parts[1]}`),
    );
    if (!ok) return undefined;
    const claims = JSON.parse(new TextDecoder().decode(unb64url(parts[1]))) as unknown;
    return claims && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
