// Lease rows: who holds it; k8s: pkg/printers/internalversion/printers.go printLease (release-1.32).
import { translateTimestampSince } from './age';
import { AGE_COLUMN, NAME_COLUMN, column, rec, str, type Printer } from './types';

export const leasePrinter: Printer = {
  columns: [NAME_COLUMN, column('Holder', 'Identity of the current holder.'), AGE_COLUMN],
  cells(lease, now) {
    return [
      lease.metadata.name ?? '',
      str(rec(lease.spec).holderIdentity),
      translateTimestampSince(lease.metadata.creationTimestamp, now),
    ];
  },
};
