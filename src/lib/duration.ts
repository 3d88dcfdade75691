// Human-readable ages for kubectl columns (AGE, LAST SEEN): "45s", "3m10s", "2d4h", "3y10d".
// k8s: staging/src/k8s.io/apimachinery/pkg/util/duration/duration.go

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

// Go's int(d.Seconds()) and d / time.Minute both truncate toward zero.
const whole = (ms: number, unit: number) => Math.trunc(ms / unit);

// Clocks drift: up to two seconds in the future (exclusive) still reads as "0s".
function tooFarAhead(ms: number): string | undefined {
  const seconds = whole(ms, SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  return undefined;
}

/** duration.HumanDuration: about two or three significant figures. */
export function humanDuration(ms: number): string {
  const early = tooFarAhead(ms);
  if (early) return early;
  const seconds = whole(ms, SECOND);
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = whole(ms, MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = whole(ms, HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/** duration.ShortHumanDuration: one unit only ("59s", "1m", "23h", "364d", "2y"). */
export function shortHumanDuration(ms: number): string {
  const early = tooFarAhead(ms);
  if (early) return early;
  const seconds = whole(ms, SECOND);
  if (seconds < 60) return `${seconds}s`;
  const minutes = whole(ms, MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = whole(ms, HOUR);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  // Upstream divides float hours here, which truncates the same way for any real age.
  return `${Math.trunc(ms / HOUR / 24 / 365)}y`;
}
