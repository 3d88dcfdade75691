// coordination.k8s.io/v1 Lease. Renewals are the nodes' heartbeat, read by the node lifecycle
// controller on its own schedule: they wake no loop.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultLease } from '../defaults/lease';
import { leasePrinter } from '../tables/leases';
import { validateLease, validateLeaseUpdate } from '../validate/lease';

export const leases: ResourceDefinition = {
  info: builtin('coordination.k8s.io', 'v1', 'leases'),
  strategy: defineStrategy(validateLease, validateLeaseUpdate, { defaults: defaultLease }),
  printer: leasePrinter,
};
