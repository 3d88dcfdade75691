// core/v1 Service.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultService } from '../defaults/service';
import { servicePrinter } from '../tables/services';
import { validateService, validateServiceUpdate } from '../validate/service';

export const services: ResourceDefinition = {
  info: builtin('', 'v1', 'services'),
  strategy: defineStrategy(validateService, validateServiceUpdate, {
    defaults: defaultService,
    hasStatus: true,
  }),
  printer: servicePrinter,
  wakes: { controllers: true },
};
