// Dashboard sessions. The bearer token the user signs in with is kept in a cookie encrypted and
// authenticated with AES-256-GCM under a key made at random for this cluster on first use and kept
// as a storage setting (never an API object, so no API read reveals it; each cluster has its own).
// Why a sealed cookie rather than a server-side session table: the API Worker runs in many isolates
// with no shared memory, and a sealed cookie needs no storage write per sign-in nor a sweep of
// expired sessions, while a forged or altered cookie fails GCM's authentication; there is no default
// key that could work anywhere. The token is re-authenticated on every request, so revoking it ends
// the session. The cookie also carries the session's CSRF token, which every POST must echo.
import type { Store } from '../storage/store';
import { b64url } from '../server/auth/signing-key';

export const SESSION_COOKIE = '__Host-edgeplane-session';
/** A session lasts 12 hours at most (the token itself may expire sooner). */
export const SESSION_MS = 12 * 3600 * 1000;
const SETTING = 'ui-session-key';

export interface Session {
  token: string;
  csrf: string;
  expires: number;
}

let loaded: Promise<CryptoKey> | undefined;

function fromB64url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(b, (ch) => ch.charCodeAt(0));
}

function sessionKey(store: Store): Promise<CryptoKey> {
  loaded ??= (async () => {
    const candidate = b64url(crypto.getRandomValues(new Uint8Array(32)));
    // The first writer's key wins; every isolate then reads that one.
    const raw = fromB64url(await store.ensureSetting(SETTING, candidate));
    return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  })().catch((e: unknown) => {
    loaded = undefined;
    throw e;
  });
  return loaded;
}

export function newSession(token: string, now = Date.now()): Session {
  return {
    token,
    csrf: b64url(crypto.getRandomValues(new Uint8Array(24))),
    expires: now + SESSION_MS,
  };
}

export async function seal(store: Store, s: Session): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new TextEncoder().encode(JSON.stringify(s));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await sessionKey(store), data),
  );
  return `${b64url(iv)}.${b64url(ct)}`;
}

/** The session a cookie value seals, or undefined when it is absent, altered, foreign or expired. */
export async function unseal(
  store: Store,
  value: string | undefined,
  now = Date.now(),
): Promise<Session | undefined> {
  if (!value) return undefined;
  const [iv, ct] = value.split('.');
  if (!iv || !ct) return undefined;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromB64url(iv) },
      await sessionKey(store),
      fromB64url(ct),
    );
    const s = JSON.parse(new TextDecoder().decode(plain)) as Session;
    if (typeof s.token !== 'string' || typeof s.csrf !== 'string' || !(s.expires > now))
      return undefined;
    return s;
  } catch {
    return undefined;
  }
}

export function sessionCookie(value: string): string {
  const maxAge = Math.floor(SESSION_MS / 1000);
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${maxAge}`;
}

export const clearedCookie = `${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`;

export function cookieValue(header: string | null | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
