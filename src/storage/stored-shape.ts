// The stored JSON of an object, and the watch relay's splice of a resourceVersion into it unparsed.
import type { KObject } from '../api/types';
import type { ResourceDefinition } from '../registry/definition';
import { MAX_OBJECT_BYTES, utf8Length } from './limits';

/**
 * Bumped whenever defaulting (src/registry/defaults) changes what it fills in. A row marked with
 * an older generation may lack a default that reads would add, so the relay leaves it to the
 * parsing path; test/unit/stored-shape.test.ts fails until the bump is made.
 */
export const DEFAULTS_GENERATION = 1;

/**
 * The mark of a defaults generation: JSON whitespace (invisible to every parser), the generation in
 * base 2 over six characters, space and tab only. Never a line break: hub lines embed stored values
 * raw and end at "\n". 64 generations pass before a mark repeats.
 */
export function storedMark(generation: number): string {
  let mark = '';
  for (let bit = 5; bit >= 0; bit--) mark += (generation >> bit) & 1 ? '\t' : ' ';
  return mark;
}

/**
 * Written right after the opening brace of a value that is in the relay's shape and a fixed point
 * of its kind's defaulting of this generation.
 */
export const STORED_MARK = storedMark(DEFAULTS_GENERATION);

const MARKED = `{${STORED_MARK}"apiVersion":"`;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Whether the mark would take a value within the object size limit over it: such a value is left
 * unmarked (parsed on watch), so the limit refuses what it refused before the mark existed.
 */
function markTipsOver(json: string): boolean {
  const size = MAX_OBJECT_BYTES - STORED_MARK.length;
  return json.length > size / 4 && utf8Length(json) > size && utf8Length(json) <= MAX_OBJECT_BYTES;
}

/**
 * Stored JSON leaves out resourceVersion: the revision is the resourceVersion, set on read. An
 * object with string apiVersion and kind is written with apiVersion, kind and metadata first (the
 * order the apiserver serializes in); `defaulted` (its kind's defaults hold) adds STORED_MARK.
 */
export function encodeStored(obj: KObject, defaulted = false): string {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  const { apiVersion, kind, metadata: _m, ...rest } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !isPlainObject(obj.metadata))
    return JSON.stringify({ ...obj, metadata });
  const json = JSON.stringify({ apiVersion, kind, metadata, ...rest });
  return defaulted && !markTipsOver(json) ? `{${STORED_MARK}${json.slice(1)}` : json;
}

/**
 * The stored JSON of a write. A built-in kind stored in the shape it serves (no view) is defaulted
 * here, as every read would default it, and marked: the watch relay may then send it unparsed.
 * Objects without a uid are only encoded (defaulting treats them as new, which a read never does).
 */
export function encodeWrite(
  def: Pick<ResourceDefinition, 'view' | 'custom' | 'strategy'>,
  obj: KObject,
): string {
  const defaulted = !def.view && !def.custom && !!obj.metadata.uid;
  if (defaulted) def.strategy.applyDefaults(obj);
  return encodeStored(obj, defaulted);
}

/** The index just past the JSON string whose opening quote is at `s[open]`; -1 if unterminated. */
function stringEnd(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/**
 * The stored value as served, `metadata.resourceVersion` set, without parsing it: only a value
 * carrying this generation's mark, starting `{"apiVersion":"…","kind":"…","metadata":{` exactly.
 * Anything else answers undefined, and the caller parses. The result lists resourceVersion first
 * in metadata, where a parse-and-set would list it last; the objects are equal.
 */
export function spliceResourceVersion(stored: string, resourceVersion: string): string | undefined {
  if (!stored.startsWith(MARKED)) return undefined;
  const afterApiVersion = stringEnd(stored, MARKED.length - 1);
  if (afterApiVersion < 0 || !stored.startsWith(',"kind":"', afterApiVersion)) return undefined;
  const afterKind = stringEnd(stored, afterApiVersion + ',"kind":'.length);
  if (afterKind < 0 || !stored.startsWith(',"metadata":{', afterKind)) return undefined;
  const open = afterKind + ',"metadata":{'.length;
  const rv = `"resourceVersion":${JSON.stringify(resourceVersion)}`;
  const sep = stored.charCodeAt(open) === 0x7d ? '' : ',';
  return `{${stored.slice(1 + STORED_MARK.length, open)}${rv}${sep}${stored.slice(open)}`;
}
