// DaemonSet, StatefulSet and ControllerRevision rows.
// k8s: pkg/printers/internalversion/printers.go printDaemonSet, printStatefulSet, printControllerRevision (release-1.32)
import { translateTimestampSince } from './age';
import {
  AGE_COLUMN,
  NAME_COLUMN,
  column,
  containerCells,
  formatLabels,
  int,
  rec,
  selectorString,
  str,
  type Printer,
} from './types';

export const daemonSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'The number of nodes that should be running the daemon pod.', {
      type: 'integer',
    }),
    column('Current', 'The number of nodes running at least one daemon pod.', { type: 'integer' }),
    column('Ready', 'The number of nodes that have a ready daemon pod.', { type: 'integer' }),
    column('Up-to-date', 'The number of nodes running the updated daemon pod.', {
      type: 'integer',
    }),
    column('Available', 'The number of nodes with an available daemon pod.', { type: 'integer' }),
    column('Node Selector', 'The node selector of the daemon pods.'),
    AGE_COLUMN,
    column('Containers', 'Container names in the pod template.', { priority: 1 }),
    column('Images', 'Container images in the pod template.', { priority: 1 }),
    column('Selector', 'Label selector of the pods it manages.', { priority: 1 }),
  ],
  cells(ds, now) {
    const spec = rec(ds.spec);
    const status = rec(ds.status);
    const podSpec = rec(rec(spec.template).spec);
    const [containers, images] = containerCells(podSpec);
    return [
      ds.metadata.name ?? '',
      int(status.desiredNumberScheduled),
      int(status.currentNumberScheduled),
      int(status.numberReady),
      int(status.updatedNumberScheduled),
      int(status.numberAvailable),
      formatLabels(podSpec.nodeSelector),
      translateTimestampSince(ds.metadata.creationTimestamp, now),
      containers,
      images,
      selectorString(spec.selector) ?? '<invalid>',
    ];
  },
};

export const statefulSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'Number of the pod with ready state'),
    AGE_COLUMN,
    column('Containers', 'Container names in the pod template.', { priority: 1 }),
    column('Images', 'Container images in the pod template.', { priority: 1 }),
  ],
  cells(sts, now) {
    const spec = rec(sts.spec);
    const status = rec(sts.status);
    const [containers, images] = containerCells(rec(rec(spec.template).spec));
    return [
      sts.metadata.name ?? '',
      `${int(status.readyReplicas)}/${int(spec.replicas, 1)}`,
      translateTimestampSince(sts.metadata.creationTimestamp, now),
      containers,
      images,
    ];
  },
};

export const controllerRevisionPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Controller', 'Controller of the object.'),
    column('Revision', 'Revision of the ControllerRevision.', { type: 'integer' }),
    AGE_COLUMN,
  ],
  cells(cr, now) {
    const ref = cr.metadata.ownerReferences?.find((r) => r.controller);
    let controller = '<none>';
    if (ref) {
      const group = str(ref.apiVersion).includes('/') ? str(ref.apiVersion).split('/')[0] : '';
      controller = `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
    }
    return [
      cr.metadata.name ?? '',
      controller,
      int(cr.revision),
      translateTimestampSince(cr.metadata.creationTimestamp, now),
    ];
  },
};
