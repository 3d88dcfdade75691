// core/v1 Secret.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultSecret } from '../defaults/secret';
import { secretPrinter } from '../tables/secrets';
import { validateSecret, validateSecretUpdate } from '../validate/secret';

export const secrets: ResourceDefinition = {
  info: builtin('', 'v1', 'secrets'),
  strategy: defineStrategy(validateSecret, validateSecretUpdate, { defaults: defaultSecret }),
  printer: secretPrinter,
};
