// Job controller: runs a Job's pods to completion, counting each finished pod exactly once.
// k8s: pkg/controller/job/job_controller.go (event handlers, syncJob entry)
import {
  JOB_NAME_LABEL,
  JOB_TRACKING_FINALIZER,
  LEGACY_JOB_NAME_LABEL,
  jobFinished,
  type Job,
} from '../../../src/api/batch';
import type { Pod } from '../../../src/api/core';
import { controllerOf, controllerRef } from '../../../src/api/owner';
import type { KObject } from '../../../src/api/types';
import { isNotFound } from '../../../src/client/errors';
import { objectKey } from '../../../src/client/informer';
import { selectorFromLabelSelector } from '../../../src/lib/labels';
import { namespaceOf } from '../../shared/cache';
import { keyOf, splitKey } from '../../shared/controller';
import { ControllerExpectations } from '../../shared/expectations';
import type { KeyedContext, KeyedControllerDef } from '../framework';
import { claimObjects, stillLive } from '../lib/claim';
import { FinalizerExpectations } from './finalizer-expectations';
import { JobSync, MANAGER } from './sync';
import { hasTrackingFinalizer } from './util';

export const JOBS = 'batch/v1/jobs';

const jobNameOf = (p: KObject) =>
  p.metadata.labels?.[JOB_NAME_LABEL] ?? p.metadata.labels?.[LEGACY_JOB_NAME_LABEL];

function selects(job: Job, pod: KObject): boolean {
  try {
    return selectorFromLabelSelector(job.spec.selector).matches(pod.metadata.labels);
  } catch {
    return false;
  }
}

/**
 * The Job keys a pod concerns: its controlling Job; for an orphan, every Job whose selector matches
 * it, or when none does and it still has the tracking finalizer (its Job was deleted with
 * --cascade=orphan), the Job it was made for, which then releases it.
 */
function jobsForPod(pod: KObject, cache: KeyedContext['cache']): string[] {
  const ref = controllerOf(pod);
  if (ref) return ref.kind === 'Job' ? [keyOf(pod.metadata.namespace, ref.name)] : [];
  const matching = pod.metadata.deletionTimestamp
    ? []
    : cache
        .kind<Job>(JOBS)
        .byIndex('namespace', pod.metadata.namespace ?? '')
        .filter((j) => selects(j, pod))
        .map((j) => objectKey(j));
  if (matching.length) return matching;
  const made = jobNameOf(pod);
  return made && hasTrackingFinalizer(pod as Pod) ? [keyOf(pod.metadata.namespace, made)] : [];
}

/** A Job that is gone or finished leaves its pods' tracking finalizers behind: remove them. */
async function releasePods(ctx: KeyedContext, pods: Pod[]): Promise<void> {
  for (const p of pods) {
    if (!hasTrackingFinalizer(p)) continue;
    ctx.budget.take();
    try {
      await ctx.client.patch(
        'pods',
        p.metadata.name!,
        'strategic',
        { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } },
        { namespace: p.metadata.namespace, fieldManager: MANAGER },
      );
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

export function jobController(
  expectations = new ControllerExpectations(),
  finalizers = new FinalizerExpectations(),
): KeyedControllerDef {
  return {
    name: 'job',
    reconciles: JOBS,
    reads: [JOBS, 'pods'],
    watches: [{ resource: 'pods', map: jobsForPod }],
    indexes: [
      { resource: 'pods', name: 'namespace', fn: namespaceOf },
      { resource: JOBS, name: 'namespace', fn: namespaceOf },
    ],
    // k8s: addPod / updatePod / deletePod lower the Job's expectations, and a pod seen without its
    // finalizer (or gone) satisfies the expected finalizer removal.
    observe(resource, event) {
      if (resource !== 'pods') return;
      const ref = controllerOf(event.object);
      if (!ref || ref.kind !== 'Job') return;
      const jobKey = keyOf(event.object.metadata.namespace, ref.name);
      const podKey = objectKey(event.object);
      if (event.type === 'ADDED') {
        if (event.object.metadata.deletionTimestamp) expectations.deletionObserved(jobKey, podKey);
        else expectations.creationObserved(jobKey);
      } else if (
        event.type === 'DELETED' ||
        (event.object.metadata.deletionTimestamp && !event.oldObject?.metadata.deletionTimestamp)
      ) {
        expectations.deletionObserved(jobKey, podKey);
      }
      if (event.type === 'DELETED' || !hasTrackingFinalizer(event.object as Pod))
        finalizers.observed(jobKey, event.object.metadata.uid!);
    },
    async reconcile(ctx, key) {
      const job = ctx.cache.kind<Job>(JOBS).get(key);
      const { namespace, name } = splitKey(key);
      const nsPods = ctx.cache.kind<Pod>('pods').byIndex('namespace', namespace ?? '');
      // k8s: orphan pods keep no Job's finalizer (cleanupOrphanPods), unless a Job will adopt them.
      const strays = nsPods.filter(
        (p) =>
          !controllerOf(p) &&
          hasTrackingFinalizer(p) &&
          jobNameOf(p) === name &&
          !(job && !job.metadata.deletionTimestamp && selects(job, p)),
      );
      if (strays.length) await releasePods(ctx, strays);
      if (!job) {
        expectations.delete(key);
        finalizers.delete(key);
        const orphans = nsPods.filter((p) => {
          const ref = controllerOf(p);
          return ref?.kind === 'Job' && ref.name === name;
        });
        await releasePods(ctx, orphans);
        return;
      }
      if (job.spec.managedBy && job.spec.managedBy !== 'kubernetes.io/job-controller') return;
      const owned = nsPods.filter((p) => controllerOf(p)?.uid === job.metadata.uid);
      if (jobFinished(job)) {
        await releasePods(ctx, owned);
        return;
      }
      const selector = selectorFromLabelSelector(job.spec.selector);
      const claim = await claimObjects(
        {
          ctx,
          budget: ctx.budget,
          manager: MANAGER,
          owner: job,
          ref: controllerRef(job, 'batch/v1', 'Job'),
          resource: 'pods',
          selector,
          canAdopt: () => stillLive(ctx, JOBS, job),
        },
        nsPods.filter((p) => {
          const ref = controllerOf(p);
          return ref ? ref.uid === job.metadata.uid : !p.metadata.deletionTimestamp;
        }),
      );
      const s = new JobSync(ctx, key, expectations, finalizers, job, claim.claimed);
      await s.run();
      if (s.error && expectations.satisfied(key)) throw new Error(s.error);
      if (s.more || claim.conflicted) return { requeueAfterMs: 0 };
      return s.requeueAfterMs !== undefined
        ? { requeueAfterMs: s.requeueAfterMs + 100 }
        : undefined;
    },
  };
}
