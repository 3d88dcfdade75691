// Field selectors (`--field-selector`): parsing, escaping, matching and exact-match lookup.
// k8s: staging/src/k8s.io/apimachinery/pkg/fields/selector.go

export interface FieldRequirement {
  readonly field: string;
  /** selection.Equals ("=" and "==" both) or selection.NotEquals. */
  readonly operator: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  /** A missing field reads as "", as upstream's Fields.Get does. */
  matches(get: (field: string) => string | undefined): boolean;
  /** The value an `=` term pins the field to (the first one, in sorted term order). */
  exactMatch(field: string): string | undefined;
  toString(): string;
}

export class FieldSelectorParseError extends Error {
  override name = 'FieldSelectorParseError';
}

/** fields.EscapeValue: a literal value made safe to put after `=`. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fields.UnescapeValue: `\\`, `\,` and `\=` are the only escapes; bare `,` or `=` are errors. */
export function unescapeFieldValue(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      const next = s[i + 1];
      if (next === undefined)
        throw new FieldSelectorParseError('invalid field selector: invalid escape sequence: \\');
      if (next !== '\\' && next !== ',' && next !== '=') {
        throw new FieldSelectorParseError(
          `invalid field selector: invalid escape sequence: \\${next}`,
        );
      }
      out += next;
      i++;
    } else if (c === ',' || c === '=') {
      throw new FieldSelectorParseError(
        `invalid field selector: unescaped character in value: '${c}'`,
      );
    } else {
      out += c;
    }
  }
  return out;
}

// Commas split terms unless escaped; the backslash stays in the term for unescapeFieldValue.
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    if (escaped) escaped = false;
    else if (s[i] === '\\') escaped = true;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// The field cannot be escaped, so the first operator splits the term; "==" is tried before "=".
function splitTerm(term: string): [string, '=' | '==' | '!=', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

class TermsSelector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(get: (field: string) => string | undefined): boolean {
    return this.requirements.every(
      (r) => ((get(r.field) ?? '') === r.value) === (r.operator === '='),
    );
  }
  exactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }
  toString(): string {
    return this.requirements
      .map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`)
      .join(',');
  }
}

/** fields.ParseSelector. Whitespace is not trimmed (upstream does not either). */
export function parseFieldSelector(s: string): FieldSelector {
  // Terms are sorted as raw strings first, which fixes the order requirements and exactMatch see.
  const terms = splitTerms(s).sort();
  const reqs: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (!split)
      throw new FieldSelectorParseError(`invalid selector: '${s}'; can't understand '${term}'`);
    const [field, op, raw] = split;
    reqs.push({ field, operator: op === '!=' ? '!=' : '=', value: unescapeFieldValue(raw) });
  }
  return new TermsSelector(reqs);
}

/** fields.Everything. */
export function everythingFields(): FieldSelector {
  return new TermsSelector([]);
}

/** fields.OneTermEqualSelector, e.g. spec.nodeName=N for an agent's pod watch. */
export function oneTermEqualSelector(field: string, value: string): FieldSelector {
  return new TermsSelector([{ field, operator: '=', value }]);
}
