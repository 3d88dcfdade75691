// ReplicaSet rows: desired, current and ready replica counts; k8s: pkg/printers/internalversion/printers.go printReplicaSet (release-1.32).
import { translateTimestampSince } from './age';
import {
  AGE_COLUMN,
  NAME_COLUMN,
  column,
  containerCells,
  formatLabelSelector,
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

export const replicaSetPrinter: Printer = {
  columns,
  cells(rs, now) {
    const spec = rec(rs.spec);
    const status = rec(rs.status);
    const [containers, images] = containerCells(rec(rec(spec.template).spec));
    return [
      rs.metadata.name ?? '',
      // One replica is the API default when spec.replicas is left out.
      int(spec.replicas, 1),
      int(status.replicas),
      int(status.readyReplicas),
      translateTimestampSince(rs.metadata.creationTimestamp, now),
      containers,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
};
