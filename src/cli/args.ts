// A small flag parser: `--name value`, `--name=value`, boolean `--flag`, and positional arguments.

export interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: string[], booleans: string[] = []): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (eq > 0) flags.set(name, a.slice(eq + 1));
    else if (booleans.includes(name) || i + 1 >= argv.length || argv[i + 1].startsWith('--'))
      flags.set(name, true);
    else flags.set(name, argv[++i]);
  }
  return { positional, flags };
}

export class UsageError extends Error {}

export function str(p: Parsed, name: string, fallback?: string): string | undefined {
  const v = p.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v ?? fallback;
}

export function int(p: Parsed, name: string, fallback: number): number {
  const v = str(p, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(v)}`);
  return n;
}

/** Durations like 50s, 5m, 24h, 1h30m, or plain seconds. */
export function seconds(p: Parsed, name: string, fallback: number): number {
  const v = str(p, name);
  if (v === undefined) return fallback;
  const s = parseDuration(v);
  if (s === undefined)
    throw new UsageError(
      `--${name} must be a duration like 40s, 5m or 24h, got ${JSON.stringify(v)}`,
    );
  return s;
}

export function parseDuration(v: string): number | undefined {
  if (/^\d+$/.test(v)) return Number(v);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(v))) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000;
    consumed = re.lastIndex;
  }
  return consumed === v.length && consumed > 0 ? total : undefined;
}
