// apps/v1 DaemonSet (its file carries the apps workload schemas: DaemonSet, StatefulSet, ControllerRevision).
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultDaemonSet } from '../defaults/apps-workloads';
import { appsWorkloadDefs } from '../schema/defs-apps-workloads';
import { daemonSetPrinter } from '../tables/apps-workloads';
import { validateDaemonSet, validateDaemonSetUpdate } from '../validate/apps-workloads';
import { keepLabelsOnStatus } from './status-rules';

export const daemonsets: ResourceDefinition = {
  info: builtin('apps', 'v1', 'daemonsets'),
  strategy: defineStrategy(validateDaemonSet, validateDaemonSetUpdate, {
    defaults: defaultDaemonSet,
    hasStatus: true,
    tracksGeneration: true,
    prepareForUpdate: keepLabelsOnStatus,
  }),
  printer: daemonSetPrinter,
  schemas: appsWorkloadDefs,
  wakes: { controllers: true },
};
