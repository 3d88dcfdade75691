// core/v1 LimitRange: read by the LimitRanger admission plugin on every pod create.
import { defaultLimitRange } from '../defaults/limitrange';
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { quotaDefs } from '../schema/defs-quota';
import { validateLimitRange, validateLimitRangeUpdate } from '../validate/resourcequota';

export const limitranges: ResourceDefinition = {
  info: builtin('', 'v1', 'limitranges'),
  strategy: defineStrategy(validateLimitRange, validateLimitRangeUpdate, {
    defaults: defaultLimitRange,
  }),
  schemas: quotaDefs,
};
