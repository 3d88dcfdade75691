// Namespace defaults: the metadata.name label, the "kubernetes" finalizer on create, phase Active.
// k8s: pkg/apis/core/v1/defaults.go SetDefaults_Namespace; pkg/registry/core/namespace/strategy.go PrepareForCreate
import type { KObject } from '../../api/types';
import { asArr, asStr, objOf } from '../validate/fields';

export function defaultNamespace(ns: KObject): void {
  const name = asStr(ns.metadata.name);
  if (name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  // Only a new namespace gets the finalizer: the namespace controller removes it while deleting,
  // and defaulting runs again on every update. A stored object carries uid and resourceVersion.
  if (!ns.metadata.uid && !ns.metadata.resourceVersion && !ns.metadata.creationTimestamp) {
    const spec = objOf(ns.spec);
    ns.spec = spec;
    const fins = asArr(spec.finalizers).map(asStr);
    if (!fins.includes('kubernetes')) spec.finalizers = [...fins, 'kubernetes'];
  }
  const status = objOf(ns.status);
  ns.status = status;
  if (!asStr(status.phase)) status.phase = 'Active';
}
