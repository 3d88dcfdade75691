// apps/v1 ControllerRevision (schemas ride on daemonsets.ts).
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { controllerRevisionPrinter } from '../tables/apps-workloads';
import {
  validateControllerRevision,
  validateControllerRevisionUpdate,
} from '../validate/apps-workloads';

export const controllerrevisions: ResourceDefinition = {
  info: builtin('apps', 'v1', 'controllerrevisions'),
  strategy: defineStrategy(validateControllerRevision, validateControllerRevisionUpdate),
  printer: controllerRevisionPrinter,
  wakes: { controllers: true },
};
