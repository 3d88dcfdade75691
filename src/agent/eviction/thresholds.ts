// Eviction thresholds as kubelet takes them (--eviction-hard, --eviction-soft, --eviction-soft-grace-period),
// for the one signal this agent measures: memory.available = node memory capacity − working set.
// k8s: pkg/kubelet/eviction/helpers.go (ParseThresholdConfig, parseThresholdStatement, thresholdsMet),
// pkg/kubelet/eviction/api/types.go (GetThresholdQuantity).
import { parseQuantity } from '../../lib/quantity';

export const MEMORY_AVAILABLE = 'memory.available';

/** Signals kubelet knows that this agent cannot observe (no filesystem or PID accounting yet). */
const UNMEASURED = [
  'allocatableMemory.available',
  'nodefs.available',
  'nodefs.inodesFree',
  'imagefs.available',
  'imagefs.inodesFree',
  'containerfs.available',
  'containerfs.inodesFree',
  'pid.available',
];

export interface Threshold {
  signal: typeof MEMORY_AVAILABLE;
  /** Bytes, or a fraction of capacity (0 < f < 1) when written as a percentage. */
  bytes?: number;
  fraction?: number;
  /** As written, for messages: "100Mi". */
  text: string;
  /** Soft thresholds only: how long it must hold before pods are evicted. */
  gracePeriodMs: number;
}

export interface EvictionConfig {
  thresholds: Threshold[];
  /** k8s --eviction-pressure-transition-period: how long a condition stays after pressure ends (5m). */
  pressureTransitionMs: number;
}

/** kubelet's default on Linux for the signal measured here: memory.available<100Mi. */
export const DEFAULT_EVICTION_HARD = 'memory.available<100Mi';
export const DEFAULT_PRESSURE_TRANSITION_MS = 5 * 60_000;

export class ThresholdError extends Error {}

function statements(raw: string, sep: '<' | '='): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = part.indexOf(sep);
    if (at <= 0)
      throw new ThresholdError(`expected SIGNAL${sep}VALUE, got ${JSON.stringify(part)}`);
    const signal = part.slice(0, at).trim();
    if (signal !== MEMORY_AVAILABLE)
      throw new ThresholdError(
        UNMEASURED.includes(signal)
          ? `${signal} is not measured by this agent (only ${MEMORY_AVAILABLE} is)`
          : `unsupported eviction signal ${signal}`,
      );
    out.set(signal, part.slice(at + 1).trim());
  }
  return out;
}

/** One `memory.available<VALUE` statement; undefined for 0% and 100%, which kubelet ignores. */
function threshold(value: string, gracePeriodMs: number): Threshold | undefined {
  if (value.endsWith('%')) {
    if (value === '0%' || value === '100%') return undefined;
    const pct = Number(value.slice(0, -1));
    if (!Number.isFinite(pct) || value.length === 1)
      throw new ThresholdError(`invalid percentage ${JSON.stringify(value)}`);
    if (pct < 0)
      throw new ThresholdError(
        `eviction percentage threshold ${MEMORY_AVAILABLE} must be >= 0%: ${value}`,
      );
    if (pct > 100)
      throw new ThresholdError(
        `eviction percentage threshold ${MEMORY_AVAILABLE} must be <= 100%: ${value}`,
      );
    return { signal: MEMORY_AVAILABLE, fraction: pct / 100, text: value, gracePeriodMs };
  }
  let q;
  try {
    q = parseQuantity(value);
  } catch (err) {
    throw new ThresholdError(
      `${JSON.stringify(value)}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (q.sign() <= 0)
    throw new ThresholdError(`eviction threshold ${MEMORY_AVAILABLE} must be positive: ${value}`);
  return { signal: MEMORY_AVAILABLE, bytes: q.value(), text: q.toString(), gracePeriodMs };
}

/** k8s: ParseThresholdConfig: hard thresholds, then soft ones, each of which needs its grace period. */
export function parseThresholds(hard: string, soft = '', softGrace = ''): Threshold[] {
  const out: Threshold[] = [];
  for (const v of statements(hard, '<').values()) {
    const t = threshold(v, 0);
    if (t) out.push(t);
  }
  const graces = new Map<string, number>();
  for (const [signal, v] of statements(softGrace, '=')) {
    const ms = durationMs(v);
    if (ms === undefined)
      throw new ThresholdError(
        `invalid eviction grace period ${JSON.stringify(v)}: use a duration like 90s or 1m30s`,
      );
    graces.set(signal, ms);
  }
  for (const [signal, v] of statements(soft, '<')) {
    const grace = graces.get(signal);
    if (grace === undefined)
      throw new ThresholdError(
        `grace period must be specified for the soft eviction threshold ${signal}`,
      );
    // A soft threshold with no grace would act as a hard one; kubelet tells them apart by the grace.
    const t = threshold(v, Math.max(1, grace));
    if (t) out.push(t);
  }
  return out;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** A Go duration ("1m30s", "500ms", "2h"). */
export function durationMs(v: string): number | undefined {
  if (!/^(\d+(\.\d+)?(h|ms|m|s))+$/.test(v)) return undefined;
  let total = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) total += Number(m[1]) * UNIT_MS[m[2]];
  return Math.round(total);
}

export const isHard = (t: Threshold) => t.gracePeriodMs === 0;

/** k8s: GetThresholdQuantity: a percentage is of the capacity, rounded down to a byte. */
export function thresholdBytes(t: Threshold, capacityBytes: number): number {
  return t.bytes ?? Math.floor(capacityBytes * (t.fraction ?? 0));
}

/** k8s: thresholdsMet (operator LessThan): available is under the threshold. */
export function thresholdMet(t: Threshold, capacityBytes: number, availableBytes: number): boolean {
  return thresholdBytes(t, capacityBytes) > availableBytes;
}
