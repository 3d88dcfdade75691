// Job and CronJob defaults, and the selector a Job gets on create (its uid labels), as the Job strategy makes it.
// k8s: pkg/apis/batch/v1/defaults.go SetDefaults_Job, SetDefaults_CronJob; pkg/registry/batch/job/strategy.go generateSelector
import {
  CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
} from '../../api/batch';
import type { KObject } from '../../api/types';
import { asArr, isSet, objOf, type Obj } from '../validate/fields';
import { each, isNew, struct, templateMetadata, zero } from './always';
import { defaultPodTemplateSpec } from './pod';

const MAX_INT32 = 2147483647;

export function defaultJob(job: KObject): void {
  const spec = objOf(job.spec);
  job.spec = spec;
  if (!isSet(spec.completions) && !isSet(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (!isSet(spec.parallelism)) spec.parallelism = 1;
  if (!isSet(spec.backoffLimit))
    spec.backoffLimit = isSet(spec.backoffLimitPerIndex) ? MAX_INT32 : 6;
  if (!isSet(spec.completionMode)) spec.completionMode = 'NonIndexed';
  if (!isSet(spec.suspend)) spec.suspend = false;
  if (!isSet(spec.podReplacementPolicy))
    spec.podReplacementPolicy = isSet(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed';
  for (const rule of each(objOf(spec.podFailurePolicy).rules))
    for (const p of each(rule.onPodConditions)) if (!isSet(p.status)) p.status = 'True';
  const template = struct(spec, 'template');
  defaultPodTemplateSpec(template);
  templateMetadata(template);
  // k8s: strategy.go PrepareForCreate starts from an empty status.
  if (isNew(job)) job.status = {};
  struct(job as Obj, 'status');
}

/**
 * Runs once the Job has its name and uid: unless spec.manualSelector is true, the pods get the
 * job-name and controller-uid labels and the selector selects the uid, so no other Job's pods match.
 */
export function generateJobSelector(job: KObject): void {
  const spec = objOf(job.spec);
  if (spec.manualSelector === true) return;
  const template = struct(spec, 'template');
  const meta = struct(template, 'metadata');
  const labels = struct(meta, 'labels') as Record<string, unknown>;
  const name = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  // A label the user set is kept: validation rejects it when it conflicts.
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[k] ??= name;
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) labels[k] ??= uid;
  const selector = struct(spec, 'selector');
  const matchLabels = struct(selector, 'matchLabels');
  matchLabels[CONTROLLER_UID_LABEL] ??= uid;
}

export function defaultCronJob(cj: KObject): void {
  const spec = objOf(cj.spec);
  cj.spec = spec;
  if (!isSet(spec.concurrencyPolicy)) spec.concurrencyPolicy = 'Allow';
  if (!isSet(spec.suspend)) spec.suspend = false;
  if (!isSet(spec.successfulJobsHistoryLimit)) spec.successfulJobsHistoryLimit = 3;
  if (!isSet(spec.failedJobsHistoryLimit)) spec.failedJobsHistoryLimit = 1;
  const jobTemplate = struct(spec, 'jobTemplate');
  zero(struct(jobTemplate, 'metadata'), { creationTimestamp: null });
  const jobSpec = struct(jobTemplate, 'spec');
  const template = struct(jobSpec, 'template');
  defaultPodTemplateSpec(template);
  templateMetadata(template);
  for (const rule of each(objOf(jobSpec.podFailurePolicy).rules))
    for (const p of asArr(rule.onPodConditions).map(objOf)) if (!isSet(p.status)) p.status = 'True';
  if (isNew(cj)) cj.status = {};
  struct(cj as Obj, 'status');
}
