// ReplicaSet defaults: one replica and the pod template defaults.
// k8s: pkg/apis/apps/v1/defaults.go SetDefaults_ReplicaSet
import type { KObject } from '../../api/types';
import { isSet, objOf, type Obj } from '../validate/fields';
import { each, isNew, struct, templateMetadata, zero } from './always';
import { defaultPodTemplateSpec } from './pod';

export function defaultReplicaSet(rs: KObject): void {
  const spec = objOf(rs.spec);
  rs.spec = spec;
  if (!isSet(spec.replicas)) spec.replicas = 1;
  const template = struct(spec, 'template');
  defaultPodTemplateSpec(template);
  templateMetadata(template);
  // k8s: pkg/registry/apps/replicaset/strategy.go PrepareForCreate starts from an empty status.
  if (isNew(rs)) rs.status = {};
  // ReplicaSetStatus.replicas has no omitempty: a new ReplicaSet shows `status: {replicas: 0}`.
  const status = struct(rs as Obj, 'status');
  zero(status, { replicas: 0 });
  for (const c of each(status.conditions)) zero(c, { lastTransitionTime: null });
}
