// Label selectors: the `-l` string syntax, metav1.LabelSelector, matching and canonical printing.
// k8s: staging/src/k8s.io/apimachinery/pkg/labels/selector.go and pkg/apis/meta/v1/helpers.go
import type { LabelSelector } from '../api/types';
import { isQualifiedName, isValidLabelValue } from './validation';

/** selection.Operator, spelled as upstream spells it. */
export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

export interface Selector {
  matches(labels: Record<string, string> | undefined | null): boolean;
  /** True when the selector does not restrict anything (Everything). Nothing is not empty. */
  readonly empty: boolean;
  /** Sorted by key; undefined for the Nothing selector, which cannot be expressed as requirements. */
  readonly requirements: readonly Requirement[] | undefined;
  /** The single value a label must have (=, ==, or `in` with one value), if the selector pins one. */
  requiresExactMatch(key: string): string | undefined;
  toString(): string;
}

export class SelectorParseError extends Error {
  override name = 'SelectorParseError';
}

const has = (labels: Record<string, string>, key: string) =>
  Object.prototype.hasOwnProperty.call(labels, key);

// strconv.ParseInt(s, 10, 64): an optional sign, decimal digits, and the int64 range.
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

export function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has(labels, r.key) && r.values.includes(labels[r.key]);
    case 'notin':
    case '!=':
      return !has(labels, r.key) || !r.values.includes(labels[r.key]);
    case 'exists':
      return has(labels, r.key);
    case '!':
      return !has(labels, r.key);
    case 'gt':
    case 'lt': {
      if (!has(labels, r.key) || r.values.length !== 1) return false;
      const actual = parseInt64(labels[r.key]);
      const bound = parseInt64(r.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

export function requirementToString(r: Requirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  // Values print sorted so that equal selectors print equally.
  const values = [...r.values].sort().join(',');
  switch (r.operator) {
    case 'in':
      return `${r.key} in (${values})`;
    case 'notin':
      return `${r.key} notin (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

// field.Error's rendering, so messages read like the apiserver's (`values[0][app]: Invalid value: ...`).
const invalid = (path: string, value: unknown, detail: string) =>
  `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;

// utilerrors.NewAggregate: one message as is, several de-duplicated inside brackets.
function aggregate(errs: string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

export function validateLabelKey(key: string, path = 'key'): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? invalid(path, key, errs.join('; ')) : undefined;
}

/** labels.NewRequirement: validates the key, the operator's arity and every value. */
export function newRequirement(key: string, operator: Operator, values: string[]): Requirement {
  const errs: string[] = [];
  const keyErr = validateLabelKey(key);
  if (keyErr) errs.push(keyErr);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0)
        errs.push(
          invalid('values', values, "for 'in', 'notin' operators, values set can't be empty"),
        );
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1)
        errs.push(invalid('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0)
        errs.push(
          invalid('values', values, 'values set must be empty for exists and does not exist'),
        );
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1)
        errs.push(
          invalid('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"),
        );
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(
            invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"),
          );
        }
      });
      break;
    default:
      errs.push(`operator: Unsupported value: ${JSON.stringify(operator)}`);
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length) errs.push(invalid(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  if (errs.length) throw new SelectorParseError(aggregate(errs));
  return { key, operator, values };
}

class RequirementsSelector implements Selector {
  readonly requirements: readonly Requirement[];
  constructor(reqs: Requirement[]) {
    // Stable sort by key gives one canonical order whatever order the input used.
    this.requirements = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(labels: Record<string, string> | undefined | null): boolean {
    const ls = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, ls));
  }
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (!r || !['=', '==', 'in'].includes(r.operator) || r.values.length !== 1) return undefined;
    return r.values[0];
  }
  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }
}

const nothing: Selector = {
  matches: () => false,
  empty: false,
  requirements: undefined,
  requiresExactMatch: () => undefined,
  toString: () => '',
};

export function everything(): Selector {
  return new RequirementsSelector([]);
}

export function nothingSelector(): Selector {
  return nothing;
}

/** A selector from explicit requirements (already validated, e.g. by newRequirement). */
export function selectorFromRequirements(reqs: Requirement[]): Selector {
  return new RequirementsSelector(reqs);
}

/** labels.SelectorFromSet, as a Service's or ReplicationController's map selector is used: unvalidated; empty matches all. */
export function selectorFromSet(set: Record<string, string> | undefined | null): Selector {
  return new RequirementsSelector(
    Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=', values: [v] })),
  );
}

/** metav1.LabelSelectorAsSelector: null selects nothing, `{}` selects everything. Throws SelectorParseError. */
export function selectorFromLabelSelector(ls: LabelSelector | undefined | null): Selector {
  if (ls == null) return nothing;
  const matchLabels = Object.entries(ls.matchLabels ?? {});
  const matchExpressions = ls.matchExpressions ?? [];
  if (matchLabels.length + matchExpressions.length === 0) return everything();
  const reqs = matchLabels.map(([k, v]) => newRequirement(k, '=', [v]));
  for (const expr of matchExpressions) {
    const op = expressionOperators[expr.operator as string];
    if (!op)
      throw new SelectorParseError(
        `${JSON.stringify(expr.operator)} is not a valid label selector operator`,
      );
    reqs.push(newRequirement(expr.key, op, [...(expr.values ?? [])]));
  }
  return new RequirementsSelector(reqs);
}

