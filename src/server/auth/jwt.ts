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

/** The `kid` a JWT's header names, if it is a well-formed ES256 JWT header that names one. */
export function jwtKeyId(token: string): { ok: boolean; kid?: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false };
  try {
    const header = JSON.parse(new TextDecoder().decode(unb64url(parts[0]))) as {
      alg?: string;
      kid?: unknown;
    };
    if (header.alg !== 'ES256') return { ok: false };
    return { ok: true, kid: typeof header.kid === 'string' ? header.kid : undefined };
  } catch {
    return { ok: false };
  }
}

/**
 * The claims of a JWT signed by one of `publicKeys`, or undefined when it is not one (any
 * malformation).
 */
export async function verifyJwt(
  token: string,
  publicKeys: CryptoKey[],
): Promise<Record<string, unknown> | undefined> {
  if (!jwtKeyId(token).ok) return undefined;
  const parts = token.split('.');
  try {
    const sig = unb64url(parts[2]);
    const signed = enc.encode(`${parts[0]}.${parts[1]}`);
    let ok = false;
    for (const key of publicKeys) if (!ok) ok = await crypto.subtle.verify(ES256, key, sig, signed);
    if (!ok) return undefined;
    const claims = JSON.parse(new TextDecoder().decode(unb64url(parts[1]))) as unknown;
    return claims && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
