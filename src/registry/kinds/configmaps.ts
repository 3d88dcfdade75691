// core/v1 ConfigMap.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultConfigMap } from '../defaults/configmap';
import { configMapPrinter } from '../tables/configmaps';
import { validateConfigMap, validateConfigMapUpdate } from '../validate/configmap';

export const configmaps: ResourceDefinition = {
  info: builtin('', 'v1', 'configmaps'),
  strategy: defineStrategy(validateConfigMap, validateConfigMapUpdate, {
    defaults: defaultConfigMap,
  }),
  printer: configMapPrinter,
};
