// Keeps metadata.managedFields current on every non-apply write (field ownership per manager).
import type { KObject, ManagedFieldsEntry } from '../../api/types';
import { updateManagedFields } from '../../lib/managed-fields';
import { navFor } from '../../registry/schema';
import type { ApiContext } from '../context';
import { timestamp } from './objects';

export function recordUpdate(ctx: ApiContext, next: KObject, live: KObject | undefined, manager: string): void {
  try {
    const res = updateManagedFields({
      live: live ?? {},
      updated: next,
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
