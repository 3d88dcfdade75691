// Field ownership (metadata.managedFields): FieldsV1 field sets, server-side apply with conflicts, and updates by other writes.
// k8s: sigs.k8s.io/structured-merge-diff (fieldpath, typed, merge) and k8s.io/apimachinery/pkg/util/managedfields/internal

import { ANY_NAV, type SchemaNav } from './schema-nav';
import { PatchError } from './strategic-merge-patch';

type JsonObject = Record<string, unknown>;

/** FieldsV1 JSON: `f:<field>`, `k:<key json>`, `v:<value json>`, `i:<index>`; `.` marks the node itself. */
export type FieldsV1 = { [pathElement: string]: FieldsV1 };

/** A set of field paths: a trie keyed by serialized path elements (`f:spec`, `k:{"name":"app"}`, `v:"x"`). */
export interface FieldSet {
  readonly members: ReadonlySet<string>;
  readonly children: ReadonlyMap<string, FieldSet>;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
  subresource?: string;
}

export interface ApplyConflict {
  manager: string;
  field: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
}

export interface ApplyOptions {
  /** The stored object, or undefined when the apply creates it. */
  live: unknown;
  applied: unknown;
  manager: string;
  force: boolean;
  nav: SchemaNav;
  /** Defaults to live.metadata.managedFields. */
  managedFields?: ManagedFieldsEntry[];
  now?: Date | string;
  /** Defaults to applied.apiVersion. */
  apiVersion?: string;
  subresource?: string;
}

export interface UpdateOptions {
  live: unknown;
  updated: unknown;
  manager: string;
  operation?: 'Update';
  nav: SchemaNav;
  /** Defaults to updated.metadata.managedFields when the writer set them, else live.metadata.managedFields. */
  managedFields?: ManagedFieldsEntry[];
  now?: Date | string;
  /** Defaults to updated.apiVersion. */
  apiVersion?: string;
  subresource?: string;
}

export type ApplyResult =
  { object: JsonObject; managedFields: ManagedFieldsEntry[] } | { conflicts: ApplyConflict[] };

// ---- JSON helpers

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]))
  );
}

const fieldNav = (nav: SchemaNav, name: string): SchemaNav => nav.field(name) ?? ANY_NAV;
const itemNav = (nav: SchemaNav): SchemaNav => nav.items() ?? ANY_NAV;
const isGranular = (v: unknown, nav: SchemaNav): v is JsonObject =>
  isObject(v) && nav.mapType !== 'atomic';

// ---- Path elements

function sortedKeyObject(key: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const name of Object.keys(key).sort()) out[name] = key[name];
  return out;
}

const fieldPE = (name: string): string => `f:${name}`;
const keyPE = (key: JsonObject): string => `k:${JSON.stringify(sortedKeyObject(key))}`;
const valuePE = (value: unknown): string => `v:${JSON.stringify(value)}`;

function canonicalPE(raw: string): string | undefined {
  const kind = raw.slice(0, 2);
  const body = raw.slice(2);
  if (kind === 'f:') return raw;
  if (kind === 'i:') {
    if (!/^\d+$/.test(body)) throw new PatchError(`managedFields: bad list index in "${raw}"`);
    return raw;
  }
  if (kind !== 'k:' && kind !== 'v:') return undefined; // upstream drops elements it does not understand
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new PatchError(`managedFields: "${raw}" does not hold valid JSON after "${kind}"`);
  }
  if (kind === 'v:') return valuePE(parsed);
  if (!isObject(parsed))
    throw new PatchError(`managedFields: "${raw}" must hold a JSON object of key fields`);
  return keyPE(parsed);
}

const RANK: Record<string, number> = { 'f:': 0, 'k:': 1, 'v:': 2, 'i:': 3 };
const VALUE_RANK = (v: unknown): number =>
  typeof v === 'number'
    ? 0
    : typeof v === 'string'
      ? 1
      : typeof v === 'boolean'
        ? 2
        : Array.isArray(v)
          ? 3
          : v === null
            ? 5
            : 4;

