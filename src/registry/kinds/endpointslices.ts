// discovery.k8s.io/v1 EndpointSlice. Written by the endpointslice controller: wakes no loop.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultEndpointSlice } from '../defaults/endpoints';
import { endpointSlicePrinter } from '../tables/endpointslices';
import { validateEndpointSlice, validateEndpointSliceUpdate } from '../validate/endpointslice';

export const endpointslices: ResourceDefinition = {
  info: builtin('discovery.k8s.io', 'v1', 'endpointslices'),
  strategy: defineStrategy(validateEndpointSlice, validateEndpointSliceUpdate, {
    defaults: defaultEndpointSlice,
  }),
  printer: endpointSlicePrinter,
};
