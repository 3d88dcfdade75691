// core/v1 and events.k8s.io/v1 Events are one stored object in two shapes (as in Kubernetes).
import type { KObject } from './types';

type Obj = Record<string, unknown>;

/** events.k8s.io/v1 view of a stored (core/v1) Event. */
export function toEventsV1(core: KObject): KObject {
  const c = core as Obj;
  const out: Obj = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: core.metadata };
  const map: [string, string][] = [
    ['eventTime', 'eventTime'],
    ['series', 'series'],
    ['reportingComponent', 'reportingController'],
    ['reportingInstance', 'reportingInstance'],
    ['action', 'action'],
    ['reason', 'reason'],
    ['involvedObject', 'regarding'],
    ['related', 'related'],
    ['message', 'note'],
    ['type', 'type'],
    ['source', 'deprecatedSource'],
    ['firstTimestamp', 'deprecatedFirstTimestamp'],
    ['lastTimestamp', 'deprecatedLastTimestamp'],
    ['count', 'deprecatedCount'],
  ];
  for (const [from, to] of map) if (c[from] !== undefined) out[to] = c[from];
  if (out.eventTime === undefined) out.eventTime = null;
  // core/v1 always writes these two, empty or not; events.k8s.io/v1 omits them when empty.
  if (out.reportingController === '') delete out.reportingController;
  if (out.reportingInstance === '') delete out.reportingInstance;
  return out as KObject;
}

/** core/v1 shape of an events.k8s.io/v1 Event, for storage. */
export function fromEventsV1(ev: KObject): KObject {
  const e = ev as Obj;
  const out: Obj = { apiVersion: 'v1', kind: 'Event', metadata: ev.metadata };
  const map: [string, string][] = [
    ['eventTime', 'eventTime'],
    ['series', 'series'],
    ['reportingController', 'reportingComponent'],
    ['reportingInstance', 'reportingInstance'],
    ['action', 'action'],
    ['reason', 'reason'],
    ['regarding', 'involvedObject'],
    ['related', 'related'],
    ['note', 'message'],
    ['type', 'type'],
    ['deprecatedSource', 'source'],
    ['deprecatedFirstTimestamp', 'firstTimestamp'],
    ['deprecatedLastTimestamp', 'lastTimestamp'],
    ['deprecatedCount', 'count'],
  ];
  for (const [from, to] of map) if (e[from] !== undefined) out[to] = e[from];
  return out as KObject;
}
