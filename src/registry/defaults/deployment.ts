// Deployment defaults: one replica, a 25%/25% rolling update, history and progress deadline, template defaults.
// k8s: pkg/apis/apps/v1/defaults.go SetDefaults_Deployment
import type { KObject } from '../../api/types';
import { asStr, isSet, objOf } from '../validate/fields';
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
  spec.template = objOf(spec.template);
  defaultPodTemplateSpec(spec.template);
}
