// Regular expressions with RE2 semantics (as Go's regexp, which Kubernetes uses for schema
// `pattern` and CEL `matches`/`find`): linear-time matching through re2js, so no pattern can
// backtrack catastrophically, and Perl-only syntax (lookaround, backreferences) is refused as
// upstream refuses it. Compiled patterns are cached per isolate.
import { RE2JS } from 're2js';

const cache = new Map<string, RE2JS | Error>();

/** The compiled pattern, or the Go-worded syntax error ("error parsing regexp: ..."). */
export function compileRe2(pattern: string): RE2JS | Error {
  let re = cache.get(pattern);
  if (!re) {
    try {
      re = RE2JS.compile(pattern);
    } catch (e) {
      re = new Error((e as Error).message);
    }
    if (cache.size > 2000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** Whether the pattern matches anywhere in s (Go's MatchString); throws on a bad pattern. */
export function re2Test(pattern: string, s: string): boolean {
  const re = compileRe2(pattern);
  if (re instanceof Error) throw re;
  return re.matcher(s).find();
}

/** The first match of the pattern in s, '' when none (cel-go's ext strings find). */
export function re2Find(pattern: string, s: string): string {
  const re = compileRe2(pattern);
  if (re instanceof Error) throw re;
  const m = re.matcher(s);
  return m.find() ? (m.group() ?? '') : '';
}

/** Every non-overlapping match, at most limit of them when limit >= 0 (findAll(re, n)). */
export function re2FindAll(pattern: string, s: string, limit = -1): string[] {
  const re = compileRe2(pattern);
  if (re instanceof Error) throw re;
  const out: string[] = [];
  const m = re.matcher(s);
  let prevEnd = -1;
  while ((limit < 0 || out.length < limit) && m.find()) {
    // As Go: an empty match right after the previous match is not one.
    if (m.start() === m.end() && m.start() === prevEnd) continue;
    out.push(m.group() ?? '');
    prevEnd = m.end();
  }
  return out;
}
