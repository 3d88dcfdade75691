// core/v1 PersistentVolume (schemas ride on persistentvolumeclaims.ts).
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultPv } from '../defaults/storage';
import { pvPrinter } from '../tables/storage';
import { validatePv, validatePvUpdate } from '../validate/storage';

export const persistentvolumes: ResourceDefinition = {
  info: builtin('', 'v1', 'persistentvolumes'),
  strategy: defineStrategy(validatePv, validatePvUpdate, { defaults: defaultPv, hasStatus: true }),
  printer: pvPrinter,
  wakes: { controllers: true },
};
