// CronJob rows: schedule, time zone, suspend, active Jobs, last schedule; k8s: printers.go printCronJob (release-1.32).
import { translateTimestampSince } from './age';
import {
  AGE_COLUMN,
  NAME_COLUMN,
  arr,
  column,
  containerCells,
  formatLabelSelector,
  rec,
  str,
  type Printer,
} from './types';

const columns = [
  NAME_COLUMN,
  column('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
  column('Timezone', 'The name of the time zone for the schedule.'),
  column('Suspend', 'Whether the controller suspends subsequent executions.', { type: 'boolean' }),
  column('Active', 'The number of currently running jobs.', { type: 'integer' }),
  column('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
  AGE_COLUMN,
  column('Containers', 'Names of each container in the template.', { priority: 1 }),
  column('Images', 'Images referenced by each container in the template.', { priority: 1 }),
  column('Selector', 'Query over pods that should match the replica count.', { priority: 1 }),
];

export const cronJobPrinter: Printer = {
  columns,
  cells(cj, now) {
    const spec = rec(cj.spec);
    const status = rec(cj.status);
    const jobSpec = rec(rec(spec.jobTemplate).spec);
    const last = str(status.lastScheduleTime);
    const [containers, images] = containerCells(rec(rec(jobSpec.template).spec));
    return [
      cj.metadata.name ?? '',
      str(spec.schedule),
      str(spec.timeZone) || '<none>',
      // k8s: printBoolPtr: "<unset>" for a missing pointer, else "True"/"False".
      typeof spec.suspend === 'boolean' ? (spec.suspend ? 'True' : 'False') : '<unset>',
      arr(status.active).length,
      last ? translateTimestampSince(last, now) : '<none>',
      translateTimestampSince(cj.metadata.creationTimestamp, now),
      containers,
      images,
      formatLabelSelector(jobSpec.selector),
    ];
  },
};
