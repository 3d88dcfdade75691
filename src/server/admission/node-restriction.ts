// NodeRestriction: a node may create only its own Node and its own Lease.
// k8s: plugin/pkg/admission/noderestriction/admission.go
import type { KObject } from '../../api/types';
import type { ApiContext } from '../context';
import { errors } from '../errors';

export function restrictNodeCreate(ctx: ApiContext, obj: KObject): void {
  const node = ctx.user?.node;
  if (!node) return;
  const r = ctx.info.resource;
  const own = (r.group === '' && r.resource === 'nodes') || (r.group === 'coordination.k8s.io' && r.resource === 'leases');
  if (own && obj.metadata.name !== node) {
    throw errors.forbidden(`node "${node}" is not allowed to create ${r.resource} "${obj.metadata.name}": a node may only create its own`, {
      resource: r.resource,
      group: r.group,
      name: obj.metadata.name,
    });
  }
}
