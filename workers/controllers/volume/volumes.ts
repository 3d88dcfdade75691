// PersistentVolume phases and reclaim: Available, Bound, Released, and Delete or Retain once the claim is gone.
// k8s: pkg/controller/volume/persistentvolume/pv_controller.go (syncVolume, reclaimVolume, deleteVolumeOperation)
import { type PersistentVolume, type PersistentVolumeClaim } from '../../../src/api/storage';
import { isNotFound } from '../../../src/client/errors';
import { rfc3339 } from '../../../src/lib/time';
import { keyOf } from '../../shared/controller';
import { managerOf, type KeyedContext, type KeyedControllerDef } from '../framework';
import { PVCS, PVS } from './claims';

const NAME = 'persistentvolume-reclaimer';
const MANAGER = managerOf({ name: NAME });

async function setPhase(
  ctx: KeyedContext,
  pv: PersistentVolume,
  phase: NonNullable<PersistentVolume['status']>['phase'],
  message?: string,
): Promise<void> {
  if (pv.status?.phase === phase && (pv.status?.message ?? undefined) === message) return;
  ctx.budget.take();
  const status: PersistentVolume['status'] = {
    phase,
    lastPhaseTransitionTime: rfc3339(ctx.now()),
  };
  if (message) status.message = message;
  try {
    await ctx.client.updateStatus(PVS, { ...pv, status }, { fieldManager: MANAGER });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** Whether the claim a volume names is really gone (or replaced by another with the same name): one live GET. */
async function claimGone(ctx: KeyedContext, pv: PersistentVolume): Promise<boolean> {
  const ref = pv.spec.claimRef!;
  try {
    const live = await ctx.client.get<PersistentVolumeClaim>(PVCS, ref.name!, {
      namespace: ref.namespace,
    });
    return !!ref.uid && live.metadata.uid !== ref.uid;
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
}

async function syncVolume(ctx: KeyedContext, pv: PersistentVolume): Promise<void> {
  if (pv.metadata.deletionTimestamp) return;
  const ref = pv.spec.claimRef;
  if (!ref?.name) {
    await setPhase(ctx, pv, 'Available');
    return;
  }
  const claim = ctx.cache.kind<PersistentVolumeClaim>(PVCS).get(keyOf(ref.namespace, ref.name));
  if (claim && (!ref.uid || claim.metadata.uid === ref.uid)) {
    // Bound once the claim points back; a volume pre-bound to a claim not yet bound stays Available.
    await setPhase(ctx, pv, claim.spec.volumeName === pv.metadata.name ? 'Bound' : 'Available');
    return;
  }
  if (!ref.uid) {
    await setPhase(ctx, pv, 'Available');
    return;
  }
  if (pv.status?.phase === 'Failed') return;
  if (!(await claimGone(ctx, pv))) return;
  if (pv.status?.phase !== 'Released') {
    await setPhase(ctx, pv, 'Released');
    return;
  }
  switch (pv.spec.persistentVolumeReclaimPolicy ?? 'Retain') {
    case 'Retain':
      return;
    case 'Delete':
      // The directory of a local-path volume is removed by its node's agent once the PV is gone.
      ctx.budget.take();
      await ctx.client
        .delete(PVS, pv.metadata.name!, { preconditions: { uid: pv.metadata.uid } })
        .catch((e) => {
          if (!isNotFound(e)) throw e;
        });
      await ctx.recorder
        .event(pv, 'Normal', 'VolumeDelete', `persistentvolume ${pv.metadata.name} deleted`)
        .catch(() => undefined);
      return;
    default:
      await setPhase(
        ctx,
        pv,
        'Failed',
        'Recycle is not supported: delete or reuse the volume by hand',
      );
  }
}

export const volumeReclaimer: KeyedControllerDef = {
  name: NAME,
  reconciles: PVS,
  reads: [PVS, PVCS],
  watches: [
    {
      // A claim's change (bound, deleted) enqueues its volume.
      resource: PVCS,
      map: (pvc) => {
        const name = (pvc as PersistentVolumeClaim).spec?.volumeName;
        return name ? [name] : [];
      },
    },
  ],
  async reconcile(ctx, key) {
    const pv = ctx.cache.kind<PersistentVolume>(PVS).get(key);
    if (pv) await syncVolume(ctx, pv);
  },
};
