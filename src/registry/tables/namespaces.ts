// Namespace rows: Active or Terminating; k8s: pkg/printers/internalversion/printers.go printNamespace (release-1.32).
import { translateTimestampSince } from './age';
import { AGE_COLUMN, NAME_COLUMN, column, rec, str, type Printer } from './types';

export const namespacePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Status', 'Phase of the namespace: Active or Terminating.'),
    AGE_COLUMN,
  ],
  cells(ns, now) {
    // Active is the API default phase; the namespace controller moves it to Terminating on delete.
    return [
      ns.metadata.name ?? '',
      str(rec(ns.status).phase) || 'Active',
      translateTimestampSince(ns.metadata.creationTimestamp, now),
    ];
  },
};
