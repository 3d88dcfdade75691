// Key layout inside a shard: "<namespace>/<name>" for namespaced kinds, "<name>" for cluster kinds.

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The prefix that lists a namespace ("" lists everything in the shard). */
export function namespacePrefix(namespace: string | undefined): string {
  return namespace ? `${namespace}/` : '';
}

/** The smallest string greater than every string starting with `prefix`. */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '\u{10ffff}';
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
