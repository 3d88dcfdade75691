// pod-template-hash: a stable name for a pod template, and template equality that ignores the hash label.
// k8s: pkg/controller/controller_utils.go ComputeHash, deployment/util/deployment_util.go EqualIgnoreHash
import type { PodTemplate } from '../../../src/api/core';

export const HASH_LABEL = 'pod-template-hash';

// Fields whose empty object still means something (an emptyDir volume), so normalising keeps them.
const PRESENCE_KEYS = new Set(['emptyDir']);

/**
 * The template as Go's semantic equality sees it: null and empty values dropped (kubectl resends
 * `creationTimestamp: null` and `resources: {}`), keys in a canonical order, no pod-template-hash label.
 */
export function normaliseTemplate(template: PodTemplate | undefined): unknown {
  const copy = structuredClone(template ?? {}) as PodTemplate;
  if (copy.metadata?.labels) delete copy.metadata.labels[HASH_LABEL];
  return compact(copy) ?? {};
}

function compact(v: unknown, key = ''): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    const items = v.map((x) => compact(x) ?? {});
    return items.length ? items : undefined;
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = compact((v as Record<string, unknown>)[k], k);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length || PRESENCE_KEYS.has(key) ? out : undefined;
  }
  return v;
}

export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return JSON.stringify(normaliseTemplate(a)) === JSON.stringify(normaliseTemplate(b));
}

// rand.SafeEncodeString's alphabet: no vowels (no words) and no 0/1/3 (no look-alikes).
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/**
 * FNV-32a of the normalised template, then of collisionCount as a little-endian uint32 when the
 * Deployment has one, printed in decimal and made name-safe. Equal templates get equal hashes;
 * bumping collisionCount moves a Deployment off a name another template already holds.
 */
export function computeHash(
  template: PodTemplate | undefined,
  collisionCount?: number | null,
): string {
  let h = fnv32a(new TextEncoder().encode(JSON.stringify(normaliseTemplate(template))));
  if (collisionCount !== undefined && collisionCount !== null) {
    const le = new Uint8Array(4);
    new DataView(le.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(le, h);
  }
  return safeEncodeString(String(h));
}
