// Namespace defaults: the metadata.name label, the "kubernetes" finalizer on create, phase Active.
// k8s: pkg/apis/core/v1/defaults.go SetDefaults_Namespace; pkg/registry/core/namespace/strategy.go PrepareForCreate
import type { KObject } from '../../api/types';
import { asArr, asStr, type Obj } from '../validate/fields';
import { each, isNew, struct, zero } from './always';

export function defaultNamespace(ns: KObject): void {
  const name = asStr(ns.metadata.name);
  if (name)
    ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  // Only a new namespace gets the finalizer: the namespace controller removes it while deleting,
  // and defaulting runs again on every update. A stored object carries uid and resourceVersion.
  const spec = struct(ns as Obj, 'spec');
  if (isNew(ns)) {
    const fins = asArr(spec.finalizers).map(asStr);
    if (!fins.includes('kubernetes')) spec.finalizers = [...fins, 'kubernetes'];
  }
  const status = struct(ns as Obj, 'status');
  if (!asStr(status.phase)) status.phase = 'Active';
  for (const c of each(status.conditions)) zero(c, { lastTransitionTime: null });
}
