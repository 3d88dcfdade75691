// core/v1 PersistentVolumeClaim (its file carries the storage schemas: PVC, PV, StorageClass).
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultPvc } from '../defaults/storage';
import { storageDefs } from '../schema/defs-storage';
import { pvcPrinter } from '../tables/storage';
import { validatePvc, validatePvcUpdate } from '../validate/storage';

export const persistentvolumeclaims: ResourceDefinition = {
  info: builtin('', 'v1', 'persistentvolumeclaims'),
  strategy: defineStrategy(validatePvc, validatePvcUpdate, {
    defaults: defaultPvc,
    hasStatus: true,
  }),
  printer: pvcPrinter,
  schemas: storageDefs,
  wakes: { controllers: true },
};
