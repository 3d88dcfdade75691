// CEL validation rules of CRD schemas (x-kubernetes-validations), with @marcbachmann/cel-js:
// - each rule is compiled once per schema node against the node's declared type (cel-types.ts):
//   `self` is the value at the node, `oldSelf` the stored one (transition rules run only on
//   updates that have one); unknown fields and type errors are compile errors at CRD write;
// - the Kubernetes libraries (cel-lib-*.ts), RE2 for `matches`/`find`/`findAll`;
// - cost: a static estimate refused at CRD write, a runtime budget per object (cel-cost.ts).
// Failures are worded as upstream: `<path>: Invalid value: "<schema type>": <message>` (or
// Forbidden/Required/Duplicate by reason).
// k8s: staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/{compilation,validation}.go
import { Environment } from '@marcbachmann/cel-js';
import type { JSONSchemaProps } from '../../api/crd';
import type { FieldError } from '../field-errors';
import {
  CostLimitExceeded,
  RUNTIME_BUDGET,
  STATIC_CRD_LIMIT,
  STATIC_RULE_LIMIT,
  astNodes,
  estimateCost,
  instrument,
  maxSize,
  metered,
  overBudget,
} from './cel-cost';
import { registerNetLibraries } from './cel-lib-net';
import { registerTextLibraries } from './cel-lib-text';
import { SchemaTypes } from './cel-types';

type Rule = NonNullable<JSONSchemaProps['x-kubernetes-validations']>[number] & {
  fieldPath?: string;
  reason?: string;
};
type Program = ReturnType<Environment['parse']>;

interface Compiled {
  program?: Program;
  error?: string;
  /** The static estimate of one evaluation. */
  cost: number;
  transition: boolean;
}

/** The environment every rule starts from: cel-js plus the Kubernetes libraries. */
const base = (() => {
  const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false });
  registerTextLibraries(env);
  registerNetLibraries(env);
  return env;
})();

interface SchemaEnv {
  /** The base environment plus the schema's declared types (frozen once nodes clone it). */
  env: Environment;
  types?: SchemaTypes;
  /** Per node with rules: the environment where self/oldSelf have the node's type. */
  nodes: Map<JSONSchemaProps, { env: Environment; rules: Map<string, Compiled> }>;
}
const schemaEnvs = new WeakMap<JSONSchemaProps, SchemaEnv>();

function schemaEnv(root: JSONSchemaProps): SchemaEnv {
  let se = schemaEnvs.get(root);
  if (!se) {
    let env = base.clone();
    let types: SchemaTypes | undefined;
    try {
      types = new SchemaTypes(env, root);
    } catch {
      // A schema the CRD's own validation refuses (bad types): its rules see dyn.
      env = base.clone();
      types = undefined;
    }
    se = { env, types, nodes: new Map() };
    schemaEnvs.set(root, se);
  }
  return se;
}

function nodeEnv(se: SchemaEnv, root: JSONSchemaProps, s: JSONSchemaProps) {
  let n = se.nodes.get(s);
  if (!n) {
    let type = 'dyn';
    try {
      type = se.types?.typeOf(s, 'Object', s === root) ?? 'dyn';
    } catch {
      type = 'dyn'; // a node the types could not declare (not reached from the root)
    }
    const env = se.env.clone().registerVariable('self', type).registerVariable('oldSelf', type);
    n = { env, rules: new Map() };
    se.nodes.set(s, n);
  }
  return n;
}

const usesOldSelf = (expr: string) => /\boldSelf\b/.test(expr);
const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0]!;

/**
 * A cel-js parse or check error in cel-go's shape, `ERROR: <input>:1:<column>: <message>`, with
 * cel-go's words for an undeclared field or variable (other messages are cel-js's own).
 */
function compileError(e: unknown): string {
  const err = e as { code?: string; summary?: string; range?: { start: number } };
  const summary = err?.summary ?? firstLine(e);
  let message = summary;
  const key = /^No such key: (.*)$/.exec(summary);
  const variable = /^Unknown variable: (.*)$/.exec(summary);
  if (err?.code === 'no_such_key' && key) message = `undefined field '${key[1]}'`;
  else if (err?.code === 'unknown_variable' && variable)
    message = `undeclared reference to '${variable[1]}' (in container '')`;
  if (!err?.range) return message;
  // cel-go points at the select's dot for a field, one column before cel-js's field name.
  const column = err.code === 'no_such_key' ? err.range.start : err.range.start + 1;
  return `ERROR: <input>:1:${column}: ${message}`;
}

