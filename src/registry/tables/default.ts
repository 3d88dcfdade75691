// Rows for kinds with no printer of their own: name and creation time, as the generic convertor prints; k8s: staging/src/k8s.io/apiserver/pkg/registry/rest/table.go defaultTableConvertor.
import { parseTime } from './age';
import { NAME_COLUMN, column, type Printer } from './types';

// Go's zero time, which is what upstream prints for an object that has no creation time.
const ZERO_TIME = '0001-01-01T00:00:00Z';

function rfc3339(ts: string | null | undefined): string {
  const at = parseTime(ts);
  // Go's RFC 3339 layout has whole seconds and "Z" for UTC.
  return at === undefined ? ZERO_TIME : new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, column('Created At', 'When the object was created.', { type: 'date' })],
  cells(obj) {
    return [obj.metadata.name ?? '', rfc3339(obj.metadata.creationTimestamp)];
  },
};
