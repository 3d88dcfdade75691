// CEL cost limits of CRD validation rules, as upstream sets them, in two parts:
// - static: an estimate of a rule's worst-case cost from its AST and the schema's bounds
//   (maxLength, maxItems, maxProperties; an unbounded string, list or map is as large as a 3 MiB
//   request allows), refused at CRD write when one rule or the whole schema is over budget;
// - runtime: every evaluated AST node costs 1 and the library functions add their size-dependent
//   cost; one rule may spend 1,000,000 and one object's validation 10,000,000.
// The figures approximate cel-go's cost model (checker/cost.go, interpreter/runtimecost.go):
// same limits and size rules, a simpler per-function table.
// k8s: staging/src/k8s.io/apiserver/pkg/apis/cel/config.go, apiextensions-apiserver/pkg/apiserver/
// schema/cel/compilation.go and validation.go
import type { JSONSchemaProps } from '../../api/crd';

export const PER_CALL_LIMIT = 1_000_000;
export const RUNTIME_BUDGET = 10_000_000;
export const STATIC_RULE_LIMIT = 10_000_000;
export const STATIC_CRD_LIMIT = 100_000_000;
const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

// --- runtime -----------------------------------------------------------------------------------

export class CostLimitExceeded extends Error {
  constructor() {
    super('operation cancelled: actual cost limit exceeded');
  }
}

let meter: { call: number; total: number } | undefined;

/** Adds cost to the rule being evaluated; throws once its per-call limit is spent. */
export function chargeCost(n: number): void {
  if (!meter) return;
  meter.call += n;
  if (meter.call > PER_CALL_LIMIT) throw new CostLimitExceeded();
}

/** The cost of a pass over a string, as cel-go charges it (a tenth per character). */
export const strCost = (s: string) => Math.ceil(s.length * 0.1);

/** Runs one rule under the meter; returns its result and what it cost. */
export function metered<T>(fn: () => T): { value?: T; error?: unknown; cost: number } {
  const outer = meter;
  meter = { call: 0, total: 0 };
  try {
    return { value: fn(), cost: meter.call };
  } catch (error) {
    return { error, cost: meter.call };
  } finally {
    meter = outer;
  }
}

interface Node {
  op: string;
  args: unknown;
  evaluate: (...a: unknown[]) => unknown;
}
const isNode = (x: unknown): x is Node =>
  !!x && typeof x === 'object' && typeof (x as Node).op === 'string' && 'args' in x;

/** Every AST node below (and including) n, macros' predicates included. */
export function astNodes(n: unknown, out: Node[] = []): Node[] {
  if (isNode(n)) {
    out.push(n);
    const a = n.args;
    if (Array.isArray(a))
      for (const x of a) Array.isArray(x) ? x.forEach((y) => astNodes(y, out)) : astNodes(x, out);
    else if (isNode(a)) astNodes(a, out);
  }
  return out;
}

/** Makes each evaluation of every node charge 1 to the meter (cel-js has no cost hook of its own). */
export function instrument(ast: unknown): void {
  for (const node of astNodes(ast)) {
    const wrapper = function (this: Node, ...a: unknown[]) {
      chargeCost(1);
      // cel-js replaces a node's evaluate on first use; call the original and keep the wrapper.
      const r = original.apply(this, a);
      if (this.evaluate !== wrapper) {
        original = this.evaluate;
        this.evaluate = wrapper;
      }
      return r;
    };
    let original = node.evaluate;
    node.evaluate = wrapper;
  }
}

// --- static estimate ---------------------------------------------------------------------------

/** The fewest bytes a value of the schema takes in JSON, to bound unbounded lists and maps. */
function minSerializedSize(s: JSONSchemaProps | undefined): number {
  if (!s || s['x-kubernetes-int-or-string']) return 1;
  switch (s.type) {
    case 'string':
      return 2 + (s.minLength ?? 0);
    case 'boolean':
      return 4;
    case 'object':
    case 'array':
      return 2;
    default:
      return 1;
  }
}

const sub = (ap: JSONSchemaProps['additionalProperties']): JSONSchemaProps | undefined =>
  ap && typeof ap === 'object' ? (ap as JSONSchemaProps) : undefined;