function compareValues(a: unknown, b: unknown): number {
  const ra = VALUE_RANK(a);
  const rb = VALUE_RANK(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

// The order structured-merge-diff sorts path elements in: fields, then keys, then values, then indexes.
function comparePE(a: string, b: string): number {
  const ra = RANK[a.slice(0, 2)] ?? 4;
  const rb = RANK[b.slice(0, 2)] ?? 4;
  if (ra !== rb) return ra - rb;
  const x = a.slice(2);
  const y = b.slice(2);
  if (ra === 0) return x < y ? -1 : x > y ? 1 : 0;
  if (ra === 3) return Number(x) - Number(y);
  if (ra === 2) return compareValues(JSON.parse(x), JSON.parse(y));
  const kx = Object.entries(JSON.parse(x) as JsonObject);
  const ky = Object.entries(JSON.parse(y) as JsonObject);
  for (let i = 0; i < Math.min(kx.length, ky.length); i++) {
    if (kx[i][0] !== ky[i][0]) return kx[i][0] < ky[i][0] ? -1 : 1;
    const c = compareValues(kx[i][1], ky[i][1]);
    if (c !== 0) return c;
  }
  return kx.length - ky.length;
}

function printValue(v: unknown): string {
  return typeof v === 'string' || isObject(v) || Array.isArray(v) ? JSON.stringify(v) : String(v);
}

/** Renders a path the way structured-merge-diff prints it: `.spec.containers[name="app"].image`. */
export function formatPath(path: readonly string[]): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      if (pe.startsWith('f:')) return `.${body}`;
      if (pe.startsWith('i:')) return `[${body}]`;
      if (pe.startsWith('v:')) return `[=${printValue(JSON.parse(body))}]`;
      const key = JSON.parse(body) as JsonObject;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${printValue(v)}`)
        .join(',')}]`;
    })
    .join('');
}

// ---- Field sets

class MutableSet implements FieldSet {
  readonly members = new Set<string>();
  readonly children = new Map<string, FieldSet>();

  // Only sets built by insert() are mutated, and every node they hold was created here.
  child(pe: string): MutableSet {
    let c = this.children.get(pe) as MutableSet | undefined;
    if (!c) this.children.set(pe, (c = new MutableSet()));
    return c;
  }

  insert(path: readonly string[]): void {
    if (path.length === 0) return;
    let node: MutableSet = this;
    for (const pe of path.slice(0, -1)) node = node.child(pe);
    node.members.add(path[path.length - 1]);
  }
}

export const EMPTY_FIELD_SET: FieldSet = new MutableSet();

export function isEmpty(set: FieldSet): boolean {
  return set.members.size === 0 && [...set.children.values()].every(isEmpty);
}

export function union(a: FieldSet, b: FieldSet): FieldSet {
  const out = new MutableSet();
  for (const m of [...a.members, ...b.members]) out.members.add(m);
  for (const pe of new Set([...a.children.keys(), ...b.children.keys()])) {
    const c = union(a.children.get(pe) ?? EMPTY_FIELD_SET, b.children.get(pe) ?? EMPTY_FIELD_SET);
    if (!isEmpty(c)) out.children.set(pe, c);
  }
  return out;
}

export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  const out = new MutableSet();
  for (const m of a.members) if (b.members.has(m)) out.members.add(m);
  for (const [pe, ca] of a.children) {
    const cb = b.children.get(pe);
    if (!cb) continue;
    const c = intersection(ca, cb);
    if (!isEmpty(c)) out.children.set(pe, c);
  }
  return out;
}

/** Paths in `a` but not in `b`. Like upstream, a member of `b` does not remove the paths below it from `a`. */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  const out = new MutableSet();
  for (const m of a.members) if (!b.members.has(m)) out.members.add(m);
  for (const [pe, ca] of a.children) {
    const cb = b.children.get(pe);
    const c = cb ? difference(ca, cb) : union(EMPTY_FIELD_SET, ca);
    if (!isEmpty(c)) out.children.set(pe, c);
  }
  return out;
}

/** Every member path, in structured-merge-diff order. */
export function fieldPaths(set: FieldSet, prefix: readonly string[] = []): string[][] {
  const out: string[][] = [];
  const pes = [...new Set([...set.members, ...set.children.keys()])].sort(comparePE);
  for (const pe of pes) {
    if (set.members.has(pe)) out.push([...prefix, pe]);
    const c = set.children.get(pe);
    if (c) out.push(...fieldPaths(c, [...prefix, pe]));
  }
  return out;
}

export function toFieldsV1(set: FieldSet): FieldsV1 {
  const out: FieldsV1 = {};
  const pes = [...new Set([...set.members, ...set.children.keys()])].sort(comparePE);
  for (const pe of pes) {
    const c = set.children.get(pe);
    const body = c && !isEmpty(c) ? toFieldsV1(c) : {};
    if (c && !isEmpty(c) && set.members.has(pe)) body['.'] = {};
    if (set.members.has(pe) || Object.keys(body).length > 0) out[pe] = body;
  }
  return out;
}

