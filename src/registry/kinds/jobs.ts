// batch/v1 Job.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultJob, generateJobSelector } from '../defaults/job';
import { batchDefs } from '../schema/defs-batch';
import { jobPrinter } from '../tables/jobs';
import { validateJob, validateJobUpdate } from '../validate/job';
import { keepLabelsOnStatus } from './status-rules';

export const jobs: ResourceDefinition = {
  info: builtin('batch', 'v1', 'jobs'),
  strategy: defineStrategy(validateJob, validateJobUpdate, {
    defaults: defaultJob,
    hasStatus: true,
    tracksGeneration: true,
    prepareForCreate: generateJobSelector,
    prepareForUpdate: keepLabelsOnStatus,
  }),
  printer: jobPrinter,
  schemas: batchDefs,
  wakes: { controllers: true },
};
