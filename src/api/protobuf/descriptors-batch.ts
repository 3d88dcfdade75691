// Message tables for batch/v1 CronJob, which `kubectl create cronjob` POSTs (Job is in descriptors-workloads).
// Field numbers: k8s.io/api/batch/v1/generated.proto (release-1.32).
import { BATCH, CORE, META, PTR, REP, TIME, message, type MessageTable } from './descriptor-types';

const OBJECT_META = META + 'ObjectMeta';

export const batchMessages: MessageTable = {
  [BATCH + 'CronJob']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'spec', BATCH + 'CronJobSpec'],
    [3, 'status', BATCH + 'CronJobStatus'],
  ),
  [BATCH + 'CronJobSpec']: message(
    [1, 'schedule', 'string'],
    [8, 'timeZone', 'string', PTR],
    [2, 'startingDeadlineSeconds', 'int64', PTR],
    [3, 'concurrencyPolicy', 'string'],
    [4, 'suspend', 'bool', PTR],
    [5, 'jobTemplate', BATCH + 'JobTemplateSpec'],
    [6, 'successfulJobsHistoryLimit', 'int32', PTR],
    [7, 'failedJobsHistoryLimit', 'int32', PTR],
  ),
  [BATCH + 'JobTemplateSpec']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'spec', BATCH + 'JobSpec'],
  ),
  [BATCH + 'CronJobStatus']: message(
    [1, 'active', CORE + 'ObjectReference', REP],
    [4, 'lastScheduleTime', TIME, PTR],
    [5, 'lastSuccessfulTime', TIME, PTR],
  ),
};
