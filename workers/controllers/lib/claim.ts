// Adoption and release of objects by a controlling owner (ReplicaSets claim pods, Deployments claim ReplicaSets).
// k8s: pkg/controller/controller_ref_manager.go ClaimObject, RecheckDeletionTimestamp
import type { KObject, OwnerReference } from '../../../src/api/types';
import { controllerOf } from '../../../src/api/owner';
import { isConflict, isNotFound } from '../../../src/client/errors';
import type { Selector } from '../../../src/lib/labels';
import type { WriteBudget } from '../../shared/budget';
import type { ControllerContext } from '../framework';

export interface ClaimSpec {
  ctx: ControllerContext;
  budget: WriteBudget;
  manager: string;
  owner: KObject;
  ref: OwnerReference;
  resource: string;
  selector: Selector;
  /** Re-checks, just before the first adoption, that the owner still exists and is not being deleted. */
  canAdopt?: () => Promise<boolean>;
}

/**
 * Splits objects into those the owner controls after adopting orphans that match its selector and
 * releasing owned ones that no longer match. The patches carry the cached resourceVersion, so a
 * concurrent change makes them fail instead of clobbering another owner's claim.
 */
export async function claimObjects<T extends KObject>(
  spec: ClaimSpec,
  objects: T[],
): Promise<{ claimed: T[]; conflicted: boolean }> {
  const { owner, ref, selector } = spec;
  const claimed: T[] = [];
  let conflicted = false;
  let adoptable: boolean | undefined;
  for (const obj of objects) {
    const cref = controllerOf(obj);
    const matches = selector.matches(obj.metadata.labels);
    if (cref && cref.uid !== ref.uid) continue;
    if (cref && matches) {
      claimed.push(obj);
      continue;
    }
    if (owner.metadata.deletionTimestamp) continue;
    let ownerReferences: OwnerReference[] | null;
    if (cref) {
      const rest = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid);
      ownerReferences = rest.length ? rest : null;
    } else {
      if (!matches || obj.metadata.deletionTimestamp) continue;
      adoptable ??= spec.canAdopt ? await spec.canAdopt() : true;
      if (!adoptable) continue;
      ownerReferences = [...(obj.metadata.ownerReferences ?? []), ref];
    }
    spec.budget.take();
    try {
      const patched = await spec.ctx.client.patch<T>(
        spec.resource,
        obj.metadata.name!,
        'merge',
        { metadata: { ownerReferences, resourceVersion: obj.metadata.resourceVersion } },
        { namespace: obj.metadata.namespace, fieldManager: spec.manager },
      );
      if (!cref) claimed.push({ ...patched, apiVersion: obj.apiVersion, kind: obj.kind });
    } catch (e) {
      if (isConflict(e)) conflicted = true;
      else if (!isNotFound(e)) throw e;
    }
    spec.ctx.snapshot.invalidate(spec.resource);
  }
  return { claimed, conflicted };
}

/**
 * A live read before adopting: the owner still exists (same uid) and is not being deleted. One
 * GET, only when there is something to adopt; upstream reads the API here too, not its cache.
 */
export async function stillLive(
  ctx: ControllerContext,
  resource: string,
  owner: KObject,
): Promise<boolean> {
  const fresh = await ctx.client
    .get(resource, owner.metadata.name!, { namespace: owner.metadata.namespace })
    .catch((e: unknown) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
  return !!fresh && fresh.metadata.uid === owner.metadata.uid && !fresh.metadata.deletionTimestamp;
}
