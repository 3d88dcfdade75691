// Lease defaults: none, but LeaseSpec is a struct, so a Lease always shows `spec: {}`.
// k8s: staging/src/k8s.io/api/coordination/v1/types.go (Spec LeaseSpec `json:"spec,omitempty"`)
import type { KObject } from '../../api/types';
import type { Obj } from '../validate/fields';
import { struct } from './always';

export function defaultLease(lease: KObject): void {
  struct(lease as Obj, 'spec');
}
