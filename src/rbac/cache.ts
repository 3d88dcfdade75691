// A short per-isolate memory of the RBAC objects the authorizer reads, so a user's requests do not
// each list the bindings again. Any RBAC write through this isolate forgets it at once; writes
// through another isolate are seen within TTL_MS (upstream's authorizer reads an informer cache,
// which lags the same way).
const TTL_MS = 1000;
const MAX_ENTRIES = 10_000;

const entries = new Map<string, { until: number; value: Promise<unknown> }>();

export function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const hit = entries.get(key);
  if (hit && hit.until > now) return hit.value as Promise<T>;
  if (entries.size >= MAX_ENTRIES) entries.clear();
  const value = load();
  entries.set(key, { until: now + TTL_MS, value });
  // A failed read is not remembered.
  value.catch(() => entries.delete(key));
  return value;
}

/** After a write of a Role, ClusterRole or binding: the next decision reads storage again. */
export function forgetRbacReads(): void {
  entries.clear();
}
