// Deployment rows: READY as ready/desired, then rollout progress; k8s: pkg/printers/internalversion/printers.go printDeployment (release-1.32).
import { translateTimestampSince } from './age';
import {
  AGE_COLUMN,
  NAME_COLUMN,
  column,
  containerCells,
  int,
  rec,
  selectorString,
  type Printer,
} from './types';

const columns = [
  NAME_COLUMN,
  column('Ready', 'Ready pods out of desired pods.'),
  column('Up-to-date', 'Pods running the current template.'),
  column('Available', 'Pods ready for at least minReadySeconds.'),
  AGE_COLUMN,
  column('Containers', 'Container names in the pod template.', { priority: 1 }),
  column('Images', 'Container images in the pod template.', { priority: 1 }),
  column('Selector', 'Label selector of the pods it manages.', { priority: 1 }),
];

export const deploymentPrinter: Printer = {
  columns,
  cells(d, now) {
    const spec = rec(d.spec);
    const status = rec(d.status);
    // One replica is the API default when spec.replicas is left out.
    const desired = int(spec.replicas, 1);
    const [containers, images] = containerCells(rec(rec(spec.template).spec));
    return [
      d.metadata.name ?? '',
      `${int(status.readyReplicas)}/${desired}`,
      int(status.updatedReplicas),
      int(status.availableReplicas),
      translateTimestampSince(d.metadata.creationTimestamp, now),
      containers,
      images,
      // Upstream prints an empty selector as nothing here (not <none>, unlike replica sets).
      selectorString(spec.selector) ?? '<invalid>',
    ];
  },
};