const expressionOperators: Record<string, Operator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/** metav1.FormatLabelSelector, as kubectl's SELECTOR columns print it. */
export function labelSelectorToString(ls: LabelSelector | undefined | null): string {
  let s: string;
  try {
    s = selectorFromLabelSelector(ls).toString();
  } catch {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}

/** labels.Parse. Throws SelectorParseError naming what is wrong. */
export function parseLabelSelector(s: string): Selector {
  return new RequirementsSelector(new Parser(lex(s)).parse());
}

// --- lexer and parser: same tokens and grammar as upstream, so the same inputs pass and fail ---

type Tok = 'eos' | 'id' | 'in' | 'notin' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<';
interface Item {
  tok: Tok;
  lit: string;
}

const symbolTokens = new Set(['(', ')', ',', '!', '=', '==', '!=', '>', '<']);
const isSpecial = (c: string) => '=!(),><'.includes(c);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function lex(s: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isSpace(s[i])) i++;
    if (i >= s.length) {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(s[i])) {
      // Longest run of symbols that still forms a token ("!=" rather than "!").
      let lit = s[i++];
      while (i < s.length && isSpecial(s[i]) && symbolTokens.has(lit + s[i])) lit += s[i++];
      items.push({ tok: lit as Tok, lit });
      continue;
    }
    const start = i;
    while (i < s.length && !isSpecial(s[i]) && !isSpace(s[i])) i++;
    const lit = s.slice(start, i);
    items.push({ tok: lit === 'in' || lit === 'notin' ? lit : 'id', lit });
  }
}

const binaryOperators = 'in, notin, =, ==, !=, gt, lt';

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  // Where a value may appear, `in` and `notin` are plain identifiers ("x in (in)").
  private lookahead(values: boolean): Item {
    const it = this.items[this.pos];
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }

  private consume(values: boolean): Item {
    const it = this.lookahead(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!')
        throw new SelectorParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.parseRequirement());
      } catch (e) {
        if (e instanceof SelectorParseError)
          throw new SelectorParseError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const next = this.consume(true);
      if (next.tok === 'eos') return reqs;
      if (next.tok !== ',')
        throw new SelectorParseError(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.lookahead(true);
      if (after.tok !== 'id' && after.tok !== '!') {
        throw new SelectorParseError(`found '${after.lit}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let first = this.consume(true);
    const negated = first.tok === '!';
    if (negated) first = this.consume(true);
    if (first.tok !== 'id')
      throw new SelectorParseError(`found '${first.lit}', expected: identifier`);
    const key = first.lit;
    const keyErr = validateLabelKey(key);
    if (keyErr) throw new SelectorParseError(keyErr);
    const next = this.lookahead(true).tok;
    // "!key" never takes an operator; one that follows is reported by the caller.
    if (negated) return newRequirement(key, '!', []);
    if (next === 'eos' || next === ',') return newRequirement(key, 'exists', []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, op, [...values].sort());
  }

  private parseOperator(): Operator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        return tok;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new SelectorParseError(`found '${lit}', expected: ${binaryOperators}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume(true);
    if (open.tok !== '(') throw new SelectorParseError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    if (tok === ')') {
      // "()" is the set holding only the empty value.
      this.consume(true);
      return new Set(['']);
    }
    if (tok !== 'id' && tok !== ',')
      throw new SelectorParseError(`found '${lit}', expected: ',', ')' or identifier`);
    const set = this.parseIdentifiersList();
    if (this.consume(true).tok !== ')')
      throw new SelectorParseError(`found '${lit}', expected: ')'`);
    return set;
  }

  // Empty entries ("(a,,b)", "(,a)", "(a,)") stand for the empty value.
  private parseIdentifiersList(): Set<string> {
    const set = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === 'id') {
        set.add(lit);
        const next = this.lookahead(true);
        if (next.tok === ',') continue;
        if (next.tok === ')') return set;
        throw new SelectorParseError(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (tok !== ',') throw new SelectorParseError(`found '${lit}', expected: ',', or identifier`);
      if (set.size === 0) set.add('');
      const next = this.lookahead(true).tok;
      if (next === ')') {
        set.add('');
        return set;
      }
      if (next === ',') {
        this.consume(true);
        set.add('');
      }
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead(true).tok;
    if (next === 'eos' || next === ',') return new Set(['']);
    const { tok, lit } = this.consume(true);
    if (tok === 'id') return new Set([lit]);
    throw new SelectorParseError(`found '${lit}', expected: identifier`);
  }
}
