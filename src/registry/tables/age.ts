// Age cells: apimachinery's HumanDuration, private to tables until src/lib/duration.ts lands.

// Go's zero time marshals to this; a server that never set a timestamp may store it verbatim.
const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** k8s: staging/src/k8s.io/apimachinery/pkg/util/duration (HumanDuration), ~2-3 significant figures. */
export function humanDuration(ms: number): string {
  // Go converts with int(), which truncates toward zero; -1s still counts as clock skew, not an error.
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** Elapsed time since an RFC 3339 timestamp, or `<unknown>` when it is missing or zero. */
export function translateTimestampSince(ts: string | null | undefined, now: number): string {
  const at = parseTime(ts);
  return at === undefined ? '<unknown>' : humanDuration(now - at);
}

/** Milliseconds since the epoch, or undefined for a missing, zero or unreadable timestamp. */
export function parseTime(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const at = Date.parse(ts);
  if (Number.isNaN(at) || at <= GO_ZERO_TIME) return undefined;
  return at;
}
