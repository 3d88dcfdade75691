// core/v1 Endpoints. Written by the endpoints controller itself, so it wakes no loop.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultEndpoints } from '../defaults/endpoints';
import { endpointsPrinter } from '../tables/endpoints';
import { validateEndpoints, validateEndpointsUpdate } from '../validate/endpoints';

export const endpoints: ResourceDefinition = {
  info: builtin('', 'v1', 'endpoints'),
  strategy: defineStrategy(validateEndpoints, validateEndpointsUpdate, {
    defaults: defaultEndpoints,
  }),
  printer: endpointsPrinter,
};
