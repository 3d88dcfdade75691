// Keeps metadata.managedFields current on every non-apply write (field ownership per manager).
import type { KObject, ManagedFieldsEntry } from '../../api/types';
import { updateManagedFields } from '../../lib/managed-fields';
import { navFor } from '../../registry/schema';
import { definitionFor } from '../../registry/registry';
import type { ApiContext } from '../context';
import { timestamp } from './objects';

/**
 * The part of the object a write through this endpoint may not own: a kind with a status
 * subresource keeps status out of the main resource's ownership and spec out of status's.
 */
// k8s: each strategy's GetResetFields (e.g. pkg/registry/apps/deployment/strategy.go)
function resetField(ctx: ApiContext): 'status' | 'spec' | undefined {
  const r = ctx.info.resource;
  if (!definitionFor(r).strategy.hasStatus) return undefined;
  if (ctx.info.subresource === '') return 'status';
  return ctx.info.subresource === 'status' ? 'spec' : undefined;
}

export function recordUpdate(
  ctx: ApiContext,
  next: KObject,
  live: KObject | undefined,
  manager: string,
): void {
  const reset = resetField(ctx);
  const owned = (o: KObject): KObject => {
    if (!reset || !(reset in o)) return o;
    const copy: Record<string, unknown> = { ...o };
    delete copy[reset];
    return copy as KObject;
  };
  try {
    const res = updateManagedFields({
      live: live ? owned(live) : {},
      updated: owned(next),
      manager,
      nav: navFor(String(next.apiVersion), String(next.kind)),
      managedFields: live?.metadata.managedFields as never,
      now: timestamp(),
      subresource: ctx.info.subresource || undefined,
    });
    next.metadata.managedFields = res.managedFields as ManagedFieldsEntry[];
  } catch {
    // Ownership bookkeeping must never block a valid write: keep what was there.
    next.metadata.managedFields = live?.metadata.managedFields;
  }
}
