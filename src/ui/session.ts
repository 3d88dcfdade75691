// Dashboard sessions. The bearer token the user signs in with is kept in a cookie encrypted and
// authenticated with AES-256-GCM under a key ring made at random for this cluster and kept as a
// storage setting (never an API object, so no API read reveals it; each cluster has its own).
// Why a sealed cookie rather than a server-side session table: the API Worker runs in many isolates
// with no shared memory, and a sealed cookie needs no storage write per sign-in nor a sweep of
// expired sessions, while a forged or altered cookie fails GCM's authentication; there is no default
// key that could work anywhere. The token is re-authenticated on every request, so revoking it ends
// the session. The cookie also carries the session's CSRF token, which every POST must echo.
//
// Lifetime, as the upstream dashboard does it: a session ends after UI_SESSION_IDLE_SECONDS without
// a page load or an action (30 min by default; each one slides it), and UI_SESSION_MAX_SECONDS after
// sign-in whatever the activity (12 h). Live refreshes of an open page do not count as activity.
//
// Key rotation: the ring holds the current key and the previous one. Once the current key is
// UI_SESSION_KEY_ROTATION_SECONDS old (24 h; never less than the absolute lifetime), the first
// isolate to notice puts a fresh key in front (compare-and-set on the setting), the current one
// becomes the previous, and the one before is dropped. New cookies are sealed with the current key;
// a cookie names its key, so one sealed before a rotation opens until it expires, since a key stays
// in the ring for two rotation periods, and a dropped key's cookies are refused.
import type { Store } from '../storage/store';
import type { Env } from '../server/env';
import { b64url } from '../server/auth/signing-key';

export const SESSION_COOKIE = '__Host-edgeplane-session';
const SETTING = 'ui-session-keys';
/** How long an isolate trusts the ring it read; a cookie naming an unknown key re-reads sooner. */
const RING_CACHE_MS = 5_000;
const UNKNOWN_KEY_RELOAD_MS = 1_000;

export interface SessionConfig {
  /** A session ends this long after its last page load or action. */
  idleMs: number;
  /** A session ends this long after sign-in, whatever the activity. */
  maxMs: number;
  /** The sealing key is replaced when it is this old. */
  rotateMs: number;
}

export const DEFAULT_SESSION_CONFIG: SessionConfig = {
  idleMs: 30 * 60_000,
  maxMs: 12 * 3600_000,
  rotateMs: 24 * 3600_000,
};

function seconds(v: string | undefined, fallback: number): number {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n > 0 ? n * 1000 : fallback;
}

/** The Worker's session settings; rotation is never faster than a session can live. */
export function sessionConfig(
  env: Pick<
    Env,
    'UI_SESSION_IDLE_SECONDS' | 'UI_SESSION_MAX_SECONDS' | 'UI_SESSION_KEY_ROTATION_SECONDS'
  >,
): SessionConfig {
  const d = DEFAULT_SESSION_CONFIG;
  const maxMs = seconds(env.UI_SESSION_MAX_SECONDS, d.maxMs);
  const idleMs = Math.min(seconds(env.UI_SESSION_IDLE_SECONDS, d.idleMs), maxMs);
  const rotateMs = Math.max(seconds(env.UI_SESSION_KEY_ROTATION_SECONDS, d.rotateMs), maxMs);
  return { idleMs, maxMs, rotateMs };
}

export interface Session {
  token: string;
  csrf: string;
  /** The last page load or action (ms). */
  seen: number;
  /** The absolute end (ms), fixed at sign-in. */
  expires: number;
}

interface StoredKey {
  id: string;
  key: string;
  created: number;
}

interface Ring {
  raw: string;
  keys: { id: string; created: number; key: CryptoKey }[];
}

let cached: { ring: Promise<Ring>; at: number } | undefined;

function fromB64url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(b, (ch) => ch.charCodeAt(0));
}

const freshKey = (now: number): StoredKey => ({
  id: b64url(crypto.getRandomValues(new Uint8Array(6))),
  key: b64url(crypto.getRandomValues(new Uint8Array(32))),
  created: now,
});

async function parse(raw: string): Promise<Ring> {
  const stored = (JSON.parse(raw) as { keys: StoredKey[] }).keys;
  return {
    raw,
    keys: await Promise.all(
      stored.map(async (k) => ({
        id: k.id,
        created: k.created,
        key: await crypto.subtle.importKey('raw', fromB64url(k.key), 'AES-GCM', false, [
          'encrypt',
          'decrypt',
        ]),
      })),
    ),
  };
}

