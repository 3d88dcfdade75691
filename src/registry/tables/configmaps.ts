// ConfigMap rows: how many keys it holds; k8s: pkg/printers/internalversion/printers.go printConfigMap (release-1.32).
import { translateTimestampSince } from './age';
import { AGE_COLUMN, NAME_COLUMN, column, size, type Printer } from './types';

export const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, column('Data', 'Number of keys, text and binary.'), AGE_COLUMN],
  cells(cm, now) {
    return [
      cm.metadata.name ?? '',
      size(cm.data) + size(cm.binaryData),
      translateTimestampSince(cm.metadata.creationTimestamp, now),
    ];
  },
};
