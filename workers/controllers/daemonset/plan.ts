// One DaemonSet sync's decisions, pure: which nodes get a pod, which pods go (manage plus the rolling update).
// k8s: pkg/controller/daemon/daemon_controller.go manage, podsShouldBeOnNode; daemon/update.go rollingUpdate,
//      updatedDesiredNodeCounts, findUpdatedPodsOnNode
import type { DaemonSet } from '../../../src/api/apps-workloads';
import { CONTROLLER_REVISION_HASH_LABEL, scaledValue } from '../../../src/api/apps-workloads';
import type { Node, Pod } from '../../../src/api/core';
import { isPodAvailable } from '../../../src/api/pod';
import { placement, type Placement } from './predicates';

export interface Plan {
  /** Nodes to create a daemon pod on. */
  create: string[];
  delete: Pod[];
}

const created = (p: Pod) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
const byAge = (a: Pod, b: Pod) =>
  created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
const failed = (p: Pod) => p.status?.phase === 'Failed';
const succeeded = (p: Pod) => p.status?.phase === 'Succeeded';
export const isNewPod = (p: Pod, hash: string) =>
  p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;

/** k8s: updatedDesiredNodeCounts: maxSurge and maxUnavailable as pod counts; both 0 means 1 unavailable. */
export function rollingLimits(
  ds: DaemonSet,
  desired: number,
): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec.updateStrategy?.rollingUpdate ?? {};
  const maxSurge = scaledValue(ru.maxSurge ?? 0, desired, true);
  let maxUnavailable = scaledValue(ru.maxUnavailable ?? 1, desired, true);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export interface NodeState {
  node: Node;
  place: Placement;
  /** Live daemon pods for this node (not terminating), oldest first. */
  pods: Pod[];
}

/** Live daemon pods by the node they are for (bound, or named by their node affinity). */
export function nodeStates(
  ds: DaemonSet,
  nodes: Node[],
  podsByNode: Map<string, Pod[]>,
): NodeState[] {
  return [...nodes]
    .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))
    .map((node) => ({
      node,
      place: placement(ds, node),
      pods: (podsByNode.get(node.metadata.name ?? '') ?? [])
        .filter((p) => !p.metadata.deletionTimestamp)
        .sort(byAge),
    }));
}

export function planDaemonSet(
  ds: DaemonSet,
  states: NodeState[],
  orphans: Pod[],
  hash: string,
  now: number,
): Plan {
  const create = new Set<string>();
  const del = new Map<string, Pod>();
  const drop = (p: Pod) => del.set(p.metadata.uid ?? p.metadata.name ?? '', p);
  const rolling = (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const desired = states.filter((s) => s.place.shouldRun).length;
  const { maxSurge, maxUnavailable } = rollingLimits(ds, desired);
  const surge = rolling && maxSurge > 0;

  // Pods for nodes that no longer exist go.
  for (const p of orphans) if (!p.metadata.deletionTimestamp) drop(p);

  // k8s: podsShouldBeOnNode
  for (const s of states) {
    const name = s.node.metadata.name!;
    if (!s.place.shouldContinueRunning) {
      s.pods.forEach(drop);
      continue;
    }
    if (!s.place.shouldRun) continue;
    const running = s.pods.filter((p) => !failed(p) && !succeeded(p));
    s.pods.filter((p) => failed(p) || succeeded(p)).forEach(drop);
    if (!running.length) {
      create.add(name);
      continue;
    }
    if (running.length === 1) continue;
    if (surge) {
      // With surge an old and a new pod may share a node for a while: keep the oldest of each.
      const olds = running.filter((p) => !isNewPod(p, hash));
      const news = running.filter((p) => isNewPod(p, hash));
      olds.slice(1).forEach(drop);
      news.slice(1).forEach(drop);
    } else running.slice(1).forEach(drop);
  }
  if (!rolling) return { create: [...create], delete: [...del.values()] };

  const available = (p: Pod) => isPodAvailable(p, ds.spec.minReadySeconds ?? 0, now);
  const eligible = states.filter((s) => s.place.shouldRun);
  if (!surge) {
    let unavailable = 0;
    const allowed: Pod[] = [];
    const candidates: Pod[] = [];
    for (const s of eligible) {
      const running = s.pods.filter(
        (p) => !del.has(p.metadata.uid ?? '') && !failed(p) && !succeeded(p),
      );
      const newPod = running.find((p) => isNewPod(p, hash));
      const oldPod = running.find((p) => !isNewPod(p, hash));
      if (!newPod && !oldPod) unavailable++;
      else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (!available(oldPod!)) {
        allowed.push(oldPod!);
        unavailable++;
      } else candidates.push(oldPod!);
    }
    const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    [...allowed, ...candidates.slice(0, room)].forEach(drop);
    return { create: [...create], delete: [...del.values()] };
  }

  let surging = 0;
  const allowedNodes: string[] = [];
  const candidateNodes: string[] = [];
  for (const s of eligible) {
    const running = s.pods.filter(
      (p) => !del.has(p.metadata.uid ?? '') && !failed(p) && !succeeded(p),
    );
    const newPod = running.find((p) => isNewPod(p, hash));
    const oldPod = running.find((p) => !isNewPod(p, hash));
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) allowedNodes.push(s.node.metadata.name!);
      else if (surging < maxSurge) candidateNodes.push(s.node.metadata.name!);
      continue;
    }
    if (!available(newPod)) {
      surging++;
      continue;
    }
    drop(oldPod);
  }
  const room = Math.min(Math.max(0, maxSurge - surging), candidateNodes.length);
  for (const n of [...allowedNodes, ...candidateNodes.slice(0, room)]) create.add(n);
  return { create: [...create], delete: [...del.values()] };
}
