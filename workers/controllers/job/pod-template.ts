// The pod a Job creates: its template, the tracking finalizer, and for Indexed Jobs the completion index
// (annotation, label, hostname, and JOB_COMPLETION_INDEX from the annotation through the downward API).
// k8s: pkg/controller/job/indexed_job_utils.go addCompletionIndexEnvVariables, addCompletionIndexAnnotation
import {
  JOB_COMPLETION_INDEX_ANNOTATION,
  JOB_COMPLETION_INDEX_ENV,
  JOB_COMPLETION_INDEX_LABEL,
  JOB_INDEX_FAILURE_COUNT_ANNOTATION,
  JOB_TRACKING_FINALIZER,
  type Job,
} from '../../../src/api/batch';
import type { Container, Pod } from '../../../src/api/core';
import { controllerRef } from '../../../src/api/owner';
import type { ObjectMeta } from '../../../src/api/types';

function addIndexEnv(containers: Container[] | undefined): void {
  for (const c of containers ?? []) {
    const env = (c.env as { name: string }[] | undefined) ?? [];
    if (env.some((e) => e.name === JOB_COMPLETION_INDEX_ENV)) continue;
    c.env = [
      ...env,
      {
        name: JOB_COMPLETION_INDEX_ENV,
        valueFrom: {
          fieldRef: {
            apiVersion: 'v1',
            fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX_ANNOTATION}']`,
          },
        },
      },
    ];
  }
}

/** k8s: podGenerateNameWithIndex: "<job>-<index>-", shortened so the name stays within 63 characters. */
function generateNameWithIndex(job: string, index: number): string {
  const suffix = `-${index}-`;
  const max = 58 - suffix.length;
  return (job.length > max ? job.slice(0, max) : job) + suffix;
}

export function podForJob(job: Job, index?: number, indexFailures?: number): Pod {
  const t = job.spec.template ?? {};
  const meta: ObjectMeta = {
    generateName: `${job.metadata.name}-`,
    namespace: job.metadata.namespace,
    labels: { ...(t.metadata?.labels ?? {}) },
    annotations: { ...(t.metadata?.annotations ?? {}) },
    finalizers: [
      ...(t.metadata?.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER),
      JOB_TRACKING_FINALIZER,
    ],
    ownerReferences: [controllerRef(job, 'batch/v1', 'Job')],
  };
  const spec = structuredClone(t.spec ?? {}) as Pod['spec'] & Record<string, unknown>;
  if (index !== undefined) {
    meta.generateName = generateNameWithIndex(job.metadata.name!, index);
    meta.annotations![JOB_COMPLETION_INDEX_ANNOTATION] = String(index);
    meta.labels![JOB_COMPLETION_INDEX_LABEL] = String(index);
    if (indexFailures !== undefined)
      meta.annotations![JOB_INDEX_FAILURE_COUNT_ANNOTATION] = String(indexFailures);
    spec.hostname = `${job.metadata.name}-${index}`;
    addIndexEnv(spec.containers);
    addIndexEnv(spec.initContainers);
  }
  if (!Object.keys(meta.annotations!).length) delete meta.annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec };
}
