// Metadata chores the apiserver does on every write: names, UIDs, timestamps.

/** RFC 3339 with whole seconds, as metav1.Time serializes. */
export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// k8s: apiserver/pkg/storage/names: consonants and digits that never spell words.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function generateNameSuffix(n = 5): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let s = '';
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return s;
}

export function generatedName(base: string): string {
  // Names may be at most 63 characters in many kinds: trim the base as upstream does.
  const trimmed = base.length > 58 ? base.slice(0, 58) : base;
  return trimmed + generateNameSuffix();
}

export function newUid(): string {
  return crypto.randomUUID();
}
