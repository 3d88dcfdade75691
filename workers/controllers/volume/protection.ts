// Protection finalizers: a claim in use by a pod, and a volume bound to a claim, are not removed under them.
// k8s: pkg/controller/volume/pvcprotection/pvc_protection_controller.go, pvprotection/pv_protection_controller.go
import type { Pod } from '../../../src/api/core';
import {
  PVC_PROTECTION_FINALIZER,
  PV_PROTECTION_FINALIZER,
  podClaimNames,
  type PersistentVolume,
  type PersistentVolumeClaim,
} from '../../../src/api/storage';
import type { KObject } from '../../../src/api/types';
import { isNotFound } from '../../../src/client/errors';
import { namespaceOf } from '../../shared/cache';
import { keyOf } from '../../shared/controller';
import { managerOf, type KeyedContext, type KeyedControllerDef } from '../framework';
import { PVCS, PVS } from './claims';
import { podsUsing } from './matching';

/** Adds or removes one finalizer with a merge patch carrying the cached resourceVersion. */
async function setFinalizer(
  ctx: KeyedContext,
  resource: string,
  obj: KObject,
  finalizer: string,
  present: boolean,
  manager: string,
): Promise<void> {
  const have = obj.metadata.finalizers ?? [];
  if (have.includes(finalizer) === present) return;
  const finalizers = present ? [...have, finalizer] : have.filter((f) => f !== finalizer);
  ctx.budget.take();
  try {
    await ctx.client.patch(
      resource,
      obj.metadata.name!,
      'merge',
      { metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion } },
      { namespace: obj.metadata.namespace, fieldManager: manager },
    );
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

const PVC_MANAGER = managerOf({ name: 'pvc-protection' });
const PV_MANAGER = managerOf({ name: 'pv-protection' });

export const pvcProtection: KeyedControllerDef = {
  name: 'pvc-protection',
  reconciles: PVCS,
  reads: [PVCS, 'pods'],
  // A pod that stops using a claim (finished, deleted) may free it.
  watches: [
    {
      resource: 'pods',
      map: (pod) => podClaimNames(pod as Pod).map((c) => keyOf(pod.metadata.namespace, c)),
    },
  ],
  indexes: [{ resource: 'pods', name: 'namespace', fn: namespaceOf }],
  async reconcile(ctx, key) {
    const pvc = ctx.cache.kind<PersistentVolumeClaim>(PVCS).get(key);
    if (!pvc) return;
    if (!pvc.metadata.deletionTimestamp) {
      await setFinalizer(ctx, PVCS, pvc, PVC_PROTECTION_FINALIZER, true, PVC_MANAGER);
      return;
    }
    const pods = ctx.cache.kind<Pod>('pods').byIndex('namespace', pvc.metadata.namespace ?? '');
    if (podsUsing(pods, pvc.metadata.name!).length) return;
    await setFinalizer(ctx, PVCS, pvc, PVC_PROTECTION_FINALIZER, false, PVC_MANAGER);
  },
};

export const pvProtection: KeyedControllerDef = {
  name: 'pv-protection',
  reconciles: PVS,
  reads: [PVS],
  async reconcile(ctx, key) {
    const pv = ctx.cache.kind<PersistentVolume>(PVS).get(key);
    if (!pv) return;
    if (!pv.metadata.deletionTimestamp) {
      await setFinalizer(ctx, PVS, pv, PV_PROTECTION_FINALIZER, true, PV_MANAGER);
      return;
    }
    // k8s: a volume is in use while it is Bound.
    if (pv.status?.phase === 'Bound') return;
    await setFinalizer(ctx, PVS, pv, PV_PROTECTION_FINALIZER, false, PV_MANAGER);
  },
};
