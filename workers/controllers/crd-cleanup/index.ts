// CRD cleanup, keyed by CRD: once a CustomResourceDefinition is being deleted, deletes every
// custom resource it defines, then removes the customresourcecleanup finalizer so the CRD goes.
// (Custom resources in a namespace being deleted are the namespace controller's: it waits for them.)
// k8s: staging/src/k8s.io/apiextensions-apiserver/pkg/controller/finalizer/crd_finalizer.go
import {
  CRD_CLEANUP_FINALIZER,
  crdResourceInfos,
  type CustomResourceDefinition,
} from '../../../src/api/crd';
import type { KObject } from '../../../src/api/types';
import { isConflict, isNotFound } from '../../../src/client/errors';
import type { Result } from '../../shared/controller';
import type { KeyedContext, KeyedControllerDef } from '../framework';

const CRDS = 'apiextensions.k8s.io/v1/customresourcedefinitions';
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

export const crdCleanupController: KeyedControllerDef = {
  name: 'crd-cleanup',
  reconciles: CRDS,
  reads: [CRDS],
  async reconcile(ctx, key): Promise<Result> {
    const crd = ctx.cache.kind<CustomResourceDefinition>(CRDS).get(key);
    if (!crd?.metadata.deletionTimestamp) return;
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
