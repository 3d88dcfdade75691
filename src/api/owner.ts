// Owner references: the controlling owner of an object, and the reference a controller puts on what it creates.
// k8s: staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/controller_ref.go (GetControllerOf, NewControllerRef)
import type { KObject, OwnerReference } from './types';

export const controllerOf = (o: KObject): OwnerReference | undefined =>
  o.metadata.ownerReferences?.find((r) => r.controller);

export function controllerRef(owner: KObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}