export function fromFieldsV1(json: unknown): FieldSet {
  if (!isObject(json)) throw new PatchError('managedFields: fieldsV1 must be a JSON object');
  return readFieldsV1(json).children ?? new MutableSet();
}

// A node with no understood children is a member of its parent, as in upstream's readIterV1.
function readFieldsV1(json: JsonObject): { children?: MutableSet; member: boolean } {
  let children: MutableSet | undefined;
  let member = false;
  for (const [raw, value] of Object.entries(json)) {
    if (raw === '.') {
      member = true;
      continue;
    }
    const pe = canonicalPE(raw);
    if (pe === undefined) continue;
    if (!isObject(value))
      throw new PatchError(`managedFields: the value of "${raw}" must be a JSON object`);
    const sub = readFieldsV1(value);
    children ??= new MutableSet();
    if (sub.member) children.members.add(pe);
    if (sub.children && !isEmpty(sub.children))
      children.children.set(pe, union(children.children.get(pe) ?? EMPTY_FIELD_SET, sub.children));
  }
  return { children, member: member || children === undefined };
}

// ---- List semantics

type ListKind = { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[] };

function declaredListKind(nav: SchemaNav): ListKind {
  const mergeKeys = nav.patchMergeKey ? [nav.patchMergeKey] : [];
  if (nav.listType === 'atomic') return { type: 'atomic' };
  if (nav.listType === 'set') return { type: 'set' };
  if (nav.listType === 'map') {
    const keys = nav.listMapKeys?.length ? nav.listMapKeys : mergeKeys;
    return keys.length ? { type: 'map', keys } : { type: 'atomic' };
  }
  const merges = (nav.patchStrategy ?? '')
    .split(',')
    .map((s) => s.trim())
    .includes('merge');
  if (!merges) return { type: 'atomic' };
  return mergeKeys.length ? { type: 'map', keys: mergeKeys } : { type: 'set' };
}

function itemKey(item: unknown, keys: string[]): JsonObject | undefined {
  if (!isObject(item)) return undefined;
  const key: JsonObject = {};
  for (const k of keys) {
    if (item[k] !== undefined && item[k] !== null) key[k] = item[k];
    // k8s (#98576): `protocol` is the one defaulted list-map key in the built-in types (ports keyed by
    // port and protocol); an item that omits it is keyed as TCP, as the schema's default says.
    else if (k === 'protocol' && keys.length > 1) key[k] = 'TCP';
  }
  return Object.keys(key).length ? key : undefined;
}

// Stored objects whose items cannot be keyed are treated as atomic rather than refused; applied configs are checked first.
function listKind(nav: SchemaNav, ...lists: unknown[][]): ListKind {
  const kind = declaredListKind(nav);
  const items = lists.flat();
  if (kind.type === 'set' && items.some((i) => typeof i === 'object' && i !== null))
    return { type: 'atomic' };
  if (kind.type === 'map' && items.some((i) => itemKey(i, kind.keys) === undefined))
    return { type: 'atomic' };
  return kind;
}

function itemPE(item: unknown, kind: ListKind): string {
  return kind.type === 'map' ? keyPE(itemKey(item, kind.keys)!) : valuePE(item);
}

function checkListItems(list: unknown[], nav: SchemaNav, path: string[]): void {
  const kind = listKind(nav);
  if (
    kind.type === 'atomic' ||
    (kind.type === 'set' && list.some((x) => typeof x === 'object' && x !== null))
  )
    return;
  const seen = new Set<string>();
  list.forEach((item, i) => {
    if (kind.type === 'map' && itemKey(item, kind.keys) === undefined) {
      throw new PatchError(
        `${formatPath(path)}: element ${i} has none of the key fields (${kind.keys.join(', ')}) of this associative list`,
      );
    }
    const pe = itemPE(item, kind);
    if (seen.has(pe))
      throw new PatchError(`${formatPath(path)}: duplicate entries for key ${formatPath([pe])}`);
    seen.add(pe);
  });
}

// ---- Walks over objects

/** The fields an object sets: leaves, atomic lists and maps, and associative list items (k: / v:). */
export function fieldSetFromObject(obj: unknown, nav: SchemaNav): FieldSet {
  const out = new MutableSet();
  collect(obj, nav, [], out);
  return out;
}

