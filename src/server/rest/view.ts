// Converts between the stored shape and the shape a group/version serves (events.k8s.io/v1 only).
import type { KObject } from '../../api/types';
import type { ResourceInfo } from '../../api/resources';
import { fromEventsV1, toEventsV1 } from '../../api/event-convert';

const isEventsV1 = (r: ResourceInfo) => r.group === 'events.k8s.io' && r.resource === 'events';

export function toView(r: ResourceInfo, stored: KObject): KObject {
  if (isEventsV1(r)) return toEventsV1(stored);
  return stored;
}

export function fromView(r: ResourceInfo, obj: KObject): KObject {
  if (isEventsV1(r)) return fromEventsV1(obj);
  return obj;
}
