// Which cluster events could make an unschedulable pod schedulable: upstream's cluster events and QueueingHints.
// k8s: pkg/scheduler/eventhandlers.go (nodeSchedulingPropertiesChange), framework/types.go (ActionType),
//      each plugin's EventsToRegister and isSchedulableAfter* hints
import { schedule, type NodeInfo, type Profile } from './framework';
import type { Node, Pod } from './types';

/** The node changes the filters can see. A heartbeat (timestamps only) is none of them. */
export type NodeAction =
  | 'NodeAdd'
  | 'UpdateNodeAllocatable'
  | 'UpdateNodeLabel'
  | 'UpdateNodeTaint'
  | 'UpdateNodeCondition';

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

// Conditions compared by type and status only: lastHeartbeatTime moves on every heartbeat.
function conditionStatuses(node: Node): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of node.status?.conditions ?? []) out[c.type] = c.status;
  return out;
}

/** k8s: eventhandlers.go nodeSchedulingPropertiesChange */
export function nodeSchedulingPropertiesChange(oldNode: Node, newNode: Node): NodeAction[] {
  const actions: NodeAction[] = [];
  if (
    !!oldNode.spec?.unschedulable !== !!newNode.spec?.unschedulable ||
    !same(oldNode.spec?.taints, newNode.spec?.taints)
  )
    actions.push('UpdateNodeTaint');
  if (
    !same(
      oldNode.status?.allocatable ?? oldNode.status?.capacity,
      newNode.status?.allocatable ?? newNode.status?.capacity,
    )
  )
    actions.push('UpdateNodeAllocatable');
  if (!same(oldNode.metadata.labels, newNode.metadata.labels)) actions.push('UpdateNodeLabel');
  if (!same(conditionStatuses(oldNode), conditionStatuses(newNode)))
    actions.push('UpdateNodeCondition');
  return actions;
}

/**
 * Could the pod go to this node now? Every filter is run against the one node. Our filters are all
 * node-local (no inter-pod affinity, no DoNotSchedule spreading), so a node event or a pod leaving
 * a node can only cure a pod through that node, and this is exact where upstream's per-plugin hints
 * approximate: a relabelled node that still lacks cpu does not wake a pod that wants cpu.
 */
export function podFitsNode(pod: Pod, info: NodeInfo, profile: Profile): boolean {
  return schedule(pod, [info], profile).scheduled;
}
