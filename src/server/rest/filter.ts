// Label and field selectors for list and watch, with the field labels each resource supports.
import type { KObject } from '../../api/types';
import type { ResourceInfo } from '../../api/resources';
import { parseLabelSelector, SelectorParseError, type Selector } from '../../lib/labels';
import { parseFieldSelector, FieldSelectorParseError, type FieldSelector } from '../../lib/fields';
import { errors } from '../errors';

type Getter = (o: KObject) => string | undefined;
const get = (path: string): Getter => (o) => {
  let cur: unknown = o;
  for (const p of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur === undefined || cur === null ? undefined : String(cur);
};

const COMMON: Record<string, Getter> = { 'metadata.name': get('metadata.name'), 'metadata.namespace': get('metadata.namespace') };

// k8s: each registry's GetAttrs / field label conversion funcs.
const FIELDS: Record<string, Record<string, Getter>> = {
  pods: {
    'spec.nodeName': get('spec.nodeName'),
    'spec.restartPolicy': get('spec.restartPolicy'),
    'spec.schedulerName': get('spec.schedulerName'),
    'spec.serviceAccountName': get('spec.serviceAccountName'),
    'spec.hostNetwork': (o) => String(Boolean((o.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork)),
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
  nodes: { 'spec.unschedulable': (o) => String(Boolean((o.spec as { unschedulable?: boolean } | undefined)?.unschedulable)) },
  namespaces: { 'status.phase': get('status.phase') },
  secrets: { type: get('type') },
  replicasets: { 'status.replicas': get('status.replicas') },
};

export interface ObjectFilter {
  labels?: Selector;
  fields?: FieldSelector;
  matches(o: KObject): boolean;
  empty: boolean;
}

export function parseFilter(r: ResourceInfo, query: URLSearchParams): ObjectFilter {
  let labels: Selector | undefined;
  let fields: FieldSelector | undefined;
  const ls = query.get('labelSelector');
  const fs = query.get('fieldSelector');
  try {
    if (ls) labels = parseLabelSelector(ls);
  } catch (e) {
    if (e instanceof SelectorParseError) throw errors.badRequest(`unable to parse requirement: ${e.message}`);
    throw e;
  }
  const getters = { ...COMMON, ...(FIELDS[r.resource] ?? {}) };
  try {
    if (fs) fields = parseFieldSelector(fs);
  } catch (e) {
    if (e instanceof FieldSelectorParseError) throw errors.badRequest(`invalid field selector: ${e.message}`);
    throw e;
  }
  for (const req of fields?.requirements ?? []) {
    if (!getters[req.field]) throw errors.badRequest(`field label not supported: ${req.field}`);
  }
  const empty = (!labels || labels.empty) && (!fields || fields.empty);
  return {
    labels,
    fields,
    empty,
    matches(o: KObject) {
      if (labels && !labels.empty && !labels.matches(o.metadata.labels ?? {})) return false;
      if (fields && !fields.empty && !fields.matches((f) => getters[f]?.(o) ?? '')) return false;
      return true;
    },
  };
}