function collect(value: unknown, nav: SchemaNav, path: string[], out: MutableSet): void {
  if (isGranular(value, nav)) {
    for (const [k, v] of Object.entries(value))
      collect(v, fieldNav(nav, k), [...path, fieldPE(k)], out);
    return;
  }
  if (Array.isArray(value)) {
    checkListItems(value, nav, path);
    const kind = listKind(nav, value);
    if (kind.type === 'atomic') {
      out.insert(path);
      return;
    }
    for (const item of value) {
      const itemPath = [...path, itemPE(item, kind)];
      out.insert(itemPath);
      if (kind.type === 'map') collect(item, itemNav(nav), itemPath, out);
    }
    return;
  }
  out.insert(path);
}

interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

const isEmptyContainer = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);

// k8s: structured-merge-diff typed.Compare. Added/removed containers count as paths of their own (the "." entries).
function compare(lhs: unknown, rhs: unknown, nav: SchemaNav): Comparison {
  const c = { added: new MutableSet(), modified: new MutableSet(), removed: new MutableSet() };
  compareAt(lhs, rhs, nav, [], c);
  return c;
}

type Collector = { added: MutableSet; modified: MutableSet; removed: MutableSet };

function compareAt(lhs: unknown, rhs: unknown, nav: SchemaNav, path: string[], c: Collector): void {
  if (lhs === undefined && rhs === undefined) return;
  const node = () => {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
  };
  const leaf = () => {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
    else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
  };
  const bothEmpty = isEmptyContainer(lhs) && isEmptyContainer(rhs);

  const mapLike = (v: unknown) => v === undefined || v === null || isGranular(v, nav);
  if (mapLike(lhs) && mapLike(rhs) && (isObject(lhs) || isObject(rhs))) {
    if (bothEmpty) return leaf();
    node();
    const l = (lhs ?? {}) as JsonObject;
    const r = (rhs ?? {}) as JsonObject;
    for (const k of new Set([...Object.keys(l), ...Object.keys(r)])) {
      compareAt(l[k], r[k], fieldNav(nav, k), [...path, fieldPE(k)], c);
    }
    return;
  }
  const listLike = (v: unknown) => v === undefined || v === null || Array.isArray(v);
  if (listLike(lhs) && listLike(rhs) && (Array.isArray(lhs) || Array.isArray(rhs))) {
    const l = (lhs ?? []) as unknown[];
    const r = (rhs ?? []) as unknown[];
    const kind = listKind(nav, l, r);
    if (kind.type === 'atomic' || bothEmpty) return leaf();
    node();
    const li = indexItems(l, kind);
    const ri = indexItems(r, kind);
    for (const pe of new Set([...li.keys(), ...ri.keys()])) {
      compareAt(li.get(pe), ri.get(pe), itemNav(nav), [...path, pe], c);
    }
    return;
  }
  leaf();
}

// Repeated keys in a stored list keep their first occurrence, as upstream's indexing does.
function indexItems(list: unknown[], kind: ListKind): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const item of list) {
    const pe = itemPE(item, kind);
    if (!out.has(pe)) out.set(pe, item);
  }
  return out;
}

// k8s: structured-merge-diff typed.Merge. The applied config wins on leaves and atomic values.
function mergeApplied(lhs: unknown, rhs: unknown, nav: SchemaNav): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined || lhs === null) return rhs;
  if (isGranular(lhs, nav) && isGranular(rhs, nav)) {
    const out: JsonObject = { ...lhs };
    for (const [k, v] of Object.entries(rhs)) out[k] = mergeApplied(lhs[k], v, fieldNav(nav, k));
    return out;
  }
  if (Array.isArray(lhs) && Array.isArray(rhs)) {
    const kind = listKind(nav, lhs, rhs);
    return kind.type === 'atomic' ? rhs : mergeLists(lhs, rhs, kind, itemNav(nav));
  }
  return rhs;
}

