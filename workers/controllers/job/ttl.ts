// TTL-after-finished controller: deletes a finished Job (and, through the garbage collector, its pods)
// ttlSecondsAfterFinished after it finished. k8s: pkg/controller/ttlafterfinished/ttlafterfinished_controller.go
import { jobFinished, type Job } from '../../../src/api/batch';
import { isNotFound, isConflict } from '../../../src/client/errors';
import { parseTime } from '../../../src/lib/time';
import type { KeyedControllerDef } from '../framework';

const JOBS = 'batch/v1/jobs';

/** When the Job may be deleted (ms since the epoch), or undefined when it has no TTL or is not finished. */
export function expireAt(job: Job): number | undefined {
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata.deletionTimestamp) return undefined;
  const finished = jobFinished(job);
  if (!finished) return undefined;
  const at = parseTime(finished.time);
  return at === undefined ? undefined : at + ttl * 1000;
}

export const ttlAfterFinishedController: KeyedControllerDef = {
  name: 'ttl-after-finished',
  reconciles: JOBS,
  reads: [JOBS],
  async reconcile(ctx, key) {
    const job = ctx.cache.kind<Job>(JOBS).get(key);
    if (!job) return;
    const at = expireAt(job);
    if (at === undefined) return;
    const wait = at - ctx.now();
    if (wait > 0) return { requeueAfterMs: wait };
    ctx.budget.take();
    try {
      // k8s: the controller deletes with Foreground propagation and the Job's uid as precondition.
      await ctx.client.delete(JOBS, job.metadata.name!, {
        namespace: job.metadata.namespace,
        propagationPolicy: 'Foreground',
        preconditions: { uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion },
      });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
    return undefined;
  },
};
