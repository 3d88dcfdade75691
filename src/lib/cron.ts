// Cron schedules as CronJob takes them: five fields (minute hour day-of-month month day-of-week) or a macro,
// with ranges, steps, lists, names and `?`, and the next fire time in an IANA time zone.
// k8s: github.com/robfig/cron/v3 parser.go (ParseStandard) and spec.go (Next), which CronJob uses.

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

const FIELDS: { name: string; bounds: Bounds }[] = [
  { name: 'minute', bounds: { min: 0, max: 59 } },
  { name: 'hour', bounds: { min: 0, max: 23 } },
  { name: 'day of month', bounds: { min: 1, max: 31 } },
  { name: 'month', bounds: { min: 1, max: 12, names: MONTHS } },
  { name: 'day of week', bounds: { min: 0, max: 6, names: DAYS } },
];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export class CronParseError extends Error {
  override name = 'CronParseError';
}

/** One field: the set of values it matches, and whether it was written as a bare `*` or `?`. */
interface Field {
  values: Set<number>;
  star: boolean;
}

export interface CronSchedule {
  minute: Field;
  hour: Field;
  dom: Field;
  month: Field;
  dow: Field;
}

function parseValue(s: string, b: Bounds, field: string): number {
  const named = b.names?.[s.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(s)) throw new CronParseError(`failed to parse int from ${s}: invalid syntax`);
  return Number(s);
}

// One comma-separated term: `*`, `?`, `n`, `a-b`, any of those with `/step` (`n/step` is `n-max/step`).
function parseTerm(term: string, b: Bounds, field: string, out: Set<number>): boolean {
  const [range, stepText, extra] = term.split('/');
  if (extra !== undefined) throw new CronParseError(`too many slashes: ${term}`);
  let lo: number;
  let hi: number;
  let star = false;
  if (range === '*' || range === '?') {
    lo = b.min;
    hi = b.max;
    star = true;
  } else {
    const [a, c, more] = range.split('-');
    if (more !== undefined) throw new CronParseError(`too many hyphens: ${range}`);
    lo = parseValue(a, b, field);
    hi = c === undefined ? lo : parseValue(c, b, field);
  }
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText))
      throw new CronParseError(`failed to parse int from ${stepText}: invalid syntax`);
    step = Number(stepText);
    if (step === 0) throw new CronParseError(`step of range should be a positive number: ${term}`);
    // "n/step" means from n to the end of the range.
    if (!star && !range.includes('-')) hi = b.max;
    if (step > 1) star = false;
  }
  if (lo < b.min)
    throw new CronParseError(`beginning of range (${lo}) below minimum (${b.min}): ${term}`);
  if (hi > b.max)
    throw new CronParseError(`end of range (${hi}) above maximum (${b.max}): ${term}`);
  if (lo > hi)
    throw new CronParseError(`beginning of range (${lo}) beyond end of range (${hi}): ${term}`);
  for (let v = lo; v <= hi; v += step) out.add(v);
  return star;
}

function parseField(text: string, b: Bounds, field: string): Field {
  const values = new Set<number>();
  let star = false;
  for (const term of text.split(',')) star = parseTerm(term, b, field, values) || star;
  return { values, star };
}

/** Parses a standard schedule; throws CronParseError with what is wrong. */
export function parseCron(spec: string): CronSchedule {
  let text = spec.trim();
  if (text.startsWith('@')) {
    const macro = MACROS[text.toLowerCase()];
    if (!macro) throw new CronParseError(`unrecognized descriptor: ${text}`);
    text = macro;
  }
  const parts = text.split(/\s+/).filter(Boolean);
  if (parts.length !== 5)
    throw new CronParseError(`expected exactly 5 fields, found ${parts.length}: ${spec}`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) =>
    parseField(p, FIELDS[i].bounds, FIELDS[i].name),
  );
  // Sunday may be written 7 by some crons; robfig's standard parser does not allow it, nor do we.
  return { minute, hour, dom, month, dow };
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Whether Intl knows the IANA zone (the runtime's tz database decides, as Go's LoadLocation does). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

function localTime(ms: number, zone: string | undefined): LocalTime {
  if (!zone || zone === 'UTC' || zone === 'Etc/UTC') {
    const d = new Date(ms);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      weekday: d.getUTCDay(),
    };
  }
  const parts: Record<string, string> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday] ?? 0,
  };
}

// k8s (robfig/cron spec.go dayMatches): when either day field is a bare `*`, both must match;
// otherwise either may.
function dayMatches(s: CronSchedule, t: LocalTime): boolean {
  const dom = s.dom.values.has(t.day);
  const dow = s.dow.values.has(t.weekday);
  return s.dom.star || s.dow.star ? dom && dow : dom || dow;
}

const MINUTE = 60_000;
/** robfig gives up after five years without a match (e.g. "0 0 30 2 *"). */
const SEARCH_LIMIT_MS = 5 * 366 * 24 * 60 * MINUTE;

/**
 * The first fire time strictly after `after` (ms since the epoch), in the zone's wall clock, or
 * undefined when none comes within five years. Whole minutes only, as CronJob schedules are.
 */
export function nextFireTime(s: CronSchedule, after: number, zone?: string): number | undefined {
  let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  const limit = after + SEARCH_LIMIT_MS;
  while (t <= limit) {
    const l = localTime(t, zone);
    if (!s.month.values.has(l.month) || !dayMatches(s, l)) {
      // To the next local midnight (a DST day lands an hour off; the loop corrects it).
      t += ((24 - l.hour) * 60 - l.minute) * MINUTE;
      continue;
    }
    if (!s.hour.values.has(l.hour)) {
      t += (60 - l.minute) * MINUTE;
      continue;
    }
    if (!s.minute.values.has(l.minute)) {
      t += MINUTE;
      continue;
    }
    return t;
  }
  return undefined;
}

/** RFC 3339 in the zone's wall clock with its offset ("2026-12-03T15:00:00+01:00"), as Go's Time.In(loc) prints. */
export function rfc3339InZone(ms: number, zone: string | undefined): string {
  const sec = Math.floor(ms / 1000) * 1000;
  if (!zone || zone === 'UTC' || zone === 'Etc/UTC')
    return new Date(sec).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const l = localTime(sec, zone);
  const seconds = new Date(sec).getUTCSeconds();
  const wall = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, seconds);
  const offset = Math.round((wall - sec) / MINUTE);
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${l.year}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}:${pad(l.minute)}:${pad(seconds)}`;
  if (offset === 0) return `${date}Z`;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${date}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
