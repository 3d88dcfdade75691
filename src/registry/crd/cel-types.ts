// CEL types of a CRD schema: every object node with properties becomes a declared object type,
// arrays list<T>, maps map<string, T>, so a rule is type-checked against the schema at CRD write
// (an unknown field or a type error is a compile error, as upstream) and values are converted to
// match at evaluation. Property names are escaped as upstream escapes them (foo-bar →
// foo__dash__bar). int-or-string, nullable and schemaless nodes are dyn.
// k8s: staging/src/k8s.io/apiserver/pkg/cel/common/schemas.go and cel/escaping.go
import type { Environment } from '@marcbachmann/cel-js';
import { Duration } from '@marcbachmann/cel-js/evaluator';
import type { JSONSchemaProps } from '../../api/crd';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

const CEL_RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** A property name as rules spell it; undefined when it cannot be (not a CEL identifier). */
export function escapeName(k: string): string | undefined {
  if (CEL_RESERVED.has(k)) return `__${k}__`;
  const out = k
    .replace(/__/g, '__underscores__')
    .replace(/\./g, '__dot__')
    .replace(/-/g, '__dash__')
    .replace(/\//g, '__slash__');
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(out) ? out : undefined;
}

const additional = (s: JSONSchemaProps): JSONSchemaProps | undefined =>
  isObject(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined;

type Ctor = new (fields: Json) => object;

/** Declared types of one CRD version's schema, registered into an Environment. */
export class SchemaTypes {
  private readonly names = new Map<JSONSchemaProps, string>();
  private readonly ctors = new Map<JSONSchemaProps, Ctor>();
  /** The metadata schema declared for the root and embedded resources (name, generateName). */
  private readonly metaOf = new Map<JSONSchemaProps, JSONSchemaProps>();
  private count = 0;

  constructor(
    private readonly env: Environment,
    root: JSONSchemaProps,
  ) {
    this.typeOf(root, 'Object', true);
    // Nodes below a dyn one (nullable, int-or-string) may carry rules of their own: declare every
    // object now, as the environment is frozen once the rules' environments derive from it.
    const visit = (s: JSONSchemaProps, path: string) => {
      if (!s || typeof s !== 'object') return;
      if (s !== root) this.typeOf(s, path);
      for (const [k, p] of Object.entries(s.properties ?? {})) visit(p, `${path}.${k}`);
      if (s.items) visit(s.items, `${path}.@items`);
      const ap = additional(s);
      if (ap) visit(ap, `${path}.@values`);
    };
    visit(root, 'Object');
  }

  /** The CEL type of a schema node (declaring object types on the way). */
  typeOf(s: JSONSchemaProps, path: string, embedded = false): string {
    if (!s || s.nullable || s['x-kubernetes-int-or-string']) return 'dyn';
    switch (s.type) {
      case 'string':
        // As upstream: date-time and date strings are timestamps, duration strings durations.
        if (s.format === 'date-time' || s.format === 'date') return 'google.protobuf.Timestamp';
        return s.format === 'duration' ? 'google.protobuf.Duration' : 'string';
      case 'integer':
        return 'int';
      case 'number':
        return 'double';
      case 'boolean':
        return 'bool';
      case 'array':
        return s.items ? `list<${this.typeOf(s.items, `${path}.@items`)}>` : 'list<dyn>';
      case 'object':
        break;
      default:
        return 'dyn';
    }
    const known = this.names.get(s);
    if (known) return known;
    const ap = additional(s);
    if (ap) return `map<string, ${this.typeOf(ap, `${path}.@values`)}>`;
    const props = s.properties ?? {};
    const isEmbedded = embedded || s['x-kubernetes-embedded-resource'] === true;
    if (!Object.keys(props).length && !isEmbedded)
      return s['x-kubernetes-preserve-unknown-fields'] || s.additionalProperties === true
        ? 'dyn'
        : 'map<string, dyn>';
    const fields: Record<string, string> = {};
    if (isEmbedded) {
      const meta: JSONSchemaProps = {
        type: 'object',
        properties: { name: { type: 'string' }, generateName: { type: 'string' } },
      };
      this.metaOf.set(s, meta);
      fields.apiVersion = 'string';
      fields.kind = 'string';
      fields.metadata = this.declare(meta, `${path}.metadata`);
    }
    for (const [k, p] of Object.entries(props)) {
      const name = escapeName(k);
      if (name && !(isEmbedded && name === 'metadata'))
        fields[name] = this.typeOf(p, `${path}.${k}`);
    }
    return this.declare(s, path, fields);
  }

  private declare(s: JSONSchemaProps, path: string, fields?: Record<string, string>): string {
    const known = this.names.get(s);
    if (known) return known;
    fields ??= Object.fromEntries(
      Object.entries(s.properties ?? {}).map(([k, p]) => [k, this.typeOf(p, `${path}.${k}`)]),
    );
    const name = `${path.replace(/@/g, '').replace(/[^A-Za-z0-9_.]/g, '_')}_${this.count++}`;
    const ctor = {
      [name]: class {
        constructor(o: Json) {
          Object.assign(this, o);
        }
      },
    }[name]!;
    this.env.registerType(name, { ctor, fields });
    this.env.registerOperator(`${name} == ${name}`, (a: unknown, b: unknown) => celEqual(a, b));
    this.names.set(s, name);
    this.ctors.set(s, ctor);
    return name;
  }

  /** JSON as the declared types hold it: integers as int, objects as their type, names escaped. */
  value(v: unknown, s: JSONSchemaProps | undefined): unknown {
    if (typeof v === 'number') {
      const integral =
        s?.type === 'integer' ||
        s?.['x-kubernetes-int-or-string'] ||
        (!s?.type && Number.isInteger(v));
      return integral && Number.isInteger(v) ? BigInt(v) : v;
    }
    if (typeof v === 'string' && s?.type === 'string' && !s.nullable) return formatted(v, s.format);
    if (Array.isArray(v)) return v.map((x) => this.value(x, s?.items));
    if (!isObject(v)) return v;
    const ctor = s ? this.ctors.get(s) : undefined;
    const ap = s ? additional(s) : undefined;
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      const prop = (k === 'metadata' && s && this.metaOf.get(s)) || s?.properties?.[k];
      if (ctor) {
        const name = escapeName(k);
        if (name) out[name] = this.value(x, prop);
      } else out[k] = this.value(x, prop ?? ap);
    }
    return ctor ? new ctor(out) : out;
  }
}

const UNIT_NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** A Go duration ("1h30m", "-1.5s") as a CEL duration; undefined when it is not one. */
export function parseGoDuration(v: string): Duration | undefined {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(v);
  if (!m && v !== '0') return undefined;
  let nanos = 0n;
  for (const [, num, unit] of v.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    const [whole, frac = ''] = num!.split('.');
    const scale = UNIT_NANOS[unit!]!;
    nanos += BigInt(whole || '0') * scale;
    if (frac) nanos += (BigInt(frac.slice(0, 18).padEnd(18, '0')) * scale) / 10n ** 18n;
  }
  if (m?.[1] === '-') nanos = -nanos;
  return new Duration(nanos / 1_000_000_000n, Number(nanos % 1_000_000_000n));
}

/** A string field's value as its declared type holds it (timestamps, durations). */
function formatted(v: string, format: string | undefined): unknown {
  if (format === 'date-time' || format === 'date') {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? v : d;
  }
  if (format === 'duration') return parseGoDuration(v) ?? v;
  return v;
}

/** Equality of declared-type values: deep, with timestamps and durations compared by value. */
function celEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof Duration || b instanceof Duration)
    return (
      a instanceof Duration &&
      b instanceof Duration &&
      a.seconds === b.seconds &&
      a.nanos === b.nanos
    );
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a))
    return (
      a.length === (b as unknown[]).length && a.every((x, i) => celEqual(x, (b as unknown[])[i]))
    );
  const ao = a as Json;
  const bo = b as Json;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => celEqual(ao[k], bo[k]));
}
