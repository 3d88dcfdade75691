// RFC 6902 JSON Patch (application/json-patch+json) over plain JSON values, with RFC 6901 pointers.
// Pure: the input document is never mutated; a patched copy is returned.

export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

export class PatchError extends Error {
  override name = 'PatchError';
}

// Names the location in messages; the root pointer "" would otherwise vanish from them.
const at = (path: string) => `path ${JSON.stringify(path)}`;

type Container = Record<string, unknown> | unknown[];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets an own member even for "__proto__", which plain assignment would treat as the prototype. */
export function setMember(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

export function deepClone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepClone) as T;
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setMember(out, k, deepClone(x));
    return out as T;
  }
  return v;
}

/** JSON equality: object member order does not matter, array order does. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => jsonEqual(x, b[i]))
    );
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
    );
  }
  return false;
}

/** RFC 6901: "" is the whole document; "/a~1b/~0c" is ["a/b", "~c"]. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new PatchError(
      `invalid JSON pointer ${JSON.stringify(pointer)}: must be empty or start with "/"`,
    );
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token))
        throw new PatchError(
          `invalid JSON pointer ${JSON.stringify(pointer)}: "~" must be followed by 0 or 1`,
        );
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

// An array index: "0" or digits without a leading zero; "-" (one past the end) only where allowed.
function arrayIndex(arr: unknown[], token: string, path: string, forInsert: boolean): number {
  if (token === '-' && forInsert) return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token))
    throw new PatchError(`${at(path)}: ${JSON.stringify(token)} is not a valid array index`);
  const i = Number(token);
  const limit = forInsert ? arr.length : arr.length - 1;
  if (i > limit)
    throw new PatchError(
      `${at(path)}: index ${i} is out of bounds for an array of length ${arr.length}`,
    );
  return i;
}

function child(container: Container, token: string, path: string): unknown {
  if (Array.isArray(container)) return container[arrayIndex(container, token, path, false)];
  if (!Object.hasOwn(container, token)) throw new PatchError(`${at(path)} does not exist`);
  return container[token];
}

// Walks to the parent of the pointer's target; the parent must exist and be an object or array.
function parentOf(doc: unknown, tokens: string[], path: string): Container {
  let cur: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (!Array.isArray(cur) && !isObject(cur)) throw new PatchError(`${at(path)} does not exist`);
    cur = child(cur, token, path);
  }
  if (!Array.isArray(cur) && !isObject(cur))
    throw new PatchError(`${at(path)}: its parent is not an object or array`);
  return cur;
}

function get(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const token of parsePointer(path)) {
    if (!Array.isArray(cur) && !isObject(cur)) throw new PatchError(`${at(path)} does not exist`);
    cur = child(cur, token, path);
  }
  return cur;
}

// Each mutator returns the new root, since a pointer of "" replaces the whole document.
function add(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, path, true), 0, value);
  else setMember(parent, last, value);
  return doc;
}

function remove(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new PatchError('cannot remove the whole document');
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, path, false), 1);
  else {
    if (!Object.hasOwn(parent, last))
      throw new PatchError(`${at(path)}: cannot remove a member that does not exist`);
    delete parent[last];
  }
  return doc;
}

function replace(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent[arrayIndex(parent, last, path, false)] = value;
  else {
    if (!Object.hasOwn(parent, last))
      throw new PatchError(`${at(path)}: cannot replace a member that does not exist`);
    setMember(parent, last, value);
  }
  return doc;
}

function requireField(op: Record<string, unknown>, name: 'value' | 'from' | 'path'): void {
  if (!Object.hasOwn(op, name)) throw new PatchError(`missing "${name}"`);
  if (name !== 'value' && typeof op[name] !== 'string')
    throw new PatchError(`"${name}" must be a string`);
}

/**
 * Applies ops in order; any failing op fails the whole patch with a PatchError naming it.
 * `ops` may be a raw request body: its shape is checked here (JsonPatchOperation[] when typed).
 */
export function applyJsonPatch<T = unknown>(doc: T, ops: unknown): T {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let out: unknown = deepClone(doc);
  ops.forEach((raw: unknown, i) => {
    if (!isObject(raw)) throw new PatchError(`operation ${i}: not an object`);
    try {
      out = applyOne(out, raw);
    } catch (e) {
      if (e instanceof PatchError)
        throw new PatchError(`operation ${i} (${String(raw.op)}): ${e.message}`);
      throw e;
    }
  });
  return out as T;
}

function applyOne(doc: unknown, op: Record<string, unknown>): unknown {
  requireField(op, 'path');
  const path = op.path as string;
  switch (op.op) {
    case 'add':
      requireField(op, 'value');
      return add(doc, path, deepClone(op.value));
    case 'remove':
      return remove(doc, path);
    case 'replace':
      requireField(op, 'value');
      return replace(doc, path, deepClone(op.value));
    case 'move': {
      requireField(op, 'from');
      const from = op.from as string;
      if (path.startsWith(`${from}/`))
        throw new PatchError(`cannot move ${JSON.stringify(from)} into its own child`);
      const value = get(doc, from);
      return add(remove(doc, from), path, value);
    }
    case 'copy':
      requireField(op, 'from');
      return add(doc, path, deepClone(get(doc, op.from as string)));
    case 'test':
      requireField(op, 'value');
      if (!jsonEqual(get(doc, path), op.value))
        throw new PatchError(`test failed: ${at(path)} is not ${JSON.stringify(op.value)}`);
      return doc;
    default:
      throw new PatchError(
        `unsupported op ${JSON.stringify(op.op)} (want add, remove, replace, move, copy or test)`,
      );
  }
}
