// apiextensions.k8s.io/v1 CustomResourceDefinition: defaults, validation, the naming status set on
// each write, and deletion held by the cleanup finalizer until its custom resources are gone.
import {
  CRD_CLEANUP_FINALIZER,
  storageVersion,
  type CustomResourceDefinition,
} from '../../api/crd';
import type { KObject } from '../../api/types';
import { rfc3339 } from '../../lib/time';
import { markTerminating, updateNamingStatus } from '../crd/naming';
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { validateSelectableFields } from '../crd/selectable-fields';
import { apiextensionsDefs } from '../schema/defs-apiextensions';
import {
  validateCustomResourceDefinition,
  validateCustomResourceDefinitionUpdate,
} from '../validate/crd';

// k8s: apiextensions v1 SetDefaults_CustomResourceDefinition(Spec)
function defaultCRD(obj: KObject): void {
  const crd = obj as CustomResourceDefinition;
  const spec = crd.spec;
  if (!spec || typeof spec !== 'object') return;
  spec.conversion ??= { strategy: 'None' };
  const names = spec.names;
  if (names && typeof names === 'object' && typeof names.kind === 'string' && names.kind) {
    names.singular ||= names.kind.toLowerCase();
    names.listKind ||= `${names.kind}List`;
  }
  for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
    const columns = v && typeof v === 'object' ? v.additionalPrinterColumns : undefined;
    for (const c of Array.isArray(columns) ? columns : [])
      if (c && typeof c === 'object') c.priority ??= 0;
  }
}

/** storedVersions gains the storage version on every write, as the apiserver records it. */
function recordStoredVersion(crd: CustomResourceDefinition): void {
  const v = storageVersion(crd);
  if (!v) return;
  const status = (crd.status ??= {});
  const stored = status.storedVersions ?? [];
  if (!stored.includes(v)) status.storedVersions = [...stored, v];
}

// k8s: customresourcedefinition/etcd.go Delete: the first delete adds the cleanup finalizer and the
// Terminating condition; the CRD goes once its custom resources are deleted and the finalizer removed.
function markForDeletion(cur: KObject, finalizers: Set<string>): KObject | undefined {
  if (cur.metadata.deletionTimestamp) return cur;
  const next = structuredClone(cur) as CustomResourceDefinition;
  finalizers.add(CRD_CLEANUP_FINALIZER);
  next.metadata.finalizers = [...finalizers];
  next.metadata.deletionTimestamp = rfc3339(Date.now());
  next.metadata.deletionGracePeriodSeconds = 0;
  markTerminating(next);
  return next;
}

export const customresourcedefinitions: ResourceDefinition = {
  info: builtin('apiextensions.k8s.io', 'v1', 'customresourcedefinitions'),
  strategy: defineStrategy(
    (obj) => [
      ...validateCustomResourceDefinition(obj),
      ...validateSelectableFields(obj as CustomResourceDefinition),
    ],
    (obj, old) => [
      ...validateCustomResourceDefinitionUpdate(obj, old),
      ...validateSelectableFields(obj as CustomResourceDefinition),
    ],
    {
      defaults: defaultCRD,
      hasStatus: true,
      tracksGeneration: true,
      prepareForCreate(obj) {
        const crd = obj as CustomResourceDefinition;
        delete crd.status;
        if (!crd.spec || !Array.isArray(crd.spec.versions) || !crd.spec.names) return;
        recordStoredVersion(crd);
        updateNamingStatus(crd);
      },
      prepareForUpdate(next, _live, sub) {
        const crd = next as CustomResourceDefinition;
        if (sub !== '' || !crd.spec || !Array.isArray(crd.spec.versions) || !crd.spec.names) return;
        recordStoredVersion(crd);
        updateNamingStatus(crd);
      },
      markForDeletion,
    },
  ),
  schemas: apiextensionsDefs,
  // The cleanup controller deletes a terminating CRD's objects.
  wakes: { controllers: true },
};