// Live-only items keep their place; applied items come in applied order (k8s: mergingWalker.visitListItems).
function mergeLists(lhs: unknown[], rhs: unknown[], kind: ListKind, nav: SchemaNav): unknown[] {
  const l = indexItems(lhs, kind);
  const r = indexItems(rhs, kind);
  const lOrder = [...l.keys()];
  const rOrder = [...r.keys()];
  const shared = rOrder.filter((pe) => l.has(pe));
  let nextShared = 0;
  const emitted = new Set<string>();
  const out: unknown[] = [];
  const take = (pe: string) => {
    emitted.add(pe);
    out.push(kind.type === 'map' ? mergeApplied(l.get(pe), r.get(pe), nav) : r.get(pe));
    if (shared[nextShared] === pe) nextShared++;
  };
  let i = 0;
  let j = 0;
  while (i < lOrder.length || j < rOrder.length) {
    if (i < lOrder.length && j < rOrder.length) {
      if (lOrder[i] === rOrder[j]) {
        take(rOrder[j]);
        i++;
        j++;
        continue;
      }
      if (r.has(lOrder[i]) && nextShared < shared.length && shared[nextShared] !== lOrder[i]) {
        i++;
        continue;
      }
    }
    if (i < lOrder.length) {
      if (!r.has(lOrder[i])) {
        out.push(l.get(lOrder[i]));
        i++;
        continue;
      }
      if (emitted.has(lOrder[i])) {
        i++;
        continue;
      }
    }
    if (j < rOrder.length) {
      if (!emitted.has(rOrder[j])) take(rOrder[j]);
      j++;
    } else {
      i++;
    }
  }
  return out;
}

function removeItems(value: unknown, remove: FieldSet, nav: SchemaNav): unknown {
  if (isGranular(value, nav)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const pe = fieldPE(k);
      if (remove.members.has(pe)) continue;
      const sub = remove.children.get(pe);
      out[k] = sub ? removeItems(v, sub, fieldNav(nav, k)) : v;
    }
    return out;
  }
  if (Array.isArray(value)) {
    const kind = listKind(nav, value);
    if (kind.type === 'atomic') return value;
    const out: unknown[] = [];
    for (const item of value) {
      const pe = itemPE(item, kind);
      if (remove.members.has(pe)) continue;
      const sub = remove.children.get(pe);
      out.push(sub ? removeItems(item, sub, itemNav(nav)) : item);
    }
    return out;
  }
  return value;
}

function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = stripNulls(v);
  return out;
}

// ---- Managers

// Fields the apiserver never records an owner for (k8s: fieldmanager stripmeta.go).
const IGNORED = (() => {
  const s = new MutableSet();
  for (const f of ['apiVersion', 'kind', 'metadata']) s.insert([fieldPE(f)]);
  for (const f of [
    'name',
    'namespace',
    'creationTimestamp',
    'selfLink',
    'uid',
    'clusterName',
    'generation',
    'managedFields',
    'resourceVersion',
  ]) {
    s.insert([fieldPE('metadata'), fieldPE(f)]);
  }
  return s;
})();

interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

// Appliers are one manager whatever version they apply; updaters are one per version (k8s: BuildManagerIdentifier).
function managerId(
  m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>,
): string {
  return JSON.stringify([
    m.manager,
    m.operation,
    m.operation === 'Update' ? m.apiVersion : '',
    m.subresource ?? '',
  ]);
}

function decodeManagers(entries: unknown): Map<string, Manager> {
  const out = new Map<string, Manager>();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new PatchError('metadata.managedFields must be a list');
  entries.forEach((e, i) => {
    const at = `metadata.managedFields[${i}]`;
    if (!isObject(e)) throw new PatchError(`${at} must be an object`);
    if (e.operation !== 'Apply' && e.operation !== 'Update')
      throw new PatchError(`${at}.operation must be "Apply" or "Update"`);
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1')
      throw new PatchError(`${at}.fieldsType must be "FieldsV1"`);
    const m: Manager = {
      manager: typeof e.manager === 'string' ? e.manager : '',
      operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      time: typeof e.time === 'string' ? e.time : undefined,
      subresource: typeof e.subresource === 'string' && e.subresource ? e.subresource : undefined,
      set: e.fieldsV1 === undefined ? EMPTY_FIELD_SET : fromFieldsV1(e.fieldsV1),
    };
    const id = managerId(m);
    const prev = out.get(id);
    out.set(id, prev ? { ...m, set: union(prev.set, m.set) } : m);
  });
  return out;
}

