// The RBAC kinds as the storage layer addresses them (looked up when first used, not at import).
import { findResource, type ResourceInfo } from '../api/resources';
import { RBAC_GROUP } from '../api/rbac';

function lookup(resource: string): () => ResourceInfo {
  let r: ResourceInfo | undefined;
  return () => {
    r ??= findResource(RBAC_GROUP, 'v1', resource);
    if (!r) throw new Error(`${resource}.${RBAC_GROUP} is not registered`);
    return r;
  };
}

export const ROLES = lookup('roles');
export const CLUSTER_ROLES = lookup('clusterroles');
export const ROLE_BINDINGS = lookup('rolebindings');
export const CLUSTER_ROLE_BINDINGS = lookup('clusterrolebindings');
