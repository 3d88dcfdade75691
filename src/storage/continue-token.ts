// Continue tokens: an opaque, base64url-encoded (position, last key) pair, as the apiserver's are.
import type { Position } from './revision';

interface Token {
  position: Position;
  key: string;
}

export function encodeContinue(t: Token): string {
  return b64url(JSON.stringify({ v: 1, p: t.position, k: t.key }));
}

/** Returns undefined for anything that is not a token this cluster issued for `width` shards. */
export function decodeContinue(s: string, width: number): Token | undefined {
  try {
    const raw = JSON.parse(fromB64url(s)) as { v?: number; p?: unknown; k?: unknown };
    if (raw.v !== 1 || !Array.isArray(raw.p) || typeof raw.k !== 'string') return undefined;
    if (raw.p.length !== width || !raw.p.every((x) => Number.isInteger(x) && x >= 0))
      return undefined;
    return { position: raw.p as number[], key: raw.k };
  } catch {
    return undefined;
  }
}

function b64url(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64url(s: string): string {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}
