// core/v1 Namespace: finalize subresource, and deletion as a process (Terminating until emptied).
import type { KObject } from '../../api/types';
import { rfc3339 } from '../../lib/time';
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultNamespace } from '../defaults/namespace';
import { namespacePrinter } from '../tables/namespaces';
import { validateNamespace, validateNamespaceUpdate } from '../validate/namespace';

const specFinalizers = (ns: KObject) =>
  (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];

// k8s: namespaceFinalizeStrategy.PrepareForUpdate: /finalize changes spec.finalizers and nothing else.
function finalize(next: KObject, live: KObject): void {
  const finalizers = (next.spec as { finalizers?: string[] } | undefined)?.finalizers;
  const mf = next.metadata.managedFields;
  Object.assign(next, structuredClone(live));
  next.spec = { ...((live.spec as object) ?? {}), finalizers };
  if (!finalizers?.length) delete (next.spec as { finalizers?: string[] }).finalizers;
  next.metadata.managedFields = mf;
}

/**
 * The namespace controller empties a deleted namespace, then removes the "kubernetes" finalizer;
 * once no finalizer of either kind remains, a delete removes it.
 */
function markForDeletion(cur: KObject, finalizers: Set<string>): KObject | undefined {
  if (specFinalizers(cur).length === 0 && finalizers.size === 0) return undefined;
  if (cur.metadata.deletionTimestamp) return cur;
  const next = structuredClone(cur);
  next.metadata.deletionTimestamp = rfc3339(Date.now());
  next.metadata.deletionGracePeriodSeconds = 0;
  next.status = { ...((cur.status as object) ?? {}), phase: 'Terminating' };
  if (finalizers.size) next.metadata.finalizers = [...finalizers];
  else delete next.metadata.finalizers;
  return next;
}

export const namespaces: ResourceDefinition = {
  info: builtin('', 'v1', 'namespaces'),
  strategy: defineStrategy(validateNamespace, validateNamespaceUpdate, {
    defaults: defaultNamespace,
    hasStatus: true,
    prepareForUpdate(next, live, sub) {
      if (sub === 'finalize') finalize(next, live);
    },
    markForDeletion,
    heldBeyondFinalizers: (ns) => specFinalizers(ns).length > 0,
  }),
  printer: namespacePrinter,
  wakes: { controllers: true },
};