/** Reads the ring (making it on first use) and rotates it when its current key is due. */
async function readRing(store: Store, cfg: SessionConfig, now: number): Promise<Ring> {
  let raw = await store.ensureSetting(SETTING, JSON.stringify({ keys: [freshKey(now)] }));
  for (let attempt = 0; attempt < 5; attempt++) {
    const keys = (JSON.parse(raw) as { keys: StoredKey[] }).keys;
    if (keys[0] && now - keys[0].created < cfg.rotateMs) break;
    // Current + previous: the key before the previous one is retired with this rotation.
    const next = JSON.stringify({ keys: [freshKey(now), ...keys.slice(0, 1)] });
    const after = await store.replaceSetting(SETTING, raw, next);
    if (after === next) {
      raw = next;
      break;
    }
    raw = after || (await store.ensureSetting(SETTING, next));
  }
  return parse(raw);
}

function load(store: Store, cfg: SessionConfig, now: number): Promise<Ring> {
  const ring = readRing(store, cfg, now);
  const entry = { ring, at: now };
  cached = entry;
  ring.catch(() => {
    if (cached === entry) cached = undefined;
  });
  return ring;
}

async function ringFor(store: Store, cfg: SessionConfig, now: number): Promise<Ring> {
  if (cached && now - cached.at < RING_CACHE_MS && now >= cached.at) {
    const ring = await cached.ring;
    if (now - ring.keys[0].created < cfg.rotateMs) return ring;
  }
  return load(store, cfg, now);
}

export function newSession(token: string, cfg = DEFAULT_SESSION_CONFIG, now = Date.now()): Session {
  return {
    token,
    csrf: b64url(crypto.getRandomValues(new Uint8Array(24))),
    seen: now,
    expires: now + cfg.maxMs,
  };
}

/** `keyId.iv.ciphertext`, sealed under the ring's current key. */
export async function seal(
  store: Store,
  s: Session,
  cfg = DEFAULT_SESSION_CONFIG,
  now = Date.now(),
): Promise<string> {
  const key = (await ringFor(store, cfg, now)).keys[0];
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new TextEncoder().encode(JSON.stringify(s));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key.key, data));
  return `${key.id}.${b64url(iv)}.${b64url(ct)}`;
}

/**
 * The session a cookie value seals, or undefined when it is absent, altered, foreign, sealed by a
 * retired key, idle too long or past its absolute end.
 */
export async function unseal(
  store: Store,
  value: string | undefined,
  cfg = DEFAULT_SESSION_CONFIG,
  now = Date.now(),
): Promise<Session | undefined> {
  if (!value) return undefined;
  const [id, iv, ct, extra] = value.split('.');
  if (!id || !iv || !ct || extra !== undefined) return undefined;
  try {
    let ring = await ringFor(store, cfg, now);
    let key = ring.keys.find((k) => k.id === id);
    // Another isolate may have rotated: a key this one does not know makes it read the ring again.
    if (!key && cached && now - cached.at >= UNKNOWN_KEY_RELOAD_MS) {
      ring = await load(store, cfg, now);
      key = ring.keys.find((k) => k.id === id);
    }
    if (!key) return undefined;
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromB64url(iv) },
      key.key,
      fromB64url(ct),
    );
    const s = JSON.parse(new TextDecoder().decode(plain)) as Session;
    if (typeof s.token !== 'string' || typeof s.csrf !== 'string') return undefined;
    if (!(s.expires > now) || !(now - s.seen < cfg.idleMs)) return undefined;
    return s;
  } catch {
    return undefined;
  }
}

/**
 * Activity slides the idle deadline: the session sealed again with `seen` now (under the current
 * key), unless it was last sealed under a minute (or a tenth of the idle time) ago.
 */
export function shouldSlide(s: Session, cfg = DEFAULT_SESSION_CONFIG, now = Date.now()): boolean {
  return now - s.seen >= Math.min(60_000, cfg.idleMs / 10);
}

export function sessionCookie(value: string, s: Session, now = Date.now()): string {
  const maxAge = Math.max(0, Math.floor((s.expires - now) / 1000));
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
