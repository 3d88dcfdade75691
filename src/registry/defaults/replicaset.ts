// ReplicaSet defaults: one replica and the pod template defaults.
// k8s: pkg/apis/apps/v1/defaults.go SetDefaults_ReplicaSet
import type { KObject } from '../../api/types';
import { isSet, objOf } from '../validate/fields';
import { defaultPodTemplateSpec } from './pod';

export function defaultReplicaSet(rs: KObject): void {
  const spec = objOf(rs.spec);
  rs.spec = spec;
  if (!isSet(spec.replicas)) spec.replicas = 1;
  spec.template = objOf(spec.template);
  defaultPodTemplateSpec(spec.template);
}
