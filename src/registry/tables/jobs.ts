// Job rows: status, completions, duration; k8s: pkg/printers/internalversion/printers.go printJob (release-1.32).
import { humanDuration, parseTime, translateTimestampSince } from './age';
import {
  AGE_COLUMN,
  NAME_COLUMN,
  column,
  containerCells,
  formatLabelSelector,
  int,
  rec,
  recs,
  type Printer,
} from './types';

const columns = [
  NAME_COLUMN,
  column('Status', 'Status of the job.'),
  column('Completions', 'The completion status of the job: succeeded pods out of those wanted.'),
  column('Duration', 'Time required to complete the job.'),
  AGE_COLUMN,
  column('Containers', 'Names of each container in the template.', { priority: 1 }),
  column('Images', 'Images referenced by each container in the template.', { priority: 1 }),
  column('Selector', 'Query over pods that should match the replica count.', { priority: 1 }),
];

const hasCondition = (status: Record<string, unknown>, type: string) =>
  recs(status.conditions).some((c) => c.type === type && c.status === 'True');

export const jobPrinter: Printer = {
  columns,
  cells(job, now) {
    const spec = rec(job.spec);
    const status = rec(job.status);
    const succeeded = int(status.succeeded);
    let completions: string;
    if (typeof spec.completions === 'number') completions = `${succeeded}/${spec.completions}`;
    else {
      const parallelism = int(spec.parallelism);
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    const start = parseTime(status.startTime);
    const end = parseTime(status.completionTime);
    const duration = start === undefined ? '' : humanDuration((end ?? now) - start);
    let state = 'Running';
    if (hasCondition(status, 'Complete')) state = 'Complete';
    else if (hasCondition(status, 'Failed')) state = 'Failed';
    else if (job.metadata.deletionTimestamp) state = 'Terminating';
    else if (hasCondition(status, 'Suspended')) state = 'Suspended';
    else if (hasCondition(status, 'FailureTarget')) state = 'FailureTarget';
    else if (hasCondition(status, 'SuccessCriteriaMet')) state = 'SuccessCriteriaMet';
    const [containers, images] = containerCells(rec(rec(spec.template).spec));
    return [
      job.metadata.name ?? '',
      state,
      completions,
      duration,
      translateTimestampSince(job.metadata.creationTimestamp, now),
      containers,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
};
