// Shapes of our hand-written protobuf message tables and the compact builder the tables use.

/** Scalars, or the fully qualified name of another message (well-known ones become JSON scalars). */
export type FieldType = 'string' | 'int32' | 'int64' | 'bool' | 'bytes' | (string & {});

export interface FieldDescriptor {
  number: number;
  json: string;
  type: FieldType;
  /** Go pointer field: kept even when zero, because Go emitted it only because it was set. */
  pointer: boolean;
  repeated: boolean;
  /** map<string, type>; go-to-protobuf map keys are always strings. */
  map: boolean;
  /** Go embedded struct: its JSON fields sit in the parent object (Probe.handler, Volume.volumeSource). */
  inline: boolean;
}

export type MessageDescriptor = ReadonlyMap<number, FieldDescriptor>;
export type MessageTable = Record<string, MessageDescriptor>;

export const PTR = 1;
export const REP = 2;
export const MAP = 4;
export const INLINE = 8;

export type FieldSpec = readonly [number: number, json: string, type: FieldType, flags?: number];

/** Builds a descriptor from rows of [field number, json name, type, PTR|REP|MAP|INLINE]. */
export function message(...rows: FieldSpec[]): MessageDescriptor {
  const out = new Map<number, FieldDescriptor>();
  for (const [number, json, type, flags = 0] of rows) {
    out.set(number, {
      number,
      json,
      type,
      pointer: (flags & PTR) !== 0,
      repeated: (flags & REP) !== 0,
      map: (flags & MAP) !== 0,
      inline: (flags & INLINE) !== 0,
    });
  }
  return out;
}

export const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
export const RUNTIME = 'k8s.io.apimachinery.pkg.runtime.';
export const CORE = 'k8s.io.api.core.v1.';
export const APPS = 'k8s.io.api.apps.v1.';
export const BATCH = 'k8s.io.api.batch.v1.';

/** Messages whose JSON form is not an object (see kubectl-wire.md §1.3). */
export const TIME = META + 'Time';
export const FIELDS_V1 = META + 'FieldsV1';
export const INT_OR_STRING = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
export const RAW_EXTENSION = RUNTIME + 'RawExtension';
