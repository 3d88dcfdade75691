// CRD cleanup, keyed by CRD: once a CustomResourceDefinition is being deleted, deletes every
// custom resource it defines, then removes the customresourcecleanup finalizer so the CRD goes.
// It also deletes a namespaced CRD's objects in namespaces being deleted (the namespace
// controller knows only the built-in kinds), so a namespace leaves no custom resources behind.
// k8s: staging/src/k8s.io/apiextensions-apiserver/pkg/controller/finalizer/crd_finalizer.go
import {
  CRD_CLEANUP_FINALIZER,
  crdResourceInfos,
  type CustomResourceDefinition,
} from '../../../src/api/crd';
import type { KObject } from '../../../src/api/types';
import { isConflict, isNotFound } from '../../../src/client/errors';
import type { InformerEvent } from '../../../src/client/informer';
import type { ClusterCache } from '../../shared/cache';
import type { Result } from '../../shared/controller';
import type { KeyedContext, KeyedControllerDef } from '../framework';

const CRDS = 'apiextensions.k8s.io/v1/customresourcedefinitions';
const NAMESPACES = 'namespaces';
/** How long a deleted namespace is remembered, for CRDs whose pass comes after it is gone. */
const GONE_MS = 10 * 60_000;

/** Namespaces seen deleted by this leader, with when: their custom resources are garbage. */
const gone = new Map<string, number>();
/** How soon a CRD whose objects linger (finalizers of their own) is looked at again. */
const RECHECK_MS = 2000;

/** Deletes what is left of the CRD's objects; answers how many were still there. */
async function deleteInstances(ctx: KeyedContext, crd: CustomResourceDefinition): Promise<number> {
  // Every version reads the same stored objects: one served version is enough to reach them.
  const [info] = crdResourceInfos(crd);
  if (!info) return 0;
  let list: { items: KObject[] };
  try {
    list = await ctx.client.list(info, { all: true });
  } catch (e) {
    // The kind is no longer served (never established, or this isolate's API forgot it): nothing to reach.
    if (isNotFound(e)) return 0;
    throw e;
  }
  for (const obj of list.items) {
    if (obj.metadata.deletionTimestamp) continue;
    ctx.budget.take();
    try {
      await ctx.client.delete(info, obj.metadata.name!, {
        namespace: obj.metadata.namespace,
        propagationPolicy: 'Background',
        preconditions: { uid: obj.metadata.uid },
      });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
  return list.items.length;
}

/** A namespace being deleted, or deleted, enqueues every namespaced CRD. */
function namespaceChanged(
  ns: KObject,
  cache: ClusterCache,
  event: InformerEvent<KObject>,
): string[] {
  const name = ns.metadata.name!;
  if (event.type === 'DELETED') gone.set(name, Date.now());
  else if (!ns.metadata.deletionTimestamp) return [];
  return cache
    .kind<CustomResourceDefinition>(CRDS)
    .list()
    .filter((c) => c.spec?.scope === 'Namespaced')
    .map((c) => c.metadata.name!);
}

async function namespaceExists(ctx: KeyedContext, name: string): Promise<boolean> {
  try {
    await ctx.client.get(NAMESPACES, name);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Deletes the CRD's objects in namespaces that are being (or have been) deleted. */
async function cleanNamespaces(ctx: KeyedContext, crd: CustomResourceDefinition): Promise<number> {
  const [info] = crdResourceInfos(crd);
  if (!info?.namespaced) return 0;
  const now = Date.now();
  for (const [ns, at] of gone) if (now - at > GONE_MS) gone.delete(ns);
  const targets = new Set<string>();
  for (const ns of ctx.cache.kind(NAMESPACES).list())
    if (ns.metadata.deletionTimestamp) targets.add(ns.metadata.name!);
  for (const ns of gone.keys()) {
    if (targets.has(ns)) continue;
    // A namespace of that name again (re-created): its objects are new, not garbage. Only a
    // namespace the API says is gone is cleaned.
    if (ctx.cache.kind(NAMESPACES).get(ns) || (await namespaceExists(ctx, ns))) gone.delete(ns);
    else targets.add(ns);
  }
  let remaining = 0;
  for (const namespace of targets) {
    let list: { items: KObject[] };
    try {
      list = await ctx.client.list(info, { namespace, all: true });
    } catch (e) {
      if (isNotFound(e)) return 0;
      throw e;
    }
    for (const obj of list.items) {
      remaining++;
      if (obj.metadata.deletionTimestamp) continue;
      ctx.budget.take();
      try {
        await ctx.client.delete(info, obj.metadata.name!, {
          namespace,
          propagationPolicy: 'Background',
          preconditions: { uid: obj.metadata.uid },
        });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
  }
  return remaining;
}

export const crdCleanupController: KeyedControllerDef = {
  name: 'crd-cleanup',
  reconciles: CRDS,
  reads: [CRDS, NAMESPACES],
  watches: [{ resource: NAMESPACES, map: namespaceChanged }],
  async reconcile(ctx, key): Promise<Result> {
    const crd = ctx.cache.kind<CustomResourceDefinition>(CRDS).get(key);
    if (!crd) return;
    if (!crd.metadata.deletionTimestamp) {
      const left = await cleanNamespaces(ctx, crd);
      return left > 0 ? { requeueAfterMs: RECHECK_MS } : undefined;
    }
    if (!crd.metadata.finalizers?.includes(CRD_CLEANUP_FINALIZER)) return;
    const remaining = await deleteInstances(ctx, crd);
    if (remaining > 0) return { requeueAfterMs: RECHECK_MS };
    // Nothing left: drop the finalizer (the API removes the CRD when none remain).
    ctx.budget.take();
    try {
      await ctx.client.patch(
        CRDS,
        crd.metadata.name!,
        'json',
        [
          { op: 'test', path: '/metadata/uid', value: crd.metadata.uid },
          {
            op: 'replace',
            path: '/metadata/finalizers',
            value: crd.metadata.finalizers.filter((f) => f !== CRD_CLEANUP_FINALIZER),
          },
        ],
        {},
      );
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
};
