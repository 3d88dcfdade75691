// ReplicationController defaults: selector and labels from the template, one replica, template defaults.
// k8s: pkg/apis/core/v1/defaults.go SetDefaults_ReplicationController
import type { KObject } from '../../api/types';
import { asObj, isSet, objOf, type Obj } from '../validate/fields';
import { each, isNew, struct, templateMetadata, zero } from './always';
import { defaultPodTemplateSpec } from './pod';

export function defaultReplicationController(rc: KObject): void {
  const spec = objOf(rc.spec);
  rc.spec = spec;
  const template = asObj(spec.template);
  if (template) {
    const labels = asObj(asObj(template.metadata)?.labels);
    if (labels && Object.keys(labels).length) {
      if (!Object.keys(objOf(spec.selector)).length) spec.selector = { ...labels };
      if (!Object.keys(objOf(rc.metadata.labels)).length)
        rc.metadata.labels = { ...labels } as Record<string, string>;
    }
    defaultPodTemplateSpec(template);
    templateMetadata(template);
  }
  if (!isSet(spec.replicas)) spec.replicas = 1;
  if (isNew(rc)) rc.status = {};
  // ReplicationControllerStatus.replicas has no omitempty.
  const status = struct(rc as Obj, 'status');
  zero(status, { replicas: 0 });
  for (const c of each(status.conditions)) zero(c, { lastTransitionTime: null });
}
