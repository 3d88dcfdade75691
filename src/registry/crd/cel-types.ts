// CEL types of a CRD schema: every object node with properties becomes a declared object type,
// arrays list<T>, maps map<string, T>, so a rule is type-checked against the schema at CRD write
// (an unknown field or a type error is a compile error, as upstream) and values are converted to
// match at evaluation. Property names are escaped as upstream escapes them (foo-bar →
// foo__dash__bar). int-or-string, nullable and schemaless nodes are dyn.
// k8s: staging/src/k8s.io/apiserver/pkg/cel/common/schemas.go and cel/escaping.go
import type { Environment } from '@marcbachmann/cel-js';
import type { JSONSchemaProps } from '../../api/crd';
import { deepEqual } from '../../lib/json';

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
  }

  /** The CEL type of a schema node (declaring object types on the way). */
  typeOf(s: JSONSchemaProps, path: string, embedded = false): string {
    if (!s || s.nullable || s['x-kubernetes-int-or-string']) return 'dyn';
    switch (s.type) {
      case 'string':
        return 'string';
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
    this.env.registerOperator(`${name} == ${name}`, (a: unknown, b: unknown) => deepEqual(a, b));
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
