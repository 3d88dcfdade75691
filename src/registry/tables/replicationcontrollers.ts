// ReplicationController rows, as ReplicaSets' but with a map selector; k8s: pkg/printers/internalversion/printers.go printReplicationController (release-1.32).
import { translateTimestampSince } from './age';
import {
  AGE_COLUMN,
  NAME_COLUMN,
  column,
  containerCells,
  formatLabels,
  int,
  rec,
  type Printer,
} from './types';

const columns = [
  NAME_COLUMN,
  column('Desired', 'Replicas asked for in the spec.', { type: 'integer' }),
  column('Current', 'Replicas that exist now.', { type: 'integer' }),
  column('Ready', 'Replicas that are ready.', { type: 'integer' }),
  AGE_COLUMN,
  column('Containers', 'Container names in the pod template.', { priority: 1 }),
  column('Images', 'Container images in the pod template.', { priority: 1 }),
  column('Selector', 'Label selector of the pods it manages.', { priority: 1 }),
];

export const replicationControllerPrinter: Printer = {
  columns,
  cells(rc, now) {
    const spec = rec(rc.spec);
    const status = rec(rc.status);
    const [containers, images] = containerCells(rec(rec(spec.template).spec));
    return [
      rc.metadata.name ?? '',
      int(spec.replicas, 1),
      int(status.replicas),
      int(status.readyReplicas),
      translateTimestampSince(rc.metadata.creationTimestamp, now),
      containers,
      images,
      formatLabels(spec.selector),
    ];
  },
};
