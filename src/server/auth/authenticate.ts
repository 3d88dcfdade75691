// Authentication: bearer tokens only. The admin token is a secret; there is no default token.

export interface User {
  name: string;
  groups: string[];
  /** Set for node identities: the node this credential belongs to. */
  node?: string;
  /** The user's UID, when its authenticator has one (a ServiceAccount's). */
  uid?: string;
  /** Extra attributes (a ServiceAccount token's pod and node, for SelfSubjectReview). */
  extra?: Record<string, string[]>;
  /** When the credential stops being valid (epoch ms), for a token that expires. */
  expires?: number;
}

export const ADMIN: User = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

/** Constant-time string comparison, so a token cannot be guessed byte by byte from timing. */
export function safeEqual(a: string, b: string): boolean {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  let diff = ea.length ^ eb.length;
  for (let i = 0; i < Math.max(ea.length, eb.length); i++) diff |= (ea[i] ?? 0) ^ (eb[i] ?? 0);
  return diff === 0;
}

export function bearerToken(req: Request): string | undefined {
  const h = req.headers.get('authorization');
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}

/** Returns the caller, or undefined when the request carries no credential this cluster accepts. */
export function authenticate(req: Request, adminToken: string | undefined): User | undefined {
  const token = bearerToken(req);
  if (!token) return undefined;
  // An unset or short admin secret authenticates nobody: never a well-known default.
  if (adminToken && adminToken.length >= 16 && safeEqual(token, adminToken)) return ADMIN;
  return undefined;
}
