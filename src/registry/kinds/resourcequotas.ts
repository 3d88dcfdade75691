// core/v1 ResourceQuota (its status is the quota controller's and admission's to write).
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { quotaDefs } from '../schema/defs-quota';
import { resourceQuotaPrinter } from '../tables/resourcequotas';
import { validateResourceQuota, validateResourceQuotaUpdate } from '../validate/resourcequota';

export const resourcequotas: ResourceDefinition = {
  info: builtin('', 'v1', 'resourcequotas'),
  strategy: defineStrategy(validateResourceQuota, validateResourceQuotaUpdate, { hasStatus: true }),
  printer: resourceQuotaPrinter,
  schemas: quotaDefs,
  wakes: { controllers: { except: ['status'] } },
};
