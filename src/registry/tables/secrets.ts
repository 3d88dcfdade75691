// Secret rows: type and key count, never the values; k8s: pkg/printers/internalversion/printers.go printSecret (release-1.32).
import { translateTimestampSince } from './age';
import { AGE_COLUMN, NAME_COLUMN, column, size, str, type Printer } from './types';

export const secretPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Type', 'Kind of secret, such as Opaque or kubernetes.io/tls.'),
    column('Data', 'Number of keys.'),
    AGE_COLUMN,
  ],
  cells(secret, now) {
    // Opaque is the API default type. stringData is write-only and merged into data on write, so not counted.
    return [
      secret.metadata.name ?? '',
      str(secret.type) || 'Opaque',
      size(secret.data),
      translateTimestampSince(secret.metadata.creationTimestamp, now),
    ];
  },
};