/** The largest size (characters, items or entries) a value of the schema can have. */
export function maxSize(s: JSONSchemaProps | undefined): number {
  if (!s) return MAX_REQUEST_BYTES;
  if (s.type === 'array')
    return s.maxItems ?? Math.floor((MAX_REQUEST_BYTES - 2) / (minSerializedSize(s.items) + 1));
  if (s.type === 'object')
    return (
      s.maxProperties ??
      (s.properties && !sub(s.additionalProperties)
        ? Object.keys(s.properties).length
        : Math.floor(
            (MAX_REQUEST_BYTES - 2) / (minSerializedSize(sub(s.additionalProperties)) + 4),
          ))
    );
  if (s.type === 'string') return s.maxLength ?? MAX_REQUEST_BYTES - 2;
  return 1;
}

/** The schema of a member (field, item or map value) of s; undefined when not known. */
function member(s: JSONSchemaProps | undefined, name?: string): JSONSchemaProps | undefined {
  if (!s) return undefined;
  if (s.type === 'array') return s.items;
  if (name !== undefined && s.properties?.[name]) return s.properties[name];
  return sub(s.additionalProperties);
}

interface Est {
  cost: number;
  /** The largest size of the value (string length, list or map entries). */
  size: number;
  schema?: JSONSchemaProps;
}

const STRING_FNS = new Set([
  'contains',
  'startsWith',
  'endsWith',
  'lowerAscii',
  'upperAscii',
  'trim',
  'replace',
  'split',
  'indexOf',
  'lastIndexOf',
  'reverse',
  'substring',
  'charAt',
  'url',
  'isURL',
  'ip',
  'isIP',
  'cidr',
  'isCIDR',
  'quantity',
  'isQuantity',
  'int',
  'double',
  'string',
  'bytes',
]);
const REGEX_FNS = new Set(['matches', 're2Matches', 'find', 'findAll']);
const LIST_FNS = new Set(['sum', 'min', 'max', 'isSorted', 'indexOf', 'lastIndexOf', 'join']);
const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

const literalSize = (v: unknown) => (typeof v === 'string' ? v.length : 1);

/** Estimates the worst-case cost of a rule whose `self` (and `oldSelf`) has the given schema. */
export function estimateCost(ast: unknown, self: JSONSchemaProps): number {
  const vars = new Map<string, Est>([
    ['self', { cost: 1, size: maxSize(self), schema: self }],
    ['oldSelf', { cost: 1, size: maxSize(self), schema: self }],
  ]);
  return Math.min(est(ast, vars).cost, Number.MAX_SAFE_INTEGER);
}

function est(n: unknown, vars: Map<string, Est>): Est {
  if (!isNode(n)) return { cost: 0, size: 1 };
  const a = n.args as unknown[];
  switch (n.op) {
    case 'value':
      return { cost: 0, size: literalSize(n.args) };
    case 'id': {
      const v = vars.get(n.args as string);
      return v ? { ...v, cost: 1 } : { cost: 1, size: MAX_REQUEST_BYTES };
    }
    case '.':
    case '.?': {
      const o = est(a[0], vars);
      const s = member(o.schema, a[1] as string);
      return { cost: o.cost + 1, size: s ? maxSize(s) : o.size, schema: s };
    }
    case '[]':
    case '[?]': {
      const o = est(a[0], vars);
      const i = est(a[1], vars);
      const s = member(
        o.schema,
        isNode(a[1]) && a[1].op === 'value' ? String(a[1].args) : undefined,
      );
      return { cost: o.cost + i.cost + 1, size: s ? maxSize(s) : o.size, schema: s };
    }
    case '&&':
    case '||':
      return { cost: est(a[0], vars).cost + est(a[1], vars).cost, size: 1 };
    case '?:': {
      const [c, x, y] = a.map((e) => est(e, vars));
      return { cost: c!.cost + Math.max(x!.cost, y!.cost), size: Math.max(x!.size, y!.size) };
    }
    case '!_':
    case '-_':
      return { cost: est(n.args, vars).cost + 1, size: 1 };
    case 'list': {
      const items = a.map((e) => est(e, vars));
      return { cost: 1 + items.reduce((t, e) => t + e.cost, 0), size: items.length };
    }
    case 'map': {
      const entries = (a as unknown[][]).flatMap((kv) => kv.map((e) => est(e, vars)));
      return { cost: 1 + entries.reduce((t, e) => t + e.cost, 0), size: entries.length / 2 };
    }
    case 'call':
    case 'rcall':
      return estCall(n, vars);
    default: {
      // binary operators
      const [x, y] = (a ?? []).map((e) => est(e, vars));
      if (!x || !y) return { cost: 1, size: 1 };
      const base = x.cost + y.cost + 1;
      const str = x.schema?.type === 'string' || y.schema?.type === 'string';
      const list = x.schema?.type === 'array' || y.schema?.type === 'array';
      switch (n.op) {
        case '+':
          return {
            cost: base + (str ? Math.ceil((x.size + y.size) * 0.1) : list ? x.size + y.size : 0),
            size: x.size + y.size,
            schema: x.schema ?? y.schema,
          };
        case 'in':
          return { cost: base + (y.schema?.type === 'array' ? y.size : 0), size: 1 };
        case '==':
        case '!=':
        case '<':
        case '<=':
        case '>':
        case '>=':
          return {
            cost:
              base +
              (str
                ? Math.ceil(Math.min(x.size, y.size) * 0.1)
                : list
                  ? Math.min(x.size, y.size)
                  : 0),
            size: 1,
          };
        default:
          return { cost: base, size: 1 };
      }
    }
  }
}

