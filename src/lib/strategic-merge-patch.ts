// Strategic merge patch (application/strategic-merge-patch+json): applying one, and diffing two objects into one.
// k8s: staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go

import { ANY_NAV, type SchemaNav } from './schema-nav';

/** A malformed patch: the message names where it is wrong and what is expected instead. */
export class PatchError extends Error {
  override readonly name = 'PatchError';
}

type JsonObject = Record<string, unknown>;

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shape(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
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

interface Strategy {
  merge: boolean;
  replace: boolean;
  retainKeys: boolean;
  mergeKey?: string;
}

// patchStrategy may combine strategies, e.g. "merge,retainKeys" on volumes.
function strategyOf(nav: SchemaNav): Strategy {
  const parts = (nav.patchStrategy ?? '').split(',').map((s) => s.trim());
  return {
    merge: parts.includes('merge'),
    replace: parts.includes('replace'),
    retainKeys: parts.includes('retainKeys'),
    mergeKey: nav.patchMergeKey || undefined,
  };
}

const fieldNav = (nav: SchemaNav, name: string): SchemaNav => nav.field(name) ?? ANY_NAV;
const itemNav = (nav: SchemaNav): SchemaNav => nav.items() ?? ANY_NAV;
const where = (path: string): string => path || '<root>';
const join = (path: string, name: string): string => (path ? `${path}.${name}` : name);

/** Applies a strategic merge patch to an object. Inputs are left untouched; the result shares nothing with them. */
export function applyStrategicMergePatch(
  original: unknown,
  patch: unknown,
  nav: SchemaNav,
): unknown {
  if (!isObject(patch))
    throw new PatchError(`a strategic merge patch must be a JSON object, got ${shape(patch)}`);
  const base = original === undefined || original === null ? {} : original;
  if (!isObject(base))
    throw new PatchError(`only a JSON object can be patched, got ${shape(base)}`);
  return mergeMap(clone(base), clone(patch), nav, '');
}

// Works destructively on its (already cloned) arguments, like upstream's mergeMap.
function mergeMap(
  original: JsonObject,
  patch: JsonObject,
  nav: SchemaNav,
  path: string,
): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive !== undefined) {
    delete patch[DIRECTIVE];
    if (directive === 'replace') return mergeMap({}, patch, nav, path);
    // Upstream leaves an empty map behind rather than removing the key.
    if (directive === 'delete') return {};
    // Upstream rejects "merge"; accepting it as the default behaviour it names is harmless.
    if (directive !== 'merge') {
      throw new PatchError(
        `${where(path)}: unknown $patch directive ${JSON.stringify(directive)}; use "replace", "delete" or "merge"`,
      );
    }
  }
  applyRetainKeys(original, patch, path);
  applySetElementOrder(original, patch, nav, path);

  const deletions: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_PRIMITIVE)) {
      deletions.push([key, value]);
      continue;
    }
    if (value === null) {
      delete original[key];
      continue;
    }
    const nav2 = fieldNav(nav, key);
    const current = original[key];
    if (current === undefined || current === null || shape(current) !== shape(value)) {
      original[key] = fresh(value, nav2, join(path, key));
    } else if (isObject(value)) {
      original[key] = strategyOf(nav2).replace
        ? fresh(value, nav2, join(path, key))
        : mergeMap(current as JsonObject, value, nav2, join(path, key));
    } else if (Array.isArray(value)) {
      original[key] = strategyOf(nav2).merge
        ? mergeList(current as unknown[], value, nav2, join(path, key))
        : value;
    } else {
      original[key] = value;
    }
  }
  // Deletions run after additions so the outcome does not depend on key order in the patch.
  for (const [key, value] of deletions) deleteFromPrimitiveList(original, key, value, path);
  return original;
}

// A patch value that lands where nothing was: its directives are resolved against an empty value so none are stored.
function fresh(value: unknown, nav: SchemaNav, path: string): unknown {
  if (isObject(value)) return mergeMap({}, value, nav, path);
  if (Array.isArray(value) && strategyOf(nav).merge) return mergeList([], value, nav, path);
  return value;
}

