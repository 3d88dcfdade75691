// ServiceAccount rows: how many secrets it references; k8s: pkg/printers/internalversion/printers.go printServiceAccount (release-1.32).
import { translateTimestampSince } from './age';
import { AGE_COLUMN, NAME_COLUMN, arr, column, type Printer } from './types';

export const serviceAccountPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Secrets', 'Number of secrets the account references.'),
    AGE_COLUMN,
  ],
  cells(sa, now) {
    return [
      sa.metadata.name ?? '',
      arr(sa.secrets).length,
      translateTimestampSince(sa.metadata.creationTimestamp, now),
    ];
  },
};
