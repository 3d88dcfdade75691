// The CRD's status as the naming and establishing controllers leave it: acceptedNames, and the
// NamesAccepted and Established conditions, decided against the other CRDs and the built-in kinds
// of the same group. Run on every write of the CRD itself, so its kinds are served at once.
// k8s: staging/src/k8s.io/apiextensions-apiserver/pkg/controller/status/naming_controller.go
import {
  type CRDCondition,
  type CRDNames,
  type CustomResourceDefinition,
  crdCondition,
} from '../../api/crd';
import { RESOURCES } from '../../api/resources';
import { rfc3339 } from '../../lib/time';

/** Every CRD this isolate knows (refreshed from storage before CRD writes). */
let known: CustomResourceDefinition[] = [];

export function setKnownCRDs(crds: CustomResourceDefinition[]): void {
  known = crds;
}

export function knownCRDs(): readonly CustomResourceDefinition[] {
  return known;
}

interface Taken {
  resources: Set<string>;
  kinds: Set<string>;
}

function takenInGroup(group: string, self: string | undefined): Taken {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const r of RESOURCES) {
    if (r.group !== group) continue;
    resources.add(r.resource);
    resources.add(r.singular);
    for (const s of r.shortNames ?? []) resources.add(s);
    kinds.add(r.kind);
    kinds.add(r.listKind);
  }
  for (const crd of known) {
    if (crd.spec.group !== group || crd.metadata.name === self) continue;
    const n = crd.status?.acceptedNames;
    if (!n?.plural) continue;
    resources.add(n.plural);
    if (n.singular) resources.add(n.singular);
    for (const s of n.shortNames ?? []) resources.add(s);
    kinds.add(n.kind);
    if (n.listKind) kinds.add(n.listKind);
  }
  return { resources, kinds };
}

/** Spec names with their defaults: singular from the kind, listKind <Kind>List. */
export function defaultedNames(names: CRDNames): CRDNames {
  const out: CRDNames = {
    plural: names.plural,
    singular: names.singular || names.kind?.toLowerCase(),
    kind: names.kind,
    listKind: names.listKind || `${names.kind}List`,
  };
  if (names.shortNames?.length) out.shortNames = names.shortNames;
  if (names.categories?.length) out.categories = names.categories;
  return out;
}

function conflict(names: CRDNames, taken: Taken): { reason: string; message: string } | undefined {
  if (taken.resources.has(names.plural))
    return { reason: 'PluralConflict', message: `"${names.plural}" is already in use` };
  if (names.singular && taken.resources.has(names.singular))
    return { reason: 'SingularConflict', message: `"${names.singular}" is already in use` };
  for (const s of names.shortNames ?? [])
    if (taken.resources.has(s))
      return { reason: 'ShortNamesConflict', message: `"${s}" is already in use` };
  if (taken.kinds.has(names.kind))
    return { reason: 'KindConflict', message: `"${names.kind}" is already in use` };
  if (names.listKind && taken.kinds.has(names.listKind))
    return { reason: 'ListKindConflict', message: `"${names.listKind}" is already in use` };
  return undefined;
}

function setCondition(crd: CustomResourceDefinition, c: CRDCondition): void {
  const status = (crd.status ??= {});
  const conditions = (status.conditions ??= []);
  const i = conditions.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? conditions[i] : undefined;
  const next: CRDCondition = {
    ...c,
    lastTransitionTime:
      prev && prev.status === c.status ? prev.lastTransitionTime : rfc3339(Date.now()),
  };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
}

/** Sets acceptedNames, NamesAccepted and Established (in place), as upstream's controllers would. */
export function updateNamingStatus(crd: CustomResourceDefinition): void {
  const wanted = defaultedNames(crd.spec.names);
  const found = conflict(wanted, takenInGroup(crd.spec.group, crd.metadata.name));
  if (found) {
    setCondition(crd, { type: 'NamesAccepted', status: 'False', ...found });
    // Names once accepted keep being served; a CRD never accepted is not established.
    if (!crdCondition(crd, 'Established'))
      setCondition(crd, {
        type: 'Established',
        status: 'False',
        reason: 'NotAccepted',
        message: 'not all names are accepted',
      });
    crd.status!.acceptedNames ??= { plural: '', kind: '' };
    return;
  }
  crd.status = { ...(crd.status ?? {}), acceptedNames: wanted };
  setCondition(crd, {
    type: 'NamesAccepted',
    status: 'True',
    reason: 'NoConflicts',
    message: 'no conflicts found',
  });
  setCondition(crd, {
    type: 'Established',
    status: 'True',
    reason: 'InitialNamesAccepted',
    message: 'the initial names have been accepted',
  });
}

/** Marks the CRD Terminating (in place) when its deletion starts. */
export function markTerminating(crd: CustomResourceDefinition): void {
  setCondition(crd, {
    type: 'Terminating',
    status: 'True',
    reason: 'InstanceDeletionPending',
    message: 'CustomResourceDefinition marked for deletion; instance deletion pending',
  });
}
