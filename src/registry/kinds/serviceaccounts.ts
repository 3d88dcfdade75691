// core/v1 ServiceAccount.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { serviceAccountPrinter } from '../tables/serviceaccounts';
import { validateServiceAccount, validateServiceAccountUpdate } from '../validate/serviceaccount';

export const serviceaccounts: ResourceDefinition = {
  info: builtin('', 'v1', 'serviceaccounts'),
  strategy: defineStrategy(validateServiceAccount, validateServiceAccountUpdate),
  printer: serviceAccountPrinter,
};