function estCall(n: Node, vars: Map<string, Est>): Est {
  const a = n.args as unknown[];
  const name = a[0] as string;
  const recvNode = n.op === 'rcall' ? a[1] : undefined;
  const argNodes = (n.op === 'rcall' ? a[2] : a[1]) as unknown[];
  if (name === 'has') return { cost: 1, size: 1 };
  const recv = recvNode !== undefined ? est(recvNode, vars) : undefined;
  if (recv && MACROS.has(name) && isNode(argNodes[0]) && argNodes[0].op === 'id') {
    const itemSchema = member(recv.schema);
    // Iterating a map visits its keys (strings of unknown bound); a list, its items.
    const item: Est =
      recv.schema?.type === 'object'
        ? { cost: 1, size: MAX_REQUEST_BYTES, schema: { type: 'string' } }
        : { cost: 1, size: maxSize(itemSchema), schema: itemSchema };
    const inner = new Map(vars).set(argNodes[0].args as string, item);
    const body = argNodes.slice(1).reduce((t: number, e) => t + est(e, inner).cost, 0);
    const step = name === 'map' || name === 'filter' ? 2 : 1;
    return {
      cost: recv.cost + recv.size * (body + step),
      size: name === 'map' || name === 'filter' ? recv.size : 1,
      schema: name === 'filter' ? recv.schema : undefined,
    };
  }
  const args = argNodes.map((e) => est(e, vars));
  let cost = 1 + (recv?.cost ?? 0) + args.reduce((t, e) => t + e.cost, 0);
  const subject = recv ?? args[0];
  let size = 1;
  if (subject) {
    const isList = subject.schema?.type === 'array';
    if (REGEX_FNS.has(name)) {
      const pattern = recv ? args[0] : args[1];
      cost += Math.ceil(subject.size * 0.1) * Math.ceil((pattern?.size ?? 1) * 0.25);
      size = subject.size;
    } else if (isList && LIST_FNS.has(name)) {
      cost += subject.size;
      size = subject.size;
    } else if (name === 'distinct' || name === 'reverse' || name === 'slice') {
      cost += name === 'distinct' ? subject.size * subject.size : subject.size;
      size = subject.size;
      return { cost, size, schema: subject.schema };
    } else if (STRING_FNS.has(name)) {
      // contains compares every position with the whole substring: both sizes count.
      cost += Math.ceil(subject.size * (name === 'contains' ? (args[0]?.size ?? 1) : 1) * 0.1);
      size = subject.size;
    } else if (name === 'size') {
      size = 1;
    }
  }
  return { cost, size };
}

/** Upstream's wording of an over-budget estimate. */
export function overBudget(what: string, cost: number, limit: number): string {
  const factor = cost / limit;
  const f =
    factor > 100
      ? 'more than 100x'
      : factor < 1.5
        ? `${factor.toFixed(6)}x`
        : `${factor.toFixed(1)}x`;
  return `${what} exceeds budget by factor of ${f} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}
