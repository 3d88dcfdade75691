// DaemonSet and StatefulSet defaults.
// k8s: pkg/apis/apps/v1/defaults.go SetDefaults_DaemonSet, SetDefaults_StatefulSet
import type { KObject } from '../../api/types';
import { asStr, isSet, objOf, type Obj } from '../validate/fields';
import { each, isNew, struct, templateMetadata, zero } from './always';
import { defaultPodTemplateSpec } from './pod';
import { defaultPvcSpec } from './storage';

function template(spec: Obj): void {
  const t = struct(spec, 'template');
  defaultPodTemplateSpec(t);
  templateMetadata(t);
}

export function defaultDaemonSet(ds: KObject): void {
  const spec = objOf(ds.spec);
  ds.spec = spec;
  const strategy = struct(spec, 'updateStrategy');
  if (!asStr(strategy.type)) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = struct(strategy, 'rollingUpdate');
    if (!isSet(ru.maxUnavailable)) ru.maxUnavailable = 1;
    if (!isSet(ru.maxSurge)) ru.maxSurge = 0;
  }
  if (!isSet(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  template(spec);
  if (isNew(ds)) ds.status = {};
  // These four counters have no omitempty.
  const status = struct(ds as Obj, 'status');
  zero(status, {
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
  });
  for (const c of each(status.conditions)) zero(c, { lastTransitionTime: null });
}

export function defaultStatefulSet(sts: KObject): void {
  const spec = objOf(sts.spec);
  sts.spec = spec;
  if (!isSet(spec.replicas)) spec.replicas = 1;
  if (!asStr(spec.podManagementPolicy)) spec.podManagementPolicy = 'OrderedReady';
  const strategy = struct(spec, 'updateStrategy');
  if (!asStr(strategy.type)) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = struct(strategy, 'rollingUpdate');
    if (!isSet(ru.partition)) ru.partition = 0;
  }
  if (!isSet(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  const retention = struct(spec, 'persistentVolumeClaimRetentionPolicy');
  if (!asStr(retention.whenDeleted)) retention.whenDeleted = 'Retain';
  if (!asStr(retention.whenScaled)) retention.whenScaled = 'Retain';
  template(spec);
  for (const t of each(spec.volumeClaimTemplates)) {
    zero(struct(t, 'metadata'), { creationTimestamp: null });
    defaultPvcSpec(struct(t, 'spec'));
    const status = struct(t, 'status');
    if (!isSet(status.phase)) status.phase = 'Pending';
  }
  if (isNew(sts)) sts.status = {};
  const status = struct(sts as Obj, 'status');
  zero(status, { replicas: 0, availableReplicas: 0 });
  for (const c of each(status.conditions)) zero(c, { lastTransitionTime: null });
}
