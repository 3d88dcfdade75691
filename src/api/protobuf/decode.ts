// Decodes kubectl's protobuf request bodies (k8s magic + runtime.Unknown) into the JSON the Go apiserver would hold.
import {
  FIELDS_V1,
  INT_OR_STRING,
  QUANTITY,
  RAW_EXTENSION,
  TIME,
  descriptorFor,
  messageForKind,
  supportedKinds,
  type FieldDescriptor,
} from './descriptors';
import { ProtoReader, ProtobufDecodeError, WireType } from './wire';

export { ProtobufDecodeError, type ProtobufErrorReason } from './wire';

export interface DecodedKubernetesObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
  /** "path: field N of Message" for every field we have no descriptor for; skipped, never fatal. */
  unknownFields: string[];
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00];
// Go's zero time.Time as Unix seconds; metav1.Time renders it as null.
const GO_ZERO_TIME_SECONDS = -62135596800;
// Top-level spec/status are printed by Go's JSON even when empty (kubectl-wire.md §1.3 keeps status: {}).
const KEEP_EMPTY_AT_ROOT = new Set(['spec', 'status']);

interface Context {
  unknown: string[];
}

export function decodeKubernetesProtobuf(bytes: Uint8Array): DecodedKubernetesObject {
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new ProtobufDecodeError(
      'BadMagic',
      'protobuf body must start with the Kubernetes magic bytes 6b 38 73 00 ("k8s\\0")',
    );
  }
  const envelope = readEnvelope(bytes.subarray(MAGIC.length));
  const { apiVersion, kind } = envelope;
  if (envelope.contentEncoding) {
    throw new ProtobufDecodeError(
      'Malformed',
      `unsupported protobuf contentEncoding "${envelope.contentEncoding}"`,
    );
  }
  const name = messageForKind(apiVersion, kind);
  if (!name) {
    throw new ProtobufDecodeError(
      'UnsupportedKind',
      `protobuf request bodies are supported only for ${supportedKinds().join(', ')}; ` +
        `got ${apiVersion || '<no apiVersion>'} ${kind || '<no kind>'}: send it as application/json instead`,
    );
  }
  const ctx: Context = { unknown: [] };
  const body = decodeMessage(envelope.raw, name, '', ctx, KEEP_EMPTY_AT_ROOT);
  return { apiVersion, kind, object: { apiVersion, kind, ...body }, unknownFields: ctx.unknown };
}

// runtime.Unknown: 1 typeMeta{1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType.
function readEnvelope(bytes: Uint8Array) {
  const out = {
    apiVersion: '',
    kind: '',
    raw: new Uint8Array() as Uint8Array,
    contentEncoding: '',
  };
  const r = new ProtoReader(bytes);
  while (!r.eof()) {
    const { field, wireType } = r.tag();
    if (field === 1 && wireType === WireType.Bytes) {
      const t = new ProtoReader(r.bytes());
      while (!t.eof()) {
        const tag = t.tag();
        if (tag.field === 1 && tag.wireType === WireType.Bytes) out.apiVersion = t.string();
        else if (tag.field === 2 && tag.wireType === WireType.Bytes) out.kind = t.string();
        else t.skip(tag.wireType);
      }
    } else if (field === 2 && wireType === WireType.Bytes) out.raw = r.bytes();
    else if (field === 3 && wireType === WireType.Bytes) out.contentEncoding = r.string();
    else r.skip(wireType); // 4 is contentType, always "" from client-go; nothing else is defined.
  }
  return out;
}

function decodeMessage(
  bytes: Uint8Array,
  name: string,
  path: string,
  ctx: Context,
  keepEmpty?: ReadonlySet<string>,
): Record<string, unknown> {
  const desc = descriptorFor(name);
  if (!desc)
    throw new ProtobufDecodeError(
      'Malformed',
      `no descriptor for message ${name} at ${path || '<root>'}`,
    );
  const out: Record<string, unknown> = {};
  const r = new ProtoReader(bytes);
  while (!r.eof()) {
    const { field, wireType } = r.tag();
    const fd = desc.get(field);
    if (!fd) {
      ctx.unknown.push(`${path || '<root>'}: field ${field} of ${name}`);
      r.skip(wireType);
      continue;
    }
    const at = path ? `${path}.${fd.json}` : fd.json;
    if (fd.map) {
      expectWire(wireType, WireType.Bytes, fd, at);
      const [key, value] = readMapEntry(r.bytes(), fd, at, ctx);
      // defineProperty: a hostile "__proto__" key must stay data, not become the map's prototype.
      Object.defineProperty((out[fd.json] ??= {}) as object, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else if (fd.repeated) {
      const list = (out[fd.json] ??= []) as unknown[];
      if (wireType === WireType.Bytes && isNumeric(fd.type)) {
        // Packed encoding: accepted for robustness, although go-to-protobuf writes proto2 unpacked.
        const packed = new ProtoReader(r.bytes());
        while (!packed.eof()) list.push(readScalar(packed, fd.type));
      } else list.push(readValue(r, wireType, fd, `${at}[${list.length}]`, ctx));
    } else if (fd.inline) {
      expectWire(wireType, WireType.Bytes, fd, at);
      Object.assign(out, decodeMessage(r.bytes(), fd.type, path, ctx));
    } else {
      out[fd.json] = readValue(r, wireType, fd, at, ctx);
    }
  }
  dropZeroValues(out, desc.values(), keepEmpty);
  return out;
}

function readValue(
  r: ProtoReader,
  wireType: number,
  fd: FieldDescriptor,
  at: string,
  ctx: Context,
): unknown {
  if (isNumeric(fd.type)) {
    expectWire(wireType, WireType.Varint, fd, at);
    return readScalar(r, fd.type);
  }
  expectWire(wireType, WireType.Bytes, fd, at);
  const bytes = r.bytes();
  if (fd.type === 'string') return utf8.decode(bytes);
  if (fd.type === 'bytes') return toBase64(bytes);
  return decodeEmbedded(bytes, fd.type, at, ctx);
}

function readMapEntry(
  bytes: Uint8Array,
  fd: FieldDescriptor,
  at: string,
  ctx: Context,
): [string, unknown] {
  let key = '';
  let value: unknown;
  const r = new ProtoReader(bytes);
  while (!r.eof()) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      expectWire(wireType, WireType.Bytes, fd, at);
      key = r.string();
    } else if (field === 2)
      value = readValue(r, wireType, fd, `${at}[${JSON.stringify(key)}]`, ctx);
    else r.skip(wireType);
  }
  // An absent value is the value type's zero, as Go would decode it.
  if (value === undefined)
    value =
      fd.type === 'string' || fd.type === 'bytes' ? '' : decodeEmbedded(EMPTY, fd.type, at, ctx);
  return [key, value];
}