function applyRetainKeys(original: JsonObject, patch: JsonObject, path: string): void {
  const retain = patch[RETAIN_KEYS];
  if (retain === undefined) return;
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain) || retain.some((k) => typeof k !== 'string')) {
    throw new PatchError(`${where(path)}: $retainKeys must be a list of field names`);
  }
  const keep = new Set(retain as string[]);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(DELETE_PRIMITIVE) || key.startsWith(SET_ORDER)) continue;
    if (!keep.has(key)) {
      throw new PatchError(
        `${where(path)}: field "${key}" is set by the patch but missing from $retainKeys; add it to $retainKeys`,
      );
    }
  }
  for (const key of Object.keys(original)) if (!keep.has(key)) delete original[key];
}

function deleteFromPrimitiveList(
  original: JsonObject,
  key: string,
  value: unknown,
  path: string,
): void {
  const name = key.slice(DELETE_PRIMITIVE.length);
  if (!name || !Array.isArray(value)) {
    throw new PatchError(
      `${where(path)}: ${key} must name a list and hold a list of values to delete`,
    );
  }
  const current = original[name];
  if (!Array.isArray(current)) return;
  original[name] = current.filter((item) => !value.some((d) => deepEqual(d, item)));
}

function listElementsAreObjects(lists: unknown[][], path: string): boolean {
  let objects: boolean | undefined;
  for (const list of lists) {
    for (const item of list) {
      if (Array.isArray(item))
        throw new PatchError(`${where(path)}: lists of lists cannot be merged`);
      const isObj = isObject(item);
      if (objects !== undefined && objects !== isObj) {
        throw new PatchError(`${where(path)}: list elements must be all objects or all scalars`);
      }
      objects = isObj;
    }
  }
  return objects ?? false;
}

function sameEntry(a: unknown, b: unknown, mergeKey: string | undefined): boolean {
  if (!mergeKey) return deepEqual(a, b);
  return (
    isObject(a) && isObject(b) && a[mergeKey] !== undefined && deepEqual(a[mergeKey], b[mergeKey])
  );
}

function requireMergeKey(item: unknown, mergeKey: string, path: string): JsonObject {
  if (!isObject(item))
    throw new PatchError(`${where(path)}: list element ${JSON.stringify(item)} must be an object`);
  if (item[mergeKey] === undefined || item[mergeKey] === null) {
    throw new PatchError(
      `${where(path)}: list element ${JSON.stringify(item)} does not contain the merge key "${mergeKey}"`,
    );
  }
  return item;
}

function mergeList(original: unknown[], patch: unknown[], nav: SchemaNav, path: string): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const { mergeKey } = strategyOf(nav);
  if (!listElementsAreObjects([original, patch], path)) {
    const merged: unknown[] = [];
    for (const item of [...original, ...patch])
      if (!merged.some((m) => deepEqual(m, item))) merged.push(item);
    return enforceOrder(merged, patch, original, undefined);
  }
  if (!mergeKey)
    throw new PatchError(`${where(path)}: a list of objects cannot be merged without a merge key`);

  let base = original;
  const plain: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    const obj = isObject(item) ? item : requireMergeKey(item, mergeKey, path);
    const directive = obj[DIRECTIVE];
    if (directive === undefined) {
      plain.push(obj);
    } else if (directive === 'delete') {
      requireMergeKey(obj, mergeKey, path);
      base = base.filter((x) => !sameEntry(x, obj, mergeKey));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      delete obj[DIRECTIVE];
      if (Object.keys(obj).length > 0) plain.push(obj);
    } else {
      throw new PatchError(
        `${where(path)}: unknown $patch directive ${JSON.stringify(directive)} in a list element; use "delete", "replace" or "merge"`,
      );
    }
  }
  const items = itemNav(nav);
  if (replace) return plain.map((item) => mergeMap({}, item, items, path));

  const merged = [...base];
  for (const item of plain) {
    const key = requireMergeKey(item, mergeKey, path)[mergeKey];
    const at = merged.findIndex((x) => sameEntry(x, item, mergeKey));
    const itemPath = `${path}[${mergeKey}=${JSON.stringify(key)}]`;
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonObject, item, items, itemPath);
    else merged.push(mergeMap({}, item, items, itemPath));
  }
  return enforceOrder(merged, plain, base, mergeKey);
}

