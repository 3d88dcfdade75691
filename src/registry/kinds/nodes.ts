// core/v1 Node.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultNode } from '../defaults/node';
import { nodePrinter } from '../tables/nodes';
import { validateNode, validateNodeUpdate } from '../validate/node';

export const nodes: ResourceDefinition = {
  info: builtin('', 'v1', 'nodes'),
  strategy: defineStrategy(validateNode, validateNodeUpdate, {
    defaults: defaultNode,
    hasStatus: true,
  }),
  printer: nodePrinter,
  wakes: { scheduler: true, controllers: true },
};
