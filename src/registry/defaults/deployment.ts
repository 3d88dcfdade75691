// Deployment defaults: one replica, a 25%/25% rolling update, history and progress deadline, template defaults.
// k8s: pkg/apis/apps/v1/defaults.go SetDefaults_Deployment
import type { KObject } from '../../api/types';
import { asStr, isSet, objOf, type Obj } from '../validate/fields';
import { each, isNew, struct, templateMetadata, zero } from './always';
import { defaultPodTemplateSpec } from './pod';

export function defaultDeployment(d: KObject): void {
  const spec = objOf(d.spec);
  d.spec = spec;
  if (!isSet(spec.replicas)) spec.replicas = 1;
  const strategy = objOf(spec.strategy);
  spec.strategy = strategy;
  if (!asStr(strategy.type)) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = objOf(strategy.rollingUpdate);
    strategy.rollingUpdate = ru;
    if (!isSet(ru.maxUnavailable)) ru.maxUnavailable = '25%';
    if (!isSet(ru.maxSurge)) ru.maxSurge = '25%';
  }
  if (!isSet(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  if (!isSet(spec.progressDeadlineSeconds)) spec.progressDeadlineSeconds = 600;
  const template = struct(spec, 'template');
  defaultPodTemplateSpec(template);
  templateMetadata(template);
  // k8s: pkg/registry/apps/deployment/strategy.go PrepareForCreate starts from an empty status.
  if (isNew(d)) d.status = {};
  // DeploymentStatus is a struct (`status: {}` before the controller writes one).
  const status = struct(d as Obj, 'status');
  for (const c of each(status.conditions))
    zero(c, { lastUpdateTime: null, lastTransitionTime: null });
}