const seconds = (time?: string): number => (time ? Math.floor(Date.parse(time) / 1000) || 0 : 0);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// k8s: managedfields/internal/managedfields.go sortEncodedManagedFields.
function encodeManagers(managers: Map<string, Manager>): ManagedFieldsEntry[] {
  return [...managers.values()]
    .filter((m) => !isEmpty(m.set))
    .sort(
      (p, q) =>
        cmp(p.operation, q.operation) ||
        seconds(p.time) - seconds(q.time) ||
        cmp(p.manager, q.manager) ||
        cmp(p.apiVersion, q.apiVersion) ||
        cmp(p.subresource ?? '', q.subresource ?? ''),
    )
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time ? { time: m.time } : {}),
      fieldsType: 'FieldsV1' as const,
      fieldsV1: toFieldsV1(m.set),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
}

function formatTime(now: Date | string | undefined): string {
  if (typeof now === 'string') return now;
  return (now ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
}

function withoutManagedFields(obj: unknown): JsonObject {
  const out = isObject(obj) ? clone(obj) : {};
  if (isObject(out.metadata)) delete out.metadata.managedFields;
  return out;
}

function withManagedFields(obj: JsonObject, entries: ManagedFieldsEntry[]): JsonObject {
  const metadata = isObject(obj.metadata) ? { ...obj.metadata } : {};
  if (entries.length > 0) metadata.managedFields = entries;
  else delete metadata.managedFields;
  return { ...obj, metadata };
}

function stripIgnored(c: Comparison): Comparison {
  return {
    added: difference(c.added, IGNORED),
    modified: difference(c.modified, IGNORED),
    removed: difference(c.removed, IGNORED),
  };
}

/**
 * Server-side apply: merges `applied` into `live`, records `manager` as the owner of what it applied, and removes
 * what it applied before but no longer does unless someone else owns it. Returns conflicts instead when another
 * manager owns a field the apply would change and `force` is false.
 */
export function applyServerSide(opts: ApplyOptions): ApplyResult {
  const { nav, manager, force } = opts;
  if (!isObject(opts.applied)) throw new PatchError('an apply configuration must be a JSON object');
  const appliedMeta = opts.applied.metadata;
  if (
    isObject(appliedMeta) &&
    appliedMeta.managedFields !== undefined &&
    appliedMeta.managedFields !== null
  ) {
    throw new PatchError('metadata.managedFields must be nil in an apply configuration');
  }
  // A null in an apply configuration is taken as "not specified".
  const applied = withoutManagedFields(stripNulls(opts.applied));
  const apiVersion =
    opts.apiVersion ?? (typeof applied.apiVersion === 'string' ? applied.apiVersion : '');
  const now = formatTime(opts.now);
  const creating = opts.live === undefined || opts.live === null;
  const live = withoutManagedFields(opts.live);
  const liveEntries =
    isObject(opts.live) && isObject(opts.live.metadata)
      ? opts.live.metadata.managedFields
      : undefined;
  const managers = decodeManagers(opts.managedFields ?? liveEntries);

  // Objects written before anyone tracked ownership belong to a stand-in manager, so an apply cannot silently override them.
  if (!creating && managers.size === 0) {
    const before = {
      manager: 'before-first-apply',
      operation: 'Update' as const,
      apiVersion,
      subresource: opts.subresource,
    };
    const c = stripIgnored(compare({}, live, nav));
    const set = union(c.added, c.modified);
    if (!isEmpty(set)) managers.set(managerId(before), { ...before, time: now, set });
  }

  const appliedSet = difference(fieldSetFromObject(applied, nav), IGNORED);
  const self = { manager, operation: 'Apply' as const, apiVersion, subresource: opts.subresource };
  const selfId = managerId(self);
  const previous = managers.get(selfId);
  managers.set(selfId, { ...self, time: previous?.time, set: appliedSet });

  let merged = mergeApplied(live, applied, nav) as JsonObject;
  if (previous && !isEmpty(previous.set)) {
    let owned: FieldSet = EMPTY_FIELD_SET;
    for (const m of managers.values()) owned = union(owned, m.set);
    merged = removeItems(merged, difference(previous.set, owned), nav) as JsonObject;
  }

  const changes = stripIgnored(compare(live, merged, nav));
  const changed = union(changes.modified, changes.added);
  const conflicts: ApplyConflict[] = [];
  const taken = new Map<string, FieldSet>();
  for (const [id, m] of managers) {
    if (id === selfId) continue;
    const clash = intersection(m.set, changed);
    if (isEmpty(clash)) continue;
    taken.set(id, clash);
    for (const p of fieldPaths(clash)) {
      conflicts.push({
        manager: m.manager,
        field: formatPath(p),
        operation: m.operation,
        apiVersion: m.apiVersion,
        ...(m.subresource ? { subresource: m.subresource } : {}),
      });
    }
  }
  if (conflicts.length > 0 && !force) return { conflicts };

  for (const [id, m] of managers) {
    if (id === selfId) continue;
    const set = difference(difference(m.set, taken.get(id) ?? EMPTY_FIELD_SET), changes.removed);
    if (isEmpty(set)) managers.delete(id);
    else managers.set(id, { ...m, set });
  }
  const objectChanged = !deepEqual(live, merged);
  const setChanged = !previous || !deepEqual(toFieldsV1(previous.set), toFieldsV1(appliedSet));
  managers.set(selfId, {
    ...self,
    time: objectChanged || setChanged || !previous?.time ? now : previous.time,
    set: appliedSet,
  });

  const entries = encodeManagers(managers);
  return { object: withManagedFields(merged, entries), managedFields: entries };
}

// A writer that sends managedFields replaces them; `[{}]` resets them; sending none keeps the stored ones.
function entriesForUpdate(opts: UpdateOptions): unknown {
  if (opts.managedFields) return opts.managedFields;
  const sent =
    isObject(opts.updated) && isObject(opts.updated.metadata)
      ? opts.updated.metadata.managedFields
      : undefined;
  if (
    Array.isArray(sent) &&
    sent.length === 1 &&
    isObject(sent[0]) &&
    Object.keys(sent[0]).length === 0
  )
    return [];
  if (Array.isArray(sent) && sent.length > 0) return sent;
  return isObject(opts.live) && isObject(opts.live.metadata)
    ? opts.live.metadata.managedFields
    : undefined;
}

/**
 * Ownership after a write that is not an apply (create, update, patch): the writer takes every field it added or
 * changed from whoever owned it, and removed fields lose their owners. Managers left owning nothing are dropped.
 */
export function updateManagedFields(opts: UpdateOptions): {
  object: JsonObject;
  managedFields: ManagedFieldsEntry[];
} {
  const { nav } = opts;
  const live = withoutManagedFields(opts.live);
  const updated = withoutManagedFields(opts.updated);
  const apiVersion =
    opts.apiVersion ?? (typeof updated.apiVersion === 'string' ? updated.apiVersion : '');
  const managers = decodeManagers(entriesForUpdate(opts));

  const changes = stripIgnored(compare(live, updated, nav));
  const taken = difference(union(changes.modified, changes.added), changes.removed);
  for (const [id, m] of managers) {
    const set = difference(difference(m.set, taken), changes.removed);
    if (isEmpty(set)) managers.delete(id);
    else managers.set(id, { ...m, set });
  }
  // Like upstream, the writer's entry (and its time) only changes when the write changed something.
  if (!isEmpty(taken)) {
    const self = {
      manager: opts.manager,
      operation: 'Update' as const,
      apiVersion,
      subresource: opts.subresource,
    };
    const id = managerId(self);
    managers.set(id, {
      ...self,
      time: formatTime(opts.now),
      set: union(managers.get(id)?.set ?? EMPTY_FIELD_SET, taken),
    });
  }
  const entries = encodeManagers(managers);
  return { object: withManagedFields(updated, entries), managedFields: entries };
}

function printManager(c: ApplyConflict): string {
  let out = JSON.stringify(c.manager);
  if (c.subresource) out += ` with subresource ${JSON.stringify(c.subresource)}`;
  if (c.operation === 'Update') out += ` using ${c.apiVersion}`;
  return out;
}

/** The `message` of the 409 Status an apply conflict returns (k8s: managedfields/internal/conflict.go). */
export function formatConflictMessage(conflicts: readonly ApplyConflict[]): string {
  if (conflicts.length === 1) {
    return `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0])}: ${conflicts[0].field}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const who = printManager(c);
    byManager.set(who, [...(byManager.get(who) ?? []), c.field]);
  }
  const lines: string[] = [];
  for (const who of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${who}:`, ...byManager.get(who)!.map((f) => `- ${f}`));
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** The `details.causes` of that Status: one FieldManagerConflict per field. */
export function conflictCauses(
  conflicts: readonly ApplyConflict[],
): Array<{ type: 'FieldManagerConflict'; message: string; field: string }> {
  return conflicts.map((c) => ({
    type: 'FieldManagerConflict',
    message: `conflict with ${printManager(c)}`,
    field: c.field,
  }));
}
