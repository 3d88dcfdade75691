// The JSONPath subset CRD printer columns use (as kubectl's templates spell them): `.a.b`,
// `.a['b.c']`, `.a[0]`, `.a[*].b`, `.a[?(@.type=="Ready")].status`, optionally wrapped in `{}`.
// k8s: staging/src/k8s.io/client-go/util/jsonpath (a small, pure evaluator of the same grammar).

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: unknown };

export class JsonPathError extends Error {}

/** Parses a path; throws JsonPathError for what the subset does not cover. */
export function parseJsonPath(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === '.') {
      i++;
      const m = /^[A-Za-z0-9_\-$]+/.exec(s.slice(i));
      if (!m) {
        if (s[i] === '[' || i === s.length) continue;
        throw new JsonPathError(`unexpected ${JSON.stringify(s.slice(i))} in ${expr}`);
      }
      steps.push({ kind: 'field', name: m[0] });
      i += m[0].length;
    } else if (s[i] === '[') {
      const end = closing(s, i, expr);
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')'))
        steps.push(filter(inner.slice(2, -1), expr));
      else throw new JsonPathError(`unsupported ${JSON.stringify(inner)} in ${expr}`);
    } else {
      throw new JsonPathError(`unexpected ${JSON.stringify(s.slice(i))} in ${expr}`);
    }
  }
  return steps;
}

function closing(s: string, open: number, expr: string): number {
  let quote: string | undefined;
  for (let j = open + 1; j < s.length; j++) {
    const c = s[j];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ']') return j;
  }
  throw new JsonPathError(`unclosed [ in ${expr}`);
}

function filter(body: string, expr: string): Step {
  const m = /^@((?:\.[A-Za-z0-9_\-]+)+)\s*(==|!=)\s*(.+)$/.exec(body.trim());
  if (!m) throw new JsonPathError(`unsupported filter ${JSON.stringify(body)} in ${expr}`);
  const raw = m[3].trim();
  let value: unknown;
  if (/^'.*'$/.test(raw)) value = raw.slice(1, -1);
  else {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new JsonPathError(`unsupported value ${raw} in ${expr}`);
    }
  }
  return { kind: 'filter', path: m[1].slice(1).split('.'), op: m[2] as '==' | '!=', value };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/** Every value the path selects, in document order. */
export function evalJsonPath(steps: Step[], root: unknown): unknown[] {
  let cur: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (step.kind === 'field') {
        if (isRecord(v) && v[step.name] !== undefined) next.push(v[step.name]);
      } else if (step.kind === 'index') {
        if (Array.isArray(v)) {
          const at = step.index < 0 ? v.length + step.index : step.index;
          if (at >= 0 && at < v.length) next.push(v[at]);
        }
      } else if (step.kind === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (isRecord(v)) next.push(...Object.values(v));
      } else {
        for (const item of Array.isArray(v) ? v : []) {
          let x: unknown = item;
          for (const p of step.path) x = isRecord(x) ? x[p] : undefined;
          if ((x === step.value) === (step.op === '==')) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}