function decodeEmbedded(bytes: Uint8Array, type: string, at: string, ctx: Context): unknown {
  switch (type) {
    case TIME:
      return decodeTime(bytes);
    case INT_OR_STRING: {
      const f = scalarFields(bytes);
      return f.int(1) === 1 ? f.str(3) : f.int(2) | 0;
    }
    case QUANTITY:
      return scalarFields(bytes).str(1);
    case RAW_EXTENSION:
    case FIELDS_V1:
      return decodeEmbeddedJson(scalarFields(bytes).raw(1), at);
    default:
      return decodeMessage(bytes, type, at, ctx);
  }
}

function decodeTime(bytes: Uint8Array): string | null {
  // metav1.Time marshals its zero value as an empty message and renders it as JSON null.
  if (bytes.length === 0) return null;
  const f = scalarFields(bytes);
  const seconds = f.int(1);
  if (seconds === GO_ZERO_TIME_SECONDS && f.int(2) === 0) return null;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime()))
    throw new ProtobufDecodeError('Malformed', `time ${seconds}s is out of range`);
  // metav1.Time's JSON form is RFC3339 at whole-second precision, in UTC; nanos are dropped.
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function decodeEmbeddedJson(raw: Uint8Array | undefined, at: string): unknown {
  if (!raw || raw.length === 0) return null;
  try {
    return JSON.parse(utf8.decode(raw));
  } catch {
    throw new ProtobufDecodeError('Malformed', `${at} holds an embedded object that is not JSON`);
  }
}

/** Last value per field number of a tiny message of scalars (Time, IntOrString, Quantity, RawExtension). */
function scalarFields(bytes: Uint8Array) {
  const varints = new Map<number, number>();
  const blobs = new Map<number, Uint8Array>();
  const r = new ProtoReader(bytes);
  while (!r.eof()) {
    const { field, wireType } = r.tag();
    if (wireType === WireType.Varint) varints.set(field, r.int64());
    else if (wireType === WireType.Bytes) blobs.set(field, r.bytes());
    else r.skip(wireType);
  }
  return {
    int: (n: number) => varints.get(n) ?? 0,
    raw: (n: number) => blobs.get(n),
    str: (n: number) => utf8.decode(blobs.get(n) ?? EMPTY),
  };
}

const EMPTY = new Uint8Array();

function readScalar(r: ProtoReader, type: string): number | boolean {
  if (type === 'bool') return r.bool();
  return type === 'int32' ? r.int32() : r.int64();
}

function isNumeric(type: string): boolean {
  return type === 'int32' || type === 'int64' || type === 'bool';
}

function expectWire(actual: number, expected: number, fd: FieldDescriptor, at: string): void {
  if (actual !== expected) {
    throw new ProtobufDecodeError(
      'Malformed',
      `${at} (field ${fd.number}) has wire type ${actual}, expected ${expected}`,
    );
  }
}

/**
 * Go writes every non-pointer field, zero or not; its JSON (omitempty) would not. Drop those zeros so
 * the result is what the Go apiserver stores. Pointer fields stay: Go sent them only because they were set.
 */
function dropZeroValues(
  out: Record<string, unknown>,
  fields: Iterable<FieldDescriptor>,
  keepEmpty?: ReadonlySet<string>,
): void {
  for (const fd of fields) {
    if (fd.pointer || fd.inline || !Object.hasOwn(out, fd.json)) continue;
    if (keepEmpty?.has(fd.json)) continue;
    if (isZero(out[fd.json])) delete out[fd.json];
  }
}

function isZero(v: unknown): boolean {
  if (v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  // Empty maps and empty nested structs; null (a zero metav1.Time) stays, as Go prints it.
  return v !== null && typeof v === 'object' && Object.keys(v).length === 0;
}

const utf8 = new TextDecoder('utf-8');

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
