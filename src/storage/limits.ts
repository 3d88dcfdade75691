// Size limits enforced before anything is stored (Kubernetes' and Durable Object SQLite's).

/** kube-apiserver's default max request body (3 MiB). */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;
/** etcd's default max request, which caps a stored object in Kubernetes (1.5 MiB). */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;
/** Durable Object SQLite: a row may hold at most 2 MB; one statement may bind at most 100 values. */
export const MAX_ROW_BYTES = 2_000_000;
export const MAX_BOUND_PARAMS = 100;
/** Upper bound on the rows one list page or log read returns, to keep RPC payloads bounded. */
export const MAX_PAGE = 1000;
/** Upper bound on bytes one list page or log read returns (the rest comes with the next call). */
export const MAX_PAGE_BYTES = 8 * 1024 * 1024;

export function utf8Length(s: string): number {
  // Fast path: ASCII strings are the norm for JSON objects.
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
