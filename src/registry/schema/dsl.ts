// A tiny builder for OpenAPI v3-shaped schemas, so definitions read like the Go types and emit verbatim.

/** One OpenAPI v3 schema object, with the Kubernetes `x-kubernetes-*` extensions. */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema;
  items?: Schema;
  enum?: string[];
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  'x-kubernetes-group-version-kind'?: GVK[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

export interface GVK {
  group: string;
  kind: string;
  version: string;
}

export const REF_PREFIX = '#/components/schemas/';

// Definition name prefixes, as upstream names them.
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const CORE = 'io.k8s.api.core.v1.';
export const APPS = 'io.k8s.api.apps.v1.';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

function described(s: Schema, desc?: string): Schema {
  return desc ? { description: desc, ...s } : s;
}

/** A string; with `values` it is an enum, which kubectl explain prints. */
export const str = (desc?: string, values?: string[]): Schema =>
  described(values ? { type: 'string', enum: values } : { type: 'string' }, desc);
export const int32 = (desc?: string): Schema =>
  described({ type: 'integer', format: 'int32' }, desc);
export const int64 = (desc?: string): Schema =>
  described({ type: 'integer', format: 'int64' }, desc);
export const num = (desc?: string): Schema => described({ type: 'number', format: 'double' }, desc);
export const bool = (desc?: string): Schema => described({ type: 'boolean' }, desc);
/** base64 in JSON, []byte in Go. */
export const bytes = (desc?: string): Schema => described({ type: 'string', format: 'byte' }, desc);
/** Free-form JSON: nothing below it is checked or merged by key. */
export const any = (desc?: string): Schema =>
  described({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, desc);

/**
 * A reference to a named definition. With a description it is wrapped in allOf, as upstream does,
 * because OpenAPI v3.0 ignores siblings of $ref and kubectl explain shows the field's own description.
 */
export function ref(name: string, desc?: string): Schema {
  const r: Schema = { $ref: REF_PREFIX + name };
  return desc ? { description: desc, allOf: [r] } : r;
}

export const quantity = (desc?: string): Schema => ref(QUANTITY, desc);
export const intOrString = (desc?: string): Schema => ref(INT_OR_STRING, desc);
export const time = (desc?: string): Schema => ref(META + 'Time', desc);
export const microTime = (desc?: string): Schema => ref(META + 'MicroTime', desc);

export function map(
  value: Schema,
  desc?: string,
  opts: { mapType?: 'atomic' | 'granular' } = {},
): Schema {
  const s: Schema = described({ type: 'object', additionalProperties: value }, desc);
  if (opts.mapType) s['x-kubernetes-map-type'] = opts.mapType;
  return s;
}

export interface ListOpts {
  desc?: string;
  mergeKey?: string;
  strategy?: string;
  listType?: 'atomic' | 'set' | 'map';
  mapKeys?: string[];
}

export function list(items: Schema, opts: ListOpts = {}): Schema {
  const s: Schema = described({ type: 'array', items }, opts.desc);
  if (opts.strategy) s['x-kubernetes-patch-strategy'] = opts.strategy;
  if (opts.mergeKey) s['x-kubernetes-patch-merge-key'] = opts.mergeKey;
  if (opts.listType) s['x-kubernetes-list-type'] = opts.listType;
  if (opts.mapKeys) s['x-kubernetes-list-map-keys'] = opts.mapKeys;
  return s;
}

/** A list replaced as a whole by patches: `+listType=atomic`. */
export const atomic = (items: Schema, desc?: string): Schema =>
  list(items, { desc, listType: 'atomic' });

/**
 * The common keyed list: `+patchMergeKey=<key> +patchStrategy=merge +listType=map +listMapKey=<key>...`.
 * `mapKeys` defaults to the merge key; pass more when upstream lists several (ports: containerPort, protocol).
 */
export function keyed(
  items: Schema,
  desc: string,
  mergeKey: string,
  mapKeys: string[] = [mergeKey],
  strategy = 'merge',
): Schema {
  return list(items, { desc, mergeKey, strategy, listType: 'map', mapKeys });
}

/** `+listType=map` without patch tags: server-side apply merges by key, strategic merge patch replaces. */
export const mapList = (items: Schema, desc: string, mapKeys: string[]): Schema =>
  list(items, { desc, listType: 'map', mapKeys });

export interface ObjOpts {
  required?: string[];
  /** `+structType=atomic` in Go; emitted as x-kubernetes-map-type on the struct. */
  atomic?: boolean;
}

export function obj(desc: string, props: Record<string, Schema>, opts: ObjOpts = {}): Schema {
  const s: Schema = { description: desc, type: 'object', properties: props };
  if (opts.required?.length) s.required = opts.required;
  if (opts.atomic) s['x-kubernetes-map-type'] = 'atomic';
  return s;
}

/** apiVersion and kind, written once for every top-level kind. */
export function typeMeta(): Record<string, Schema> {
  return {
    apiVersion: str(
      'The versioned schema of this object, "group/version" (just "v1" for the core group). The server rejects values it does not serve.',
    ),
    kind: str(
      'The type of this object, in CamelCase. Servers infer it from the endpoint; clients must not change it.',
    ),
  };
}

/** A top-level kind: typeMeta first, then the given fields, tagged with its group/version/kind. */
export function kind(
  desc: string,
  gvk: GVK,
  props: Record<string, Schema>,
  opts: ObjOpts = {},
): Schema {
  const s = obj(desc, { ...typeMeta(), ...props }, opts);
  s['x-kubernetes-group-version-kind'] = [gvk];
  return s;
}

export const gvk = (group: string, version: string, kindName: string): GVK => ({
  group,
  kind: kindName,
  version,
});

/** The definition name a $ref points at, or undefined for an inline schema. */
export function refName(s: Schema): string | undefined {
  if (s.$ref) return s.$ref.slice(REF_PREFIX.length);
  if (s.allOf?.length === 1 && !s.properties) return refName(s.allOf[0]);
  return undefined;
}
