// The wake-up contract between the API Worker and the loops' Workers: which objects a write touched.

/**
 * One changed object. `resource` is the resource key as the API spells it in wakes: the core
 * plural (`pods`, `nodes`) or `group/version/plural` (`apps/v1/deployments`). A loop enqueues the
 * object's key (and its owners' keys) instead of marking a whole kind as changed.
 */
export interface WakeKey {
  resource: string;
  namespace?: string;
  name: string;
}
