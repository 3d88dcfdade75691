// apps/v1 Deployment.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultDeployment } from '../defaults/deployment';
import { deploymentPrinter } from '../tables/deployments';
import { validateDeployment, validateDeploymentUpdate } from '../validate/deployment';
import { keepLabelsOnStatus } from './status-rules';

export const deployments: ResourceDefinition = {
  info: builtin('apps', 'v1', 'deployments'),
  strategy: defineStrategy(validateDeployment, validateDeploymentUpdate, {
    defaults: defaultDeployment,
    hasStatus: true,
    tracksGeneration: true,
    prepareForUpdate: keepLabelsOnStatus,
  }),
  printer: deploymentPrinter,
  wakes: { controllers: true },
};
