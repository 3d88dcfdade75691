// Schemas of batch/v1 Job and CronJob.
import {
  CORE,
  META,
  type Schema,
  atomic,
  bool,
  gvk,
  int32,
  int64,
  kind,
  list,
  obj,
  ref,
  str,
  time,
} from './dsl';

export const BATCH = 'io.k8s.api.batch.v1.';
const CONDITION_STATUS = ['False', 'True', 'Unknown'];

export const batchDefs: Record<string, Schema> = {
  [BATCH + 'Job']: kind(
    'Runs pods until a number of them finish successfully.',
    gvk('batch', 'v1', 'Job'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(BATCH + 'JobSpec', 'Desired behaviour of the Job.'),
      status: ref(BATCH + 'JobStatus', 'Current status of the Job.'),
    },
  ),

  [BATCH + 'JobSpec']: obj(
    'Desired behaviour of a Job.',
    {
      parallelism: int32('Most pods running at once. Defaults to 1.'),
      completions: int32(
        'Successful pods needed; unset means any one success finishes the Job. Defaults to 1 when parallelism is unset too.',
      ),
      activeDeadlineSeconds: int64(
        'Seconds from startTime after which the Job fails with DeadlineExceeded and its pods are stopped.',
      ),
      podFailurePolicy: ref(
        BATCH + 'PodFailurePolicy',
        'How failed pods count: rules on exit codes and pod conditions (FailJob, FailIndex, Ignore, Count). Needs restartPolicy Never.',
      ),
      successPolicy: ref(
        BATCH + 'SuccessPolicy',
        'When an Indexed Job counts as succeeded before every index is done.',
      ),
      backoffLimit: int32('Failed pods tolerated before the Job fails. Defaults to 6.'),
      backoffLimitPerIndex: int32('Failures tolerated per index of an Indexed Job.'),
      maxFailedIndexes: int32(
        'Failed indexes tolerated before the Job fails; only with backoffLimitPerIndex.',
      ),
      selector: ref(
        META + 'LabelSelector',
        'Pods of this Job. Generated from the Job uid unless manualSelector is true.',
      ),
      manualSelector: bool('When true, spec.selector is the user’s own and is not generated.'),
      template: ref(CORE + 'PodTemplateSpec', 'The pods to run; restartPolicy Never or OnFailure.'),
      ttlSecondsAfterFinished: int32('Seconds after the Job finishes before it is deleted.'),
      completionMode: str('NonIndexed (default) or Indexed: each pod gets a completion index.', [
        'Indexed',
        'NonIndexed',
      ]),
      suspend: bool('When true, no pods are created and running ones are deleted.'),
      podReplacementPolicy: str('When a replacement pod is created.', [
        'Failed',
        'TerminatingOrFailed',
      ]),
      managedBy: str('The controller that reconciles the Job; unset means the built-in one.'),
    },
    { required: ['template'] },
  ),

  [BATCH + 'PodFailurePolicy']: obj(
    'Rules that decide what a failed pod means.',
    {
      rules: atomic(
        ref(BATCH + 'PodFailurePolicyRule'),
        'Evaluated in order; the first match wins.',
      ),
    },
    { required: ['rules'] },
  ),

  [BATCH + 'PodFailurePolicyRule']: obj(
    'One pod failure policy rule: an action and exactly one requirement.',
    {
      action: str('What a matching failure does.', ['Count', 'FailIndex', 'FailJob', 'Ignore']),
      onExitCodes: ref(BATCH + 'PodFailurePolicyOnExitCodesRequirement', 'Exit codes to match.'),
      onPodConditions: atomic(
        ref(BATCH + 'PodFailurePolicyOnPodConditionsPattern'),
        'Pod conditions to match.',
      ),
    },
    { required: ['action'] },
  ),

  [BATCH + 'PodFailurePolicyOnExitCodesRequirement']: obj(
    'Matches a terminated container by exit code.',
    {
      containerName: str('Only this container; unset matches any.'),
      operator: str('In or NotIn.', ['In', 'NotIn']),
      values: list(int32(), { desc: 'Exit codes, ordered, without duplicates.', listType: 'set' }),
    },
    { required: ['operator', 'values'] },
  ),

  [BATCH + 'PodFailurePolicyOnPodConditionsPattern']: obj(
    'Matches a pod condition.',
    {
      type: str('Pod condition type, such as DisruptionTarget.'),
      status: str('Condition status to match. Defaults to True.', CONDITION_STATUS),
    },
    { required: ['type'] },
  ),

  [BATCH + 'SuccessPolicy']: obj(
    'When an Indexed Job succeeds early.',
    { rules: atomic(ref(BATCH + 'SuccessPolicyRule'), 'Any rule met is enough.') },
    { required: ['rules'] },
  ),

  [BATCH + 'SuccessPolicyRule']: obj('One success policy rule.', {
    succeededIndexes: str('Indexes that must succeed, such as "0,2-4".'),
    succeededCount: int32('How many of those indexes (or of all) must succeed.'),
  }),

  [BATCH + 'JobStatus']: obj('Observed state of a Job.', {
    conditions: atomic(
      ref(BATCH + 'JobCondition'),
      'Complete, Failed, Suspended, FailureTarget, SuccessCriteriaMet.',
    ),
    startTime: time('When the Job started (or was last resumed).'),
    completionTime: time('When the Job completed; set only on success.'),
    active: int32('Pods pending or running.'),
    succeeded: int32('Pods that succeeded.'),
    failed: int32('Pods that failed.'),
    terminating: int32('Pods being deleted.'),
    completedIndexes: str('Succeeded indexes of an Indexed Job, such as "1,3-5".'),
    failedIndexes: str('Failed indexes of a Job with backoffLimitPerIndex.'),
    uncountedTerminatedPods: ref(
      BATCH + 'UncountedTerminatedPods',
      'Finished pods whose result is recorded but not yet added to the counters.',
    ),
    ready: int32('Active pods that are ready.'),
  }),

  [BATCH + 'UncountedTerminatedPods']: obj('UIDs of finished pods not yet counted.', {
    succeeded: list(str(), { desc: 'Succeeded pod UIDs.', listType: 'set' }),
    failed: list(str(), { desc: 'Failed pod UIDs.', listType: 'set' }),
  }),

  [BATCH + 'JobCondition']: obj(
    'One condition of a Job.',
    {
      type: str('Condition type.'),
      status: str('Whether the condition holds.', CONDITION_STATUS),
      lastProbeTime: time('Last time the condition was checked.'),
      lastTransitionTime: time('When status last changed.'),
      reason: str('CamelCase reason, such as BackoffLimitExceeded.'),
      message: str('Human-readable details.'),
    },
    { required: ['type', 'status'] },
  ),

  [BATCH + 'CronJob']: kind('Creates Jobs on a schedule.', gvk('batch', 'v1', 'CronJob'), {
    metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
    spec: ref(BATCH + 'CronJobSpec', 'Schedule and Job template.'),
    status: ref(BATCH + 'CronJobStatus', 'Current status of the CronJob.'),
  }),

  [BATCH + 'CronJobSpec']: obj(
    'Desired behaviour of a CronJob.',
    {
      schedule: str('Cron schedule, such as "*/5 * * * *" or "@hourly".'),
      timeZone: str('IANA time zone the schedule is read in; defaults to the controller’s (UTC).'),
      startingDeadlineSeconds: int64(
        'Seconds after a missed schedule in which it may still start.',
      ),
      concurrencyPolicy: str('Allow (default), Forbid or Replace concurrent runs.', [
        'Allow',
        'Forbid',
        'Replace',
      ]),
      suspend: bool('When true, no further runs start. Defaults to false.'),
      jobTemplate: ref(BATCH + 'JobTemplateSpec', 'The Job each run creates.'),
      successfulJobsHistoryLimit: int32('Finished successful Jobs kept. Defaults to 3.'),
      failedJobsHistoryLimit: int32('Failed Jobs kept. Defaults to 1.'),
    },
    { required: ['schedule', 'jobTemplate'] },
  ),

  [BATCH + 'JobTemplateSpec']: obj('The Job a CronJob creates.', {
    metadata: ref(META + 'ObjectMeta', 'Labels and annotations copied to each Job.'),
    spec: ref(BATCH + 'JobSpec', 'Spec of each Job.'),
  }),

  [BATCH + 'CronJobStatus']: obj('Observed state of a CronJob.', {
    active: atomic(ref(CORE + 'ObjectReference'), 'Jobs running now.'),
    lastScheduleTime: time('When a Job was last scheduled.'),
    lastSuccessfulTime: time('When a Job last completed successfully.'),
  }),
};
