// What the Node authorizer lets an agent read of storage: the claims its pods use, and the volumes
// pinned to it or bound to those claims. k8s: plugin/pkg/auth/authorizer/node (the graph's pod -> pvc -> pv edges)
import { findResource } from '../../api/resources';
import { podClaimNames, type PersistentVolume } from '../../api/storage';
import type { Pod } from '../../api/core';
import type { Store } from '../../storage/store';
import { errors } from '../errors';

const PODS = () => findResource('', 'v1', 'pods')!;
const PVS = () => findResource('', 'v1', 'persistentvolumes')!;

/** Whether a pod bound to `node` in `namespace` uses the claim. */
export async function claimUsedOnNode(
  store: Store,
  node: string,
  namespace: string,
  claim: string,
): Promise<boolean> {
  let cont: string | undefined;
  do {
    const page = await store.list(PODS(), { namespace, continue: cont });
    if (!page.ok) return false;
    for (const pod of page.value.items as Pod[])
      if (pod.spec?.nodeName === node && podClaimNames(pod).includes(claim)) return true;
    cont = page.value.continue;
  } while (cont);
  return false;
}

/** A volume whose node affinity names this node, or that is bound to a claim a pod here uses. */
export async function volumeOfNode(store: Store, node: string, name: string): Promise<boolean> {
  const pv = (await store.get(PVS(), undefined, name)) as PersistentVolume | null;
  // A volume that is gone is 404 (the agent removes the directory of a deleted local-path volume on it).
  if (!pv) throw errors.notFound({ resource: 'persistentvolumes', group: '', name });
  for (const term of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    const reqs = [...(term.matchExpressions ?? []), ...(term.matchFields ?? [])];
    if (
      reqs.some(
        (r) =>
          (r.key === 'kubernetes.io/hostname' || r.key === 'metadata.name') &&
          r.operator === 'In' &&
          r.values?.includes(node),
      )
    )
      return true;
  }
  const ref = pv.spec?.claimRef;
  return !!ref?.namespace && !!ref.name && claimUsedOnNode(store, node, ref.namespace, ref.name);
}
