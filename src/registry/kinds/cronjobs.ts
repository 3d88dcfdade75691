// batch/v1 CronJob.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultCronJob } from '../defaults/job';
import { cronJobPrinter } from '../tables/cronjobs';
import { validateCronJob, validateCronJobUpdate } from '../validate/cronjob';
import { keepLabelsOnStatus } from './status-rules';

export const cronjobs: ResourceDefinition = {
  info: builtin('batch', 'v1', 'cronjobs'),
  strategy: defineStrategy(validateCronJob, validateCronJobUpdate, {
    defaults: defaultCronJob,
    hasStatus: true,
    tracksGeneration: true,
    prepareForUpdate: keepLabelsOnStatus,
  }),
  printer: cronJobPrinter,
  wakes: { controllers: true },
};
