// Completion index sets as Indexed Jobs write them: "0,3-5,7" (sorted, ranges of 3 or more run together).
// k8s: pkg/controller/job/indexed_job_utils.go orderedIntervals, parseIndexesFromString

export type Interval = [first: number, last: number];

/** Parses "1,3-5"; throws on a malformed term, an index ≥ completions, or terms out of order. */
export function parseIndexes(text: string, completions: number): Interval[] {
  const out: Interval[] = [];
  if (text === '') return out;
  let prevLast = -1;
  for (const term of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(term);
    if (!m) throw new Error(`cannot parse integer index: ${JSON.stringify(term)}`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) throw new Error(`non-increasing order, previous: ${first}, current: ${last}`);
    if (first <= prevLast)
      throw new Error(`non-increasing order, previous: ${prevLast}, current: ${first}`);
    if (last >= completions)
      throw new Error(`too large index: ${last}, should be less than ${completions}`);
    out.push([first, last]);
    prevLast = last;
  }
  return out;
}

/** Sorted intervals of a set of indexes. */
export function intervalsOf(indexes: Iterable<number>): Interval[] {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && last[1] + 1 === i) last[1] = i;
    else out.push([i, i]);
  }
  return out;
}

/** Every index in the intervals. */
export function indexesOf(intervals: Interval[]): Set<number> {
  const out = new Set<number>();
  for (const [a, b] of intervals) for (let i = a; i <= b; i++) out.add(i);
  return out;
}

/** "0,3-5,7": a run of two is written as two terms, as upstream does ("1,2"). */
export function formatIndexes(intervals: Interval[]): string {
  const parts: string[] = [];
  for (const [a, b] of intervals) {
    if (a === b) parts.push(String(a));
    else if (b === a + 1) parts.push(String(a), String(b));
    else parts.push(`${a}-${b}`);
  }
  return parts.join(',');
}
