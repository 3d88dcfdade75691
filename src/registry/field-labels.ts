// Field labels each resource can be selected by, the field a watch hub indexes, and one matcher
// for label plus field selectors (shared by list, the API's watch and the watch hubs).
import type { KObject } from '../api/types';
import type { Selector } from '../lib/labels';
import type { FieldSelector } from '../lib/fields';

export type FieldGetter = (o: KObject) => string | undefined;

const get =
  (path: string): FieldGetter =>
  (o) => {
    let cur: unknown = o;
    for (const p of path.split('.'))
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
    return cur === undefined || cur === null ? undefined : String(cur);
  };

const COMMON: Record<string, FieldGetter> = {
  'metadata.name': get('metadata.name'),
  'metadata.namespace': get('metadata.namespace'),
};

// k8s: each registry's GetAttrs / field label conversion funcs.
const FIELDS: Record<string, Record<string, FieldGetter>> = {
  pods: {
    'spec.nodeName': get('spec.nodeName'),
    'spec.restartPolicy': get('spec.restartPolicy'),
    'spec.schedulerName': get('spec.schedulerName'),
    'spec.serviceAccountName': get('spec.serviceAccountName'),
    'spec.hostNetwork': (o) =>
      String(Boolean((o.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork)),
    'status.phase': get('status.phase'),
    'status.podIP': get('status.podIP'),
    'status.nominatedNodeName': get('status.nominatedNodeName'),
  },
  events: {
    'involvedObject.kind': get('involvedObject.kind'),
    'involvedObject.namespace': get('involvedObject.namespace'),
    'involvedObject.name': get('involvedObject.name'),
    'involvedObject.uid': get('involvedObject.uid'),
    'involvedObject.apiVersion': get('involvedObject.apiVersion'),
    'involvedObject.resourceVersion': get('involvedObject.resourceVersion'),
    'involvedObject.fieldPath': get('involvedObject.fieldPath'),
    reason: get('reason'),
    reportingComponent: get('reportingComponent'),
    source: get('source.component'),
    type: get('type'),
  },
  nodes: {
    'spec.unschedulable': (o) =>
      String(Boolean((o.spec as { unschedulable?: boolean } | undefined)?.unschedulable)),
  },
  namespaces: { 'status.phase': get('status.phase') },
  secrets: { type: get('type') },
  replicasets: { 'status.replicas': get('status.replicas') },
};

/**
 * The field labels a resource supports in a field selector; `custom` adds a custom resource
 * version's selectable fields (dotted paths such as "spec.color").
 */
export function fieldGetters(resource: string, custom?: string[]): Record<string, FieldGetter> {
  const out = { ...COMMON, ...(FIELDS[resource] ?? {}) };
  for (const label of custom ?? []) out[label] = get(label);
  return out;
}

/**
 * The field a watch hub indexes its watchers by, so an event reaches only the watchers pinned to
 * its value: every node agent watches its own pods with spec.nodeName=<node>.
 * k8s: pkg/registry/core/pod/storage/storage.go (TriggerFunc: spec.nodeName → NodeNameTriggerFunc)
 */
const TRIGGERS: Record<string, { field: string; value: FieldGetter }> = {
  pods: {
    field: 'spec.nodeName',
    value: (o) => (o.spec as { nodeName?: string } | undefined)?.nodeName ?? '',
  },
};

export function indexedField(resource: string): { field: string; value: FieldGetter } | undefined {
  return TRIGGERS[resource];
}

/** A predicate for objects matching both selectors; undefined when they select everything. */
export function selectionMatcher(
  resource: string,
  labels?: Selector,
  fields?: FieldSelector,
): ((o: KObject) => boolean) | undefined {
  const byLabels = labels && !labels.empty ? labels : undefined;
  const byFields = fields && !fields.empty ? fields : undefined;
  if (!byLabels && !byFields) return undefined;
  const getters = fieldGetters(resource);
  return (o) => {
    if (byLabels && !byLabels.matches(o.metadata?.labels ?? {})) return false;
    // A label no getter knows reaches a matcher only after the API accepted it: a custom
    // resource's selectable field, read by its path (the watch hubs know no CRDs). k8s: an absent
    // selectable field's value is the empty string.
    if (byFields && !byFields.matches((f) => (getters[f] ?? get(f))(o) ?? '')) return false;
    return true;
  };
}
