// storage.k8s.io/v1 StorageClass (schemas ride on persistentvolumeclaims.ts).
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultStorageClass } from '../defaults/storage';
import { storageClassPrinter } from '../tables/storage';
import { validateStorageClass, validateStorageClassUpdate } from '../validate/storage';

export const storageclasses: ResourceDefinition = {
  info: builtin('storage.k8s.io', 'v1', 'storageclasses'),
  strategy: defineStrategy(validateStorageClass, validateStorageClassUpdate, {
    defaults: defaultStorageClass,
  }),
  printer: storageClassPrinter,
  wakes: { controllers: true },
};
