// metav1.Time on the wire: RFC 3339 with second precision out, MicroTime accepted in.

/** RFC 3339 with second precision, as metav1.Time serializes. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** Parses metav1.Time and MicroTime (whose six fractional digits Date.parse may not take). */
export function parseTime(s: string | undefined | null): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(t) ? undefined : t;
}