/** Points `matches` at the RE2 implementation (cel-js's own uses JS RegExp, open to ReDoS). */
function useRe2(ast: unknown): void {
  for (const n of astNodes(ast)) {
    const args = n.args as unknown[];
    if ((n.op === 'rcall' || n.op === 'call') && args[0] === 'matches') args[0] = 're2Matches';
  }
}

function compile(
  env: Environment,
  expr: string,
  want: 'bool' | 'string',
  self: JSONSchemaProps,
): Compiled {
  const transition = usesOldSelf(expr);
  let program: Program;
  try {
    program = env.parse(expr);
  } catch (e) {
    return { error: compileError(e), cost: 0, transition };
  }
  useRe2(program.ast);
  const checked = program.check();
  if (!checked.valid) return { error: compileError(checked.error), cost: 0, transition };
  if (checked.type !== want && checked.type !== 'dyn')
    return {
      error:
        want === 'bool'
          ? 'cel expression must evaluate to a bool'
          : 'messageExpression must evaluate to a string',
      cost: 0,
      transition,
    };
  instrument(program.ast);
  return { program, cost: estimateCost(program.ast, self), transition };
}

/** A rule (or messageExpression) of a node, compiled once per schema. */
function compiled(
  root: JSONSchemaProps,
  s: JSONSchemaProps,
  expr: string,
  want: 'bool' | 'string',
): Compiled {
  const n = nodeEnv(schemaEnv(root), root, s);
  const key = `${want}:${expr}`;
  let c = n.rules.get(key);
  if (!c) {
    c = compile(n.env, expr, want, s);
    n.rules.set(key, c);
  }
  return c;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

function typeName(s: JSONSchemaProps, v: unknown): string {
  if (s.type) return s.type;
  if (Array.isArray(v)) return 'array';
  if (isObject(v)) return 'object';
  return typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
}

function failure(rule: Rule, path: string, value: string, detail: string): FieldError {
  const field = rule.fieldPath
    ? `${path}${rule.fieldPath.startsWith('[') ? '' : '.'}${rule.fieldPath.replace(/^\./, '')}`
    : path;
  switch (rule.reason) {
    case 'FieldValueForbidden':
      return { type: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
    case 'FieldValueRequired':
      return { type: 'FieldValueRequired', field, message: `Required value: ${detail}` };
    case 'FieldValueDuplicate':
      return { type: 'FieldValueDuplicate', field, message: `Duplicate value: ${detail}` };
    default:
      return invalid(field, value, detail);
  }
}

const invalid = (field: string, value: string, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
});

interface Run {
  root: JSONSchemaProps;
  types?: SchemaTypes;
  errs: FieldError[];
  /** Runtime cost left for this object; below zero no further rule runs. */
  remaining: number;
  stopped: boolean;
}

function runRules(run: Run, s: JSONSchemaProps, v: unknown, old: unknown, path: string): void {
  // self and oldSelf as the node's declared type, converted once for all of the node's rules.
  let self: unknown;
  let oldSelf: unknown;
  const convert = (x: unknown) => (run.types ? run.types.value(x, s) : x);
  for (const rule of (s['x-kubernetes-validations'] ?? []) as Rule[]) {
    if (run.stopped) return;
    const c = compiled(run.root, s, rule.rule, 'bool');
    if (c.transition && old === undefined) continue;
    const type = typeName(s, v);
    if (!c.program) {
      run.errs.push(failure(rule, path, type, `compilation failed: ${c.error}`));
      continue;
    }
    self ??= convert(v);
    if (c.transition) oldSelf ??= convert(old);
    const vars = { self, ...(c.transition ? { oldSelf } : {}) };
    const r = metered(() => c.program!(vars));
    run.remaining -= r.cost;
    if (r.error instanceof CostLimitExceeded) {
      run.errs.push(
        invalid(
          path,
          type,
          `'${r.error.message}': no further validation rules will be run due to call cost exceeds limit for rule: ${rule.rule}`,
        ),
      );
      run.stopped = true;
      return;
    }
    if (run.remaining < 0) {
      run.errs.push(
        invalid(
          path,
          type,
          'validation failed due to running out of cost budget, no further validation rules will be run',
        ),
      );
      run.stopped = true;
      return;
    }
    if (r.error !== undefined) {
      run.errs.push(
        failure(rule, path, type, `${firstLine(r.error)} evaluating rule: ${rule.rule}`),
      );
      continue;
    }
    if (r.value === true) continue;
    let message = rule.message || `failed rule: ${rule.rule}`;
    if (rule.messageExpression) {
      const m = compiled(run.root, s, rule.messageExpression, 'string');
      if (m.program) {
        const mr = metered(() => m.program!(vars));
        run.remaining -= mr.cost;
        // upstream falls back to message (or the rule) when messageExpression fails or is blank
        if (typeof mr.value === 'string' && mr.value.trim()) message = mr.value;
      }
    }
    run.errs.push(failure(rule, path, type, message));
  }
}

function walk(run: Run, v: unknown, old: unknown, s: JSONSchemaProps, path: string): void {
  if (v === undefined || v === null || run.stopped) return;
  runRules(run, s, v, old, path);
  if (isObject(v)) {
    const oldObj = isObject(old) ? old : undefined;
    for (const [k, x] of Object.entries(v)) {
      if (!path && k === 'metadata') continue;
      const prop = s.properties?.[k];
      const ap = s.additionalProperties;
      const child = prop ?? (isObject(ap) ? (ap as JSONSchemaProps) : undefined);
      if (child) walk(run, x, oldObj?.[k], child, path ? `${path}.${k}` : k);
    }
  } else if (Array.isArray(v) && s.items) {
    // Items of map lists correlate with the stored item of the same keys; others have no oldSelf.
    const keys =
      s['x-kubernetes-list-type'] === 'map' ? (s['x-kubernetes-list-map-keys'] ?? []) : [];
    const olds = Array.isArray(old) ? old : [];
    v.forEach((item, i) => {
      const prev = keys.length
        ? olds.find((o) => isObject(o) && isObject(item) && keys.every((k) => o[k] === item[k]))
        : undefined;
      walk(run, item, prev, s.items!, `${path}[${i}]`);
    });
  }
}

/** Every failing rule of the object (and, on update, transition rules against the stored one). */
export function validateRules(
  obj: unknown,
  old: unknown,
  schema: JSONSchemaProps | undefined,
): FieldError[] {
  if (!schema || !hasRules(schema)) return [];
  const run: Run = {
    root: schema,
    types: schemaEnv(schema).types,
    errs: [],
    remaining: RUNTIME_BUDGET,
    stopped: false,
  };
  walk(run, obj, old, schema, '');
  return run.errs;
}

const ruleCache = new WeakMap<JSONSchemaProps, boolean>();

/** Whether any node of the schema carries rules (most CRDs have none: skip the walk). */
export function hasRules(s: JSONSchemaProps): boolean {
  let found = ruleCache.get(s);
  if (found === undefined) {
    const ap = s.additionalProperties;
    found =
      !!s['x-kubernetes-validations']?.length ||
      Object.values(s.properties ?? {}).some(hasRules) ||
      (s.items ? hasRules(s.items) : false) ||
      (isObject(ap) ? hasRules(ap as JSONSchemaProps) : false);
    ruleCache.set(s, found);
  }
  return found;
}

/**
 * Compile errors and over-budget estimates of every rule in a CRD version's schema, for the CRD's
 * own validation: each rule is type-checked against the schema; its estimated cost times the
 * number of times it can run (the enclosing lists' and maps' bounds) may not pass the per-rule
 * limit, nor may the schema's total.
 */
export function ruleCompileErrors(root: JSONSchemaProps, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const costs: { field: string; cost: number }[] = [];
  const visit = (s: JSONSchemaProps, f: string, cardinality: number) => {
    if (!s || typeof s !== 'object') return;
    const rules = s['x-kubernetes-validations'];
    (Array.isArray(rules) ? rules : []).forEach((r: Rule, i) => {
      const rf = `${f}.x-kubernetes-validations[${i}]`;
      if (!r || typeof r.rule !== 'string' || !r.rule.trim()) {
        errs.push({ type: 'FieldValueRequired', field: `${rf}.rule`, message: 'Required value' });
        return;
      }
      if (typeof r.fieldPath === 'string') {
        const problem = fieldPathProblem(s, r.fieldPath);
        if (problem) errs.push(invalid(`${rf}.fieldPath`, r.fieldPath, problem));
      }
      const c = compiled(root, s, r.rule, 'bool');
      if (c.error !== undefined) {
        errs.push(invalid(`${rf}.rule`, r.rule, `compilation failed: ${c.error}`));
        return;
      }
      let cost = Math.min(c.cost * cardinality, Number.MAX_SAFE_INTEGER);
      if (typeof r.messageExpression === 'string' && r.messageExpression.trim()) {
        const m = compiled(root, s, r.messageExpression, 'string');
        if (m.error !== undefined)
          errs.push(
            invalid(
              `${rf}.messageExpression`,
              r.messageExpression,
              `messageExpression compilation failed: ${m.error}`,
            ),
          );
        else cost += m.cost * cardinality;
      }
      if (cost > STATIC_RULE_LIMIT)
        errs.push({
          type: 'FieldValueForbidden',
          field: `${rf}.rule`,
          message: `Forbidden: ${overBudget('estimated rule cost', cost, STATIC_RULE_LIMIT)}`,
        });
      costs.push({ field: `${rf}.rule`, cost });
    });
    for (const [k, p] of Object.entries(s.properties ?? {}))
      visit(p, `${f}.properties[${k}]`, cardinality);
    if (s.items) visit(s.items, `${f}.items`, cardinality * maxSize(s));
    const ap = s.additionalProperties;
    if (isObject(ap))
      visit(ap as JSONSchemaProps, `${f}.additionalProperties`, cardinality * maxSize(s));
  };
  visit(root, field, 1);
  const total = costs.reduce((t, c) => t + c.cost, 0);
  if (total > STATIC_CRD_LIMIT) {
    errs.push({
      type: 'FieldValueForbidden',
      field,
      message: `Forbidden: ${overBudget(
        'x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema',
        total,
        STATIC_CRD_LIMIT,
      )}`,
    });
    for (const c of costs)
      if (c.cost > STATIC_CRD_LIMIT / 100)
        errs.push({
          type: 'FieldValueForbidden',
          field: c.field,
          message:
            'Forbidden: contributed to estimated rule & messageExpression cost total exceeding cost limit for entire OpenAPIv3 schema',
        });
  }
  return errs;
}

/**
 * Why a rule's fieldPath does not name a field below its node (undefined when it does): a
 * sequence of `.name` and `['key']` steps through properties and map values, as upstream checks.
 */
function fieldPathProblem(s: JSONSchemaProps, path: string): string | undefined {
  if (!path.trim()) return 'fieldPath must be non-empty if specified';
  if (/[\r\n]/.test(path)) return 'fieldPath must not contain line breaks';
  let node: JSONSchemaProps | undefined = s;
  let rest = path;
  while (rest) {
    let name: string;
    const dot = /^\.([^.[]+)/.exec(rest);
    const quoted = /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest);
    if (dot) [rest, name] = [rest.slice(dot[0].length), dot[1]!];
    else if (quoted)
      [rest, name] = [rest.slice(quoted[0].length), quoted[1]!.replace(/\\(.)/g, '$1')];
    else if (rest.startsWith('['))
      return `fieldPath must be a valid path: expected single quoted string but got ${rest.slice(1).split(']')[0]}`;
    else return 'fieldPath must be a valid path: does not refer to a valid field';
    const ap: JSONSchemaProps['additionalProperties'] = node?.additionalProperties;
    node = node?.properties?.[name] ?? (isObject(ap) ? (ap as JSONSchemaProps) : undefined);
    if (!node) return 'fieldPath must be a valid path: does not refer to a valid field';
  }
  return undefined;
}