function indexIn(list: unknown[], item: unknown, mergeKey: string | undefined): number {
  return list.findIndex((x) => sameEntry(x, item, mergeKey));
}

function sortByOrder(items: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const rank = (x: unknown) => {
    const i = indexIn(order, x, mergeKey);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return items
    .map((x, i) => ({ x, i, r: rank(x) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((e) => e.x);
}

// Patch items take the patch's order, server-only items keep theirs, and the two are interleaved using the
// server's order where both are known (k8s: normalizeElementOrder + mergeSortedSlice).
function enforceOrder(
  merged: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string | undefined,
): unknown[] {
  const fromPatch = merged.filter((x) => indexIn(patchOrder, x, mergeKey) >= 0);
  const serverOnly = merged.filter((x) => indexIn(patchOrder, x, mergeKey) < 0);
  const right = sortByOrder(fromPatch, patchOrder, mergeKey);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      out.push(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
    }
  }
  return out;
}

// Every item the patch lists must appear in $setElementOrder, in the same relative order.
function checkOrderMatchesPatch(
  patchList: unknown,
  order: unknown[],
  mergeKey: string | undefined,
  name: string,
  path: string,
): void {
  if (!Array.isArray(patchList) || patchList.length === 0 || order.length === 0) return;
  const listed = patchList.filter((x) => !(isObject(x) && x[DIRECTIVE] !== undefined));
  let p = 0;
  for (let s = 0; p < listed.length && s < order.length; s++) {
    if (mergeKey) {
      requireMergeKey(listed[p], mergeKey, join(path, name));
      requireMergeKey(order[s], mergeKey, join(path, `${SET_ORDER}${name}`));
    }
    if (sameEntry(listed[p], order[s], mergeKey)) p++;
  }
  if (p < listed.length) {
    throw new PatchError(
      `${where(path)}: the items of "${name}" in the patch are not in the order given by ${SET_ORDER}${name}`,
    );
  }
}

function applySetElementOrder(
  original: JsonObject,
  patch: JsonObject,
  nav: SchemaNav,
  path: string,
): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    const name = key.slice(SET_ORDER.length);
    if (!name || !Array.isArray(order))
      throw new PatchError(`${where(path)}: ${key} must name a list and hold a list`);
    const current = original[name];
    const patched = patch[name];
    // A list the same patch deletes needs no ordering.
    if (patched === null) continue;
    if (current !== undefined && current !== null && !Array.isArray(current)) {
      throw new PatchError(`${where(path)}: ${key} orders "${name}", which is not a list`);
    }
    if (patched !== undefined && !Array.isArray(patched)) {
      throw new PatchError(
        `${where(path)}: ${key} orders "${name}", but the patch sets it to a ${shape(patched)}`,
      );
    }
    const nav2 = fieldNav(nav, name);
    const strategy = strategyOf(nav2);
    const childPath = join(path, name);
    const server = Array.isArray(current) ? current : [];
    const objects = listElementsAreObjects([server, patched ?? [], order], childPath);
    const mergeKey = objects ? strategy.mergeKey : undefined;
    if (objects && !mergeKey)
      throw new PatchError(`${where(path)}: ${key} needs a merge key to order a list of objects`);
    checkOrderMatchesPatch(patched, order, mergeKey, name, path);

    let merged: unknown[];
    if (Array.isArray(patched)) {
      merged = Array.isArray(current)
        ? strategy.merge
          ? mergeList(current, patched, nav2, childPath)
          : patched
        : (fresh(patched, nav2, childPath) as unknown[]);
    } else if (Array.isArray(current)) {
      merged = current;
    } else {
      continue;
    }
    original[name] = enforceOrder(merged, order, server, mergeKey);
    delete patch[name];
  }
}

/**
 * The patch that turns `original` into `modified`, as kubectl builds it: merge lists carry $setElementOrder,
 * removed merge-list items become `$patch: delete`, removed scalars of merge lists use $deleteFromPrimitiveList.
 */
export function createTwoWayMergePatch(
  original: unknown,
  modified: unknown,
  nav: SchemaNav,
): JsonObject {
  const a = original ?? {};
  const b = modified ?? {};
  if (!isObject(a) || !isObject(b))
    throw new PatchError('a two-way merge patch needs two JSON objects');
  return diffMaps(a, b, nav, false, '');
}

function diffMaps(
  original: JsonObject,
  modified: JsonObject,
  nav: SchemaNav,
  retainKeys: boolean,
  path: string,
): JsonObject {
  const patch: JsonObject = {};
  const retained: string[] = [];
  for (const [key, mod] of Object.entries(modified)) {
    if (retainKeys && mod !== null) retained.push(key);
    const orig = original[key];
    if (orig === undefined) {
      patch[key] = clone(mod);
    } else if (shape(orig) !== shape(mod)) {
      patch[key] = clone(mod);
    } else if (isObject(mod)) {
      const nav2 = fieldNav(nav, key);
      const strategy = strategyOf(nav2);
      if (strategy.replace) {
        if (!deepEqual(orig, mod)) patch[key] = clone(mod);
      } else {
        const sub = diffMaps(orig as JsonObject, mod, nav2, strategy.retainKeys, join(path, key));
        if (Object.keys(sub).length > 0) patch[key] = sub;
      }
    } else if (Array.isArray(mod)) {
      const nav2 = fieldNav(nav, key);
      if (strategyOf(nav2).merge)
        diffList(key, orig as unknown[], mod, nav2, patch, join(path, key));
      else if (!deepEqual(orig, mod)) patch[key] = clone(mod);
    } else if (orig !== mod) {
      patch[key] = mod;
    }
  }
  let dropsFields = false;
  for (const [key, value] of Object.entries(original)) {
    if (key in modified) continue;
    patch[key] = null;
    if (value !== null) dropsFields = true;
  }
  if (retained.length > 0 && (Object.keys(patch).length > 0 || dropsFields))
    patch[RETAIN_KEYS] = retained.sort();
  return patch;
}

function diffList(
  key: string,
  original: unknown[],
  modified: unknown[],
  nav: SchemaNav,
  patch: JsonObject,
  path: string,
): void {
  if (original.length === 0) {
    if (modified.length > 0) patch[key] = clone(modified);
    return;
  }
  const strategy = strategyOf(nav);
  if (listElementsAreObjects([original, modified], path)) {
    const mergeKey = strategy.mergeKey;
    if (!mergeKey)
      throw new PatchError(
        `${where(path)}: a list of objects cannot be merged without a merge key`,
      );
    const changes: unknown[] = [];
    for (const mod of modified) {
      const value = requireMergeKey(mod, mergeKey, path)[mergeKey];
      const orig = original.find((o) => sameEntry(o, mod, mergeKey));
      if (orig === undefined) {
        changes.push(clone(mod));
        continue;
      }
      const itemPath = `${path}[${mergeKey}=${JSON.stringify(value)}]`;
      const sub = diffMaps(
        orig as JsonObject,
        mod as JsonObject,
        itemNav(nav),
        strategy.retainKeys,
        itemPath,
      );
      if (Object.keys(sub).length > 0) changes.push({ ...sub, [mergeKey]: value });
    }
    for (const orig of original) {
      if (!modified.some((m) => sameEntry(m, orig, mergeKey))) {
        changes.push({
          [mergeKey]: requireMergeKey(orig, mergeKey, path)[mergeKey],
          [DIRECTIVE]: 'delete',
        });
      }
    }
    const sameOrder =
      original.length === modified.length &&
      original.every((o, i) => sameEntry(o, modified[i], mergeKey));
    if (changes.length > 0) patch[key] = changes;
    if (changes.length > 0 || !sameOrder) {
      patch[`${SET_ORDER}${key}`] = modified.map((m) => ({
        [mergeKey]: (m as JsonObject)[mergeKey],
      }));
    }
    return;
  }
  const added = modified.filter(
    (m, i) => !original.some((o) => deepEqual(o, m)) && indexIn(modified, m, undefined) === i,
  );
  const removed = original.filter(
    (o, i) => !modified.some((m) => deepEqual(o, m)) && indexIn(original, o, undefined) === i,
  );
  if (added.length > 0) patch[key] = clone(added);
  if (removed.length > 0) patch[`${DELETE_PRIMITIVE}${key}`] = clone(removed);
  if (removed.length > 0 || !deepEqual(original, modified))
    patch[`${SET_ORDER}${key}`] = clone(modified);
}
