// Converts between the stored shape and the shape a group/version serves (events.k8s.io/v1 only).
import type { KObject } from '../../api/types';
import type { ResourceInfo } from '../../api/resources';
import { fromEventsV1, toEventsV1 } from '../../api/event-convert';
import { strategyFor } from '../../registry/strategies';

const isEventsV1 = (r: ResourceInfo) => r.group === 'events.k8s.io' && r.resource === 'events';

export function toView(r: ResourceInfo, stored: KObject): KObject {
  // Defaulting runs on every read too, as the apiserver's storage codec defaults what it decodes:
  // an object written before a default existed is served with it. (Defaults are idempotent.)
  // k8s: staging/src/k8s.io/apimachinery/pkg/runtime/serializer/versioning/versioning.go Decode
  strategyFor(r.group, r.resource).applyDefaults(stored);
  if (isEventsV1(r)) return toEventsV1(stored);
  return stored;
}

export function fromView(r: ResourceInfo, obj: KObject): KObject {
  if (isEventsV1(r)) return fromEventsV1(obj);
  return obj;
}
