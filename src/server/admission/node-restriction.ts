// NodeRestriction: a node creates only its own Node and Lease, never relabels itself into a role or
// edits its own taints or schedulability, and writes only the status of the pods bound to it.
// k8s: plugin/pkg/admission/noderestriction/admission.go
import type { KObject } from '../../api/types';
import { deepEqual } from '../../lib/json';
import { strategyFor } from '../../registry/strategies';
import type { ApiContext } from '../context';
import { errors } from '../errors';
import { forbiddenLabels, modifiedLabels } from './kubelet-labels';

type NodeSpec = { taints?: unknown[]; unschedulable?: boolean };

/** The pod as it would be stored: a spec that differs from the stored one only by defaults is the same spec. */
function defaulted(pod: KObject): KObject {
  const copy = structuredClone(pod);
  strategyFor('', 'pods').applyDefaults(copy);
  return copy;
}

/** k8s admission.NewForbidden: `<resource> "<name>" is forbidden: <reason>`. */
function forbid(ctx: ApiContext, name: string | undefined, reason: string): never {
  const r = ctx.info.resource;
  const qualified = r.group ? `${r.resource}.${r.group}` : r.resource;
  throw errors.forbidden(`${qualified} "${name ?? ''}" is forbidden: ${reason}`, {
    resource: r.resource,
    group: r.group,
    name,
  });
}

const isNodes = (ctx: ApiContext) =>
  ctx.info.resource.group === '' && ctx.info.resource.resource === 'nodes';

export function restrictNodeCreate(ctx: ApiContext, obj: KObject): void {
  const node = ctx.user?.node;
  if (!node) return;
  const r = ctx.info.resource;
  const own = isNodes(ctx) || (r.group === 'coordination.k8s.io' && r.resource === 'leases');
  if (own && obj.metadata.name !== node) {
    throw errors.forbidden(
      `node "${node}" is not allowed to create ${r.resource} "${obj.metadata.name}": a node may only create its own`,
      {
        resource: r.resource,
        group: r.group,
        name: obj.metadata.name,
      },
    );
  }
  // A node registers with taints (kubelet --register-with-taints) but never with labels that would
  // steer privileged workloads to it.
  if (isNodes(ctx)) {
    const bad = forbiddenLabels(modifiedLabels(obj.metadata.labels, undefined));
    if (bad.length)
      forbid(
        ctx,
        obj.metadata.name,
        `node "${node}" is not allowed to set the following labels: ${bad.join(', ')}`,
      );
  }
}

/** A node's update of its own Node (main resource or status), seen after the status strategy ran. */
export function restrictNodeUpdate(ctx: ApiContext, next: KObject, live: KObject): void {
  const node = ctx.user?.node;
  if (!node || !isNodes(ctx)) return;
  const name = live.metadata.name!;
  if (name !== node) forbid(ctx, name, `node "${node}" is not allowed to modify node "${name}"`);
  const ns = (next.spec ?? {}) as NodeSpec;
  const ls = (live.spec ?? {}) as NodeSpec;
  // Taints keep workloads away: a node that could lift them would pull in what was kept off it.
  if (!deepEqual(ns.taints ?? [], ls.taints ?? []))
    forbid(ctx, name, `node "${node}" is not allowed to modify taints`);
  // Cordoning is the admin's (kubectl cordon/uncordon); a node uncordoning itself would undo a drain.
  // Stricter than upstream, which lets kubelet register unschedulable but checks no update of it.
  if ((ns.unschedulable ?? false) !== (ls.unschedulable ?? false))
    forbid(ctx, name, `node "${node}" is not allowed to modify spec.unschedulable`);
  const bad = forbiddenLabels(modifiedLabels(next.metadata.labels, live.metadata.labels));
  if (bad.length)
    forbid(ctx, name, `node "${node}" is not allowed to modify labels: ${bad.join(', ')}`);
}

/**
 * A node's pods/status write, as the node sent it (before the status strategy puts back the stored
 * spec and ownerReferences): only the status of a pod bound to it, and no metadata or spec. Upstream
 * refuses labels and drops spec and ownerReferences silently; a node asking for either is refused
 * here, so a misbehaving agent hears about it rather than seeing its change vanish.
 */
export function restrictNodePodStatus(ctx: ApiContext, requested: KObject, live: KObject): void {
  const node = ctx.user?.node;
  const r = ctx.info.resource;
  if (!node || r.group !== '' || r.resource !== 'pods' || ctx.info.subresource !== 'status') return;
  const name = live.metadata.name!;
  if ((live.spec as { nodeName?: string } | undefined)?.nodeName !== node) {
    forbid(
      ctx,
      name,
      `node "${node}" can only update pod status for pods with spec.nodeName set to itself`,
    );
  }
  const m = requested.metadata;
  if (modifiedLabels(m.labels, live.metadata.labels).length)
    forbid(ctx, name, `node "${node}" cannot update labels through pod status`);
  if (modifiedLabels(m.annotations, live.metadata.annotations).length)
    forbid(ctx, name, `node "${node}" cannot update annotations through pod status`);
  if (!deepEqual(m.ownerReferences ?? [], live.metadata.ownerReferences ?? []))
    forbid(ctx, name, `node "${node}" cannot update ownerReferences through pod status`);
  if (requested.spec !== undefined && !deepEqual(defaulted(requested).spec, live.spec))
    forbid(ctx, name, `node "${node}" cannot update the pod spec through pod status`);
}
