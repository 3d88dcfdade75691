// Keeps this isolate's run-time kinds (CRDs) in step with storage: a request that may concern a
// custom resource, discovery or OpenAPI reloads the CRDs when the copy is older than a second;
// a path no kind answers reloads at once (rate-limited), so a CR is served as soon as its CRD is
// established anywhere; CRD writes reload before (naming checks) and after (serving).
import { RESOURCES, findResource } from '../api/resources';
import type { CustomResourceDefinition } from '../api/crd';
import { installCustomResourceDefinitions } from '../registry/crd/sync';
import type { Store } from '../storage/store';

const CRDS = findResource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
/** How stale discovery, OpenAPI and custom resource routing may be. */
const MAX_AGE_MS = 1000;
/** The least time between reloads forced by unknown paths (a 404 flood must not list per request). */
const MISS_INTERVAL_MS = 100;

let loadedAt = -Infinity;
let inflight: { promise: Promise<void>; writes: number } | undefined;
/** CRD writes this isolate made: a load that began before the last one is already stale. */
let crdWrites = 0;

async function reload(store: Store): Promise<void> {
  // A load begun before this isolate's last CRD write may have missed it: wait, then load again.
  if (inflight && inflight.writes !== crdWrites) await inflight.promise.catch(() => undefined);
  if (!inflight) {
    const writes = crdWrites;
    const promise = (async () => {
      const started = Date.now();
      const items: CustomResourceDefinition[] = [];
      let cont: string | undefined;
      do {
        const res = await store.list(CRDS, { limit: 500, continue: cont });
        if (!res.ok) throw new Error(`listing CustomResourceDefinitions: ${res.message}`);
        items.push(...(res.value.items as CustomResourceDefinition[]));
        cont = res.value.continue;
      } while (cont);
      installCustomResourceDefinitions(items);
      loadedAt = writes === crdWrites ? started : -Infinity;
    })().finally(() => {
      if (inflight?.promise === promise) inflight = undefined;
    });
    inflight = { promise, writes };
  }
  return inflight.promise;
}

async function refresh(store: Store, maxAgeMs: number): Promise<void> {
  if (Date.now() - loadedAt < maxAgeMs) return;
  await reload(store);
}

const BUILTIN_GROUPS = new Set(RESOURCES.map((r) => r.group));

/** What a path needs: nothing (a built-in kind), a fresh-enough copy, or a write of CRDs. */
function classify(pathname: string): 'builtin' | 'custom' | 'crd' | 'discovery' | 'other' {
  const p = pathname.split('/').filter(Boolean);
  if (p[0] === 'openapi') return 'discovery';
  if (p[0] === 'api') return p.length <= 2 ? 'discovery' : 'builtin';
  if (p[0] !== 'apis') return 'other';
  if (p.length <= 3) return 'discovery';
  if (p[1] === CRDS.group) return 'crd';
  if (!BUILTIN_GROUPS.has(p[1])) return 'custom';
  // A built-in group: a CRD may still add a kind to it (not a conflicting one).
  let rest = p.slice(3);
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  return findResource(p[1], p[2], rest[0]) ? 'builtin' : 'custom';
}

/**
 * Runs `next` with the custom kinds fresh enough for this request; returns what next returns.
 * A write of CRDs marks the copy stale afterwards, so the next request sees its kinds.
 */
export async function withCustomResources<T>(
  store: Store,
  method: string,
  pathname: string,
  next: () => Promise<T>,
): Promise<T> {
  const kind = classify(pathname);
  if (kind === 'builtin' || kind === 'other') return next();
  if (kind === 'crd') {
    const write = method !== 'GET' && method !== 'HEAD';
    await refresh(store, write ? 0 : MAX_AGE_MS);
    try {
      return await next();
    } finally {
      if (write) {
        crdWrites++;
        loadedAt = -Infinity;
      }
    }
  }
  await refresh(store, MAX_AGE_MS);
  if (kind === 'custom' && !isServed(pathname)) await refresh(store, MISS_INTERVAL_MS);
  return next();
}

function isServed(pathname: string): boolean {
  const p = pathname.split('/').filter(Boolean);
  let rest = p.slice(3);
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  return !!findResource(p[1], p[2], rest[0] ?? '');
}
