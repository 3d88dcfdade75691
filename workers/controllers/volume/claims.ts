// PersistentVolumeClaim binder: default class, static binding, delayed binding to the pod's node, local-path provisioning.
// k8s: pkg/controller/volume/persistentvolume/pv_controller.go (syncClaim, syncUnboundClaim, syncBoundClaim, bind,
//      provisionClaim), pkg/scheduler/framework/plugins/volumebinding (AnnSelectedNode)
import type { Node, Pod } from '../../../src/api/core';
import {
  BETA_STORAGE_PROVISIONER_ANNOTATION,
  BIND_COMPLETED_ANNOTATION,
  BOUND_BY_CONTROLLER_ANNOTATION,
  DEFAULT_CLASS_ANNOTATION,
  LOCAL_PATH_PROVISIONER,
  SELECTED_NODE_ANNOTATION,
  STORAGE_PROVISIONER_ANNOTATION,
  claimClass,
  podClaimNames,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from '../../../src/api/storage';
import type { KObject } from '../../../src/api/types';
import { isAlreadyExists, isNotFound } from '../../../src/client/errors';
import { objectKey } from '../../../src/client/informer';
import { nodeSelectorTermsMatch } from '../../../src/lib/node-selector';
import { namespaceOf, type ClusterCache } from '../../shared/cache';
import { keyOf } from '../../shared/controller';
import { managerOf, type KeyedContext, type KeyedControllerDef } from '../framework';
import { bestVolumeFor, claimRefMatches } from './matching';
import { localPathVolume } from './provision';

export const PVCS = 'persistentvolumeclaims';
export const PVS = 'persistentvolumes';
export const CLASSES = 'storage.k8s.io/v1/storageclasses';
// kube-controller-manager's name: its events come from "persistentvolume-controller".
const NAME = 'persistentvolume';
const MANAGER = managerOf({ name: NAME });

/** The default class (the newest, as upstream picks among several). */
export function defaultClass(cache: ClusterCache): StorageClass | undefined {
  return cache
    .kind<StorageClass>(CLASSES)
    .list()
    .filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true')
    .sort((a, b) =>
      (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
    )[0];
}

const volumeUsableFrom = (node: Node | undefined) => (pv: PersistentVolume) =>
  !node ||
  !pv.spec.nodeAffinity?.required ||
  nodeSelectorTermsMatch(pv.spec.nodeAffinity.required.nodeSelectorTerms, node);

async function event(
  ctx: KeyedContext,
  obj: KObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
) {
  await ctx.recorder.event(obj, type, reason, message).catch(() => undefined);
}

async function write<T>(ctx: KeyedContext, f: () => Promise<T>): Promise<T | undefined> {
  ctx.budget.take();
  try {
    return await f();
  } catch (e) {
    // A conflict goes up: the framework retries the key once the cache caught up.
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Binds a claim to a volume: the volume's claimRef first, then the claim's volumeName, then both statuses. */
async function bind(
  ctx: KeyedContext,
  pvc: PersistentVolumeClaim,
  pv: PersistentVolume,
): Promise<void> {
  const ns = pvc.metadata.namespace;
  if (!pv.spec.claimRef?.uid) {
    const updated = await write(ctx, () =>
      ctx.client.update<PersistentVolume>(
        PVS,
        {
          ...pv,
          metadata: {
            ...pv.metadata,
            annotations: {
              ...(pv.metadata.annotations ?? {}),
              [BOUND_BY_CONTROLLER_ANNOTATION]: 'yes',
            },
          },
          spec: {
            ...pv.spec,
            claimRef: {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              namespace: ns,
              name: pvc.metadata.name,
              uid: pvc.metadata.uid,
              resourceVersion: pvc.metadata.resourceVersion,
            },
          },
        },
        { fieldManager: MANAGER },
      ),
    );
    if (!updated) return;
    pv = updated;
  }
  if (pv.status?.phase !== 'Bound')
    await write(ctx, () =>
      ctx.client.updateStatus(
        PVS,
        { ...pv, status: { ...(pv.status ?? {}), phase: 'Bound' } },
        { fieldManager: MANAGER },
      ),
    );
  let claim: PersistentVolumeClaim | undefined = pvc;
  if (
    pvc.spec.volumeName !== pv.metadata.name ||
    pvc.metadata.annotations?.[BIND_COMPLETED_ANNOTATION] !== 'yes'
  ) {
    claim = await write(ctx, () =>
      ctx.client.update<PersistentVolumeClaim>(
        PVCS,
        {
          ...pvc,
          metadata: {
            ...pvc.metadata,
            annotations: {
              ...(pvc.metadata.annotations ?? {}),
              [BIND_COMPLETED_ANNOTATION]: 'yes',
              [BOUND_BY_CONTROLLER_ANNOTATION]: 'yes',
            },
          },
          spec: { ...pvc.spec, volumeName: pv.metadata.name },
        },
        { namespace: ns, fieldManager: MANAGER },
      ),
    );
    if (!claim) return;
  }
  await markClaimBound(ctx, claim, pv);
}

async function markClaimBound(ctx: KeyedContext, pvc: PersistentVolumeClaim, pv: PersistentVolume) {
  const s = pvc.status ?? {};
  if (
    s.phase === 'Bound' &&
    s.capacity?.storage === pv.spec.capacity?.storage &&
    JSON.stringify(s.accessModes ?? []) === JSON.stringify(pv.spec.accessModes ?? [])
  )
    return;
  await write(ctx, () =>
    ctx.client.updateStatus(
      PVCS,
      {
        ...pvc,
        status: {
          ...s,
          phase: 'Bound',
          capacity: { ...(pv.spec.capacity ?? {}) },
          accessModes: pv.spec.accessModes,
        },
      },
      { namespace: pvc.metadata.namespace, fieldManager: MANAGER },
    ),
  );
  await event(
    ctx,
    pvc,
    'Normal',
    'ProvisioningSucceeded',
    `Successfully bound to volume ${pv.metadata.name}`,
  ).catch(() => undefined);
}

/** The node of a scheduled pod that uses the claim: where a WaitForFirstConsumer claim is provisioned. */
function consumerNode(cache: ClusterCache, pvc: PersistentVolumeClaim): string | undefined {
  return cache
    .kind<Pod>('pods')
    .byIndex('namespace', pvc.metadata.namespace ?? '')
    .find(
      (p) =>
        !!p.spec?.nodeName &&
        !p.metadata.deletionTimestamp &&
        podClaimNames(p).includes(pvc.metadata.name!),
    )?.spec?.nodeName;
}

async function syncClaim(
  ctx: KeyedContext,
  pvc: PersistentVolumeClaim,
): Promise<{ requeueAfterMs?: number } | undefined> {
  const ns = pvc.metadata.namespace;
  const volumes = ctx.cache.kind<PersistentVolume>(PVS);
  if (pvc.metadata.deletionTimestamp) return;
  // k8s: retroactive default StorageClass assignment: a claim with no class at all gets the default.
  if (pvc.spec.storageClassName === undefined && !pvc.spec.volumeName) {
    const def = defaultClass(ctx.cache);
    if (!def) return;
    await write(ctx, () =>
      ctx.client.patch(
        PVCS,
        pvc.metadata.name!,
        'merge',
        {
          metadata: { resourceVersion: pvc.metadata.resourceVersion },
          spec: { storageClassName: def.metadata.name },
        },
        { namespace: ns, fieldManager: MANAGER },
      ),
    );
    return;
  }
  if (pvc.spec.volumeName) {
    const pv = volumes.get(pvc.spec.volumeName);
    if (!pv) {
      if (pvc.status?.phase !== 'Lost') {
        await write(ctx, () =>
          ctx.client.updateStatus(
            PVCS,
            { ...pvc, status: { ...(pvc.status ?? {}), phase: 'Lost' } },
            { namespace: ns, fieldManager: MANAGER },
          ),
        );
        await event(
          ctx,
          pvc,
          'Warning',
          'ClaimLost',
          'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
        );
      }
      return;
    }
    if (!pv.spec.claimRef || claimRefMatches(pv, pvc)) await bind(ctx, pvc, pv);
    else if (pvc.status?.phase !== 'Lost')
      await event(
        ctx,
        pvc,
        'Warning',
        'ClaimMisbound',
        'Two claims are bound to the same volume, this one is bound incorrectly',
      );
    return;
  }

  const className = claimClass(pvc);
  const sc = className ? ctx.cache.kind<StorageClass>(CLASSES).get(className) : undefined;
  const delayed = sc?.volumeBindingMode === 'WaitForFirstConsumer';
  let nodeName = pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
  if (delayed && !nodeName) {
    // The scheduler chose a node for a pod that uses the claim; that node is where it must live.
    nodeName = consumerNode(ctx.cache, pvc);
    if (!nodeName) return;
    const annotations: Record<string, string> = { [SELECTED_NODE_ANNOTATION]: nodeName };
    if (sc?.provisioner) {
      annotations[STORAGE_PROVISIONER_ANNOTATION] = sc.provisioner;
      annotations[BETA_STORAGE_PROVISIONER_ANNOTATION] = sc.provisioner;
    }
    await write(ctx, () =>
      ctx.client.patch(
        PVCS,
        pvc.metadata.name!,
        'merge',
        {
          metadata: { annotations, resourceVersion: pvc.metadata.resourceVersion },
        },
        { namespace: ns, fieldManager: MANAGER },
      ),
    );
    return;
  }
  const node = nodeName ? ctx.cache.kind<Node>('nodes').get(nodeName) : undefined;
  const match = bestVolumeFor(pvc, volumes.list(), volumeUsableFrom(delayed ? node : undefined));
  if (match) {
    await bind(ctx, pvc, match);
    return;
  }
  if (!className) {
    await event(
      ctx,
      pvc,
      'Normal',
      'FailedBinding',
      'no persistent volumes available for this claim and no storage class is set',
    );
    return;
  }
  if (!sc) {
    await event(
      ctx,
      pvc,
      'Warning',
      'ProvisioningFailed',
      `storageclass.storage.k8s.io "${className}" not found`,
    );
    return { requeueAfterMs: 10_000 };
  }
  if (sc.provisioner !== LOCAL_PATH_PROVISIONER) {
    await event(
      ctx,
      pvc,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
    return;
  }
  if (!delayed) {
    await event(
      ctx,
      pvc,
      'Warning',
      'ProvisioningFailed',
      `the ${LOCAL_PATH_PROVISIONER} provisioner needs volumeBindingMode WaitForFirstConsumer: a local volume is made on the node its first pod lands on`,
    );
    return;
  }
  if (!node) {
    await event(ctx, pvc, 'Warning', 'ProvisioningFailed', `selected node "${nodeName}" not found`);
    return { requeueAfterMs: 10_000 };
  }
  const { pv, error } = localPathVolume(pvc, sc, node);
  if (!pv) {
    await event(ctx, pvc, 'Warning', 'ProvisioningFailed', error);
    return { requeueAfterMs: 10_000 };
  }
  await event(
    ctx,
    pvc,
    'Normal',
    'Provisioning',
    `External provisioner is provisioning volume for claim "${ns}/${pvc.metadata.name}"`,
  );
  ctx.budget.take();
  let created: PersistentVolume;
  try {
    created = await ctx.client.create<PersistentVolume>(PVS, pv, { fieldManager: MANAGER });
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    return { requeueAfterMs: 0 };
  }
  await bind(ctx, pvc, created);
}

/** Claims a pod names, once it is bound to a node (a delayed-binding claim waits for that). */
function claimsOfPod(pod: KObject): string[] {
  const p = pod as Pod;
  if (!p.spec?.nodeName) return [];
  return podClaimNames(p).map((c) => keyOf(p.metadata.namespace, c));
}

export const claimBinder: KeyedControllerDef = {
  name: NAME,
  reconciles: PVCS,
  reads: [PVCS, PVS, CLASSES, 'pods', 'nodes'],
  watches: [
    { resource: 'pods', map: claimsOfPod },
    {
      resource: PVS,
      map: (pv) => {
        const ref = (pv as PersistentVolume).spec?.claimRef;
        return ref?.name ? [keyOf(ref.namespace, ref.name)] : [];
      },
    },
    // A new default class or a class that appears wakes the claims still pending.
    {
      resource: CLASSES,
      map: (_sc, cache) =>
        cache
          .kind<PersistentVolumeClaim>(PVCS)
          .list()
          .filter((c) => !c.spec.volumeName)
          .map((c) => objectKey(c)),
    },
  ],
  indexes: [{ resource: 'pods', name: 'namespace', fn: namespaceOf }],
  async reconcile(ctx, key) {
    const pvc = ctx.cache.kind<PersistentVolumeClaim>(PVCS).get(key);
    if (!pvc) return;
    return syncClaim(ctx, pvc);
  },
};
