// Fields the apiserver always writes, even empty: Go's encoding/json emits every non-pointer struct
// (omitempty does not apply to structs), every field without omitempty, and a zero metav1.Time as null.
// These helpers add them so stored objects, and so every response and watch event, have the same shape.
// k8s: staging/src/k8s.io/api/*/v1/types.go json tags; apimachinery meta/v1/time.go (MarshalJSON of the zero Time)
import type { KObject } from '../../api/types';
import { asArr, isObj, type Obj } from '../validate/fields';

/** The object at `key`, made an (empty) object when absent or not one: a struct Go always emits. */
export function struct(parent: Obj, key: string): Obj {
  if (!isObj(parent[key])) parent[key] = {};
  return parent[key] as Obj;
}

/** Fields with a zero value Go always emits (no omitempty, or a metav1.Time that marshals to null). */
export function zero(o: Obj, defaults: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(defaults)) if (o[k] === undefined) o[k] = v;
}

/** Each element of a list that is an object; anything else is left for validation to report. */
export function each(list: unknown): Obj[] {
  return asArr(list).filter(isObj);
}

/** A new object: create clears these before defaulting; an update carries the stored ones. */
export function isNew(obj: KObject): boolean {
  return !obj.metadata.uid && !obj.metadata.resourceVersion && !obj.metadata.creationTimestamp;
}

/** A PodTemplateSpec's metadata: an embedded ObjectMeta, whose zero creationTimestamp shows as null. */
export function templateMetadata(template: Obj): void {
  zero(struct(template, 'metadata'), { creationTimestamp: null });
}
