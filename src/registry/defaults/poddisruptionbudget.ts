// PodDisruptionBudget: policy/v1 has no field defaults; a new one starts from an empty status whose
// counters Go always emits (no omitempty on them).
// k8s: pkg/registry/policy/poddisruptionbudget/strategy.go PrepareForCreate, api/policy/v1 types.go
import type { KObject } from '../../api/types';
import type { Obj } from '../validate/fields';
import { each, isNew, struct, zero } from './always';

export function defaultPodDisruptionBudget(pdb: KObject): void {
  if (!pdb.spec) pdb.spec = {};
  if (isNew(pdb)) pdb.status = {};
  const status = struct(pdb as Obj, 'status');
  zero(status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  for (const c of each(status.conditions)) zero(c, { message: '' });
}
