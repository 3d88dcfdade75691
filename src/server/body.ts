// Reads request bodies within the size limit and decodes JSON, YAML or Kubernetes protobuf.
import { parseDocument } from 'yaml';
import { MAX_REQUEST_BYTES } from '../storage/limits';
import { decodeKubernetesProtobuf, ProtobufDecodeError } from '../api/protobuf/decode';
import { errors } from './errors';

const MAX_YAML_DEPTH = 100;
/** How much of an oversized body is read and dropped before the 413, and for how long at most. */
const DRAIN_BYTES = 64 * 1024 * 1024;
const DRAIN_MS = 5000;

/** Reads the body, counting bytes on the stream when there is no Content-Length. */
export async function readBody(req: Request): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = declared > MAX_REQUEST_BYTES;
  let overSince: number | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_REQUEST_BYTES) over = true;
    // Past the limit nothing is kept; the rest is read and dropped (up to a bound) so the client
    // sees the 413 rather than a connection reset in the middle of its upload: a connection closed
    // with unread data sends a reset, which can destroy the answer before the client reads it (Go's
    // server lingers for the same reason). Past DRAIN_BYTES, or DRAIN_MS after the limit was
    // crossed, the upload is cut.
    if (over) {
      overSince ??= Date.now();
      if (total > DRAIN_BYTES || Date.now() - overSince > DRAIN_MS) break;
      continue;
    }
    chunks.push(value);
  }
  if (over) {
    await reader.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

function tooLarge() {
  return errors.tooLarge(`the request body is larger than the ${MAX_REQUEST_BYTES} byte limit`);
}

export function mediaType(req: Request): string {
  return (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Decodes an object body (create, update, subresources). A missing Content-Type is JSON (kubectl
 * scale sends none). Patch media types are refused here, as the apiserver's object endpoints refuse
 * them with 415: a patch is not an object, and must never be stored as one.
 */
export function decodeObject(bytes: Uint8Array, type: string): unknown {
  switch (type) {
    case '':
    case 'application/json':
      return parseJson(bytes);
    case 'application/yaml':
      return parseYaml(new TextDecoder().decode(bytes));
    case 'application/vnd.kubernetes.protobuf':
      try {
        return decodeKubernetesProtobuf(bytes).object;
      } catch (e) {
        if (e instanceof ProtobufDecodeError && e.reason === 'UnsupportedKind')
          throw errors.unsupportedMediaType(e.message);
        throw errors.badRequest(`unable to decode protobuf body: ${(e as Error).message}`);
      }
    default:
      throw errors.unsupportedMediaType(
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
      );
  }
}

/** Decodes a PATCH body of one of the patch media types (the caller checked the type). */
export function decodePatchBody(bytes: Uint8Array, type: string): unknown {
  return type === 'application/apply-patch+yaml'
    ? parseYaml(new TextDecoder().decode(bytes))
    : parseJson(bytes);
}

function parseJson(bytes: Uint8Array): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(
      `the body of the request could not be decoded as JSON: ${(e as Error).message}`,
    );
  }
}

/** YAML with aliases refused outright (no alias bombs) and nesting capped (no depth bombs). */
/**
 * Flow collections (`[[[...`) nest one level per character, so a 3 MiB body could nest millions deep
 * and exhaust the parser's stack before any depth check. Count first, in one pass over the text.
 */
function flowDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') {
      if (++depth > max) return true;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return false;
}

export function parseYaml(text: string): unknown {
  if (flowDepthExceeds(text, MAX_YAML_DEPTH))
    throw errors.badRequest(`the body of the request nests deeper than ${MAX_YAML_DEPTH} levels`);
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { uniqueKeys: true, strict: true });
  } catch (e) {
    // A pathological nesting can exhaust the parser's stack: refuse it, never crash.
    throw errors.badRequest(
      `the body of the request could not be decoded as YAML: ${(e as Error).message}`,
    );
  }
  if (doc.errors.length > 0) {
    throw errors.badRequest(
      `the body of the request could not be decoded as YAML: ${doc.errors[0].message}`,
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 0 });
  } catch (e) {
    throw errors.badRequest(
      `the body of the request could not be decoded as YAML: ${(e as Error).message}`,
    );
  }
  if (depth(value, 0) > MAX_YAML_DEPTH)
    throw errors.badRequest(`the body of the request nests deeper than ${MAX_YAML_DEPTH} levels`);
  return value;
}

function depth(v: unknown, d: number): number {
  if (d > MAX_YAML_DEPTH) return d;
  if (Array.isArray(v)) return v.reduce((m: number, x) => Math.max(m, depth(x, d + 1)), d + 1);
  if (v && typeof v === 'object')
    return Object.values(v).reduce((m: number, x) => Math.max(m, depth(x, d + 1)), d + 1);
  return d;
}
