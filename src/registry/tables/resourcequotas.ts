// ResourceQuota rows: "pods: 3/3, requests.cpu: 1/2" and the limits apart; k8s:
// pkg/printers/internalversion/printers.go printResourceQuota (release-1.32).
import { translateTimestampSince } from './age';
import { AGE_COLUMN, NAME_COLUMN, column, rec, type Printer } from './types';

const columns = [
  NAME_COLUMN,
  AGE_COLUMN,
  column(
    'Request',
    'Request represents a minimum amount of cpu/memory that a container may consume.',
  ),
  column(
    'Limit',
    'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
  ),
];

export const resourceQuotaPrinter: Printer = {
  columns,
  cells(q, now) {
    const status = rec(q.status);
    const hard = rec(status.hard) as Record<string, string>;
    const used = rec(status.used) as Record<string, string>;
    const request: string[] = [];
    const limit: string[] = [];
    for (const name of Object.keys(hard).sort()) {
      const cell = `${name}: ${used[name] ?? '0'}/${hard[name]}`;
      (name.split('.')[0] === 'limits' && name.includes('.') ? limit : request).push(cell);
    }
    return [
      q.metadata.name ?? '',
      translateTimestampSince(q.metadata.creationTimestamp, now),
      request.join(', '),
      limit.join(', '),
    ];
  },
};
