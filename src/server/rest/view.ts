// Converts between the stored shape and the shape a group/version serves (the kind's view hooks).
import type { KObject } from '../../api/types';
import type { ResourceInfo } from '../../api/resources';
import { definitionFor } from '../../registry/registry';

export function toView(r: ResourceInfo, stored: KObject): KObject {
  const def = definitionFor(r);
  // Defaulting runs on every read too, as the apiserver's storage codec defaults what it decodes:
  // an object written before a default existed is served with it. (Defaults are idempotent.)
  // k8s: staging/src/k8s.io/apimachinery/pkg/runtime/serializer/versioning/versioning.go Decode
  def.strategy.applyDefaults(stored);
  return def.view ? def.view.toView(stored) : stored;
}

export function fromView(r: ResourceInfo, obj: KObject): KObject {
  const view = definitionFor(r).view;
  return view ? view.fromView(obj) : obj;
}
