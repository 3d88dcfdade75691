// The scheduling framework: NodeInfo snapshots, Filter and Score plugin contracts, and one scheduling cycle.
// k8s: pkg/scheduler/framework/interface.go, types.go; pkg/scheduler/schedule_one.go
import {
  addResource,
  emptyResource,
  nodeAllocatable,
  podRequests,
  subtractResource,
  type Resource,
} from './resources';
import type { Node, Pod } from './types';

export const MAX_NODE_SCORE = 100;

/** Unschedulable may be cured by preemption; UnschedulableAndUnresolvable may not. Skip drops a plugin for the pod. */
export type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error' | 'Skip';

export interface Status {
  code: Code;
  /** User-facing reasons, counted across nodes in the FailedScheduling message. */
  reasons: string[];
  plugin?: string;
}

export const unschedulable = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons });
export const unresolvable = (...reasons: string[]): Status => ({
  code: 'UnschedulableAndUnresolvable',
  reasons,
});
export const skip = (): Status => ({ code: 'Skip', reasons: [] });

/** A node as one cycle sees it: the Node, the pods bound to it, and the sums plugins need. */
export interface NodeInfo {
  name: string;
  node: Node;
  pods: Pod[];
  requested: Resource;
  /** Requests with the scoring defaults for unset cpu/memory; what LeastAllocated and MostAllocated score. */
  nonZeroRequested: Resource;
  allocatable: Resource;
  /**
   * Non-terminating pods per `namespace/first owner UID`: what the spreading defaults count, kept
   * as pods come and go so a cycle does not walk every pod of every node.
   */
  ownerCounts: Map<string, number>;
}

/**
 * Pods per owner key (see ownerKey) per zone label value ('' without one), summed over the known
 * nodes: what the spreading defaults' zone constraint counts. The scheduler cache keeps it as pods
 * and nodes come and go, so a cycle reads a zone's count instead of walking every node.
 */
export class OwnerZoneCounts {
  private readonly byOwner = new Map<string, Map<string, number>>();

  add(owner: string, zone: string, delta: number): void {
    let zones = this.byOwner.get(owner);
    if (!zones) this.byOwner.set(owner, (zones = new Map()));
    const n = (zones.get(zone) ?? 0) + delta;
    if (n !== 0) zones.set(zone, n);
    else {
      zones.delete(zone);
      if (zones.size === 0) this.byOwner.delete(owner);
    }
  }

  get(owner: string, zone: string): number {
    return this.byOwner.get(owner)?.get(zone) ?? 0;
  }

  clear(): void {
    this.byOwner.clear();
  }
}

/** The nodes of one cycle, with the cache's owner-by-zone counts when it keeps them. */
export type NodeInfoList = NodeInfo[] & { ownerZones?: OwnerZoneCounts };

/** The key a pod counts under in NodeInfo.ownerCounts, or undefined when it has no owner or is terminating. */
export function ownerKey(pod: Pod): string | undefined {
  const uid = pod.metadata.ownerReferences?.[0]?.uid;
  return uid && !pod.metadata.deletionTimestamp
    ? `${pod.metadata.namespace ?? ''}/${uid}`
    : undefined;
}

export function newNodeInfo(node: Node, pods: Pod[] = []): NodeInfo {
  const info: NodeInfo = {
    name: node.metadata.name ?? '',
    node,
    pods: [],
    requested: emptyResource(),
    nonZeroRequested: emptyResource(),
    allocatable: nodeAllocatable(node),
    ownerCounts: new Map(),
  };
  for (const pod of pods) addPod(info, pod);
  return info;
}

/** Counts a pod against its node, as the scheduler cache does when it assumes a pod before the bind lands. */
export function addPod(info: NodeInfo, pod: Pod): void {
  info.pods.push(pod);
  const key = ownerKey(pod);
  if (key) info.ownerCounts.set(key, (info.ownerCounts.get(key) ?? 0) + 1);
  addResource(info.requested, podRequests(pod));
  addResource(info.nonZeroRequested, podRequests(pod, { nonZero: true }));
}

/** Takes a pod (matched by namespace and name) off its node; the scheduler cache's RemovePod. Answers whether it was there. */
export function removePod(info: NodeInfo, pod: Pod): boolean {
  const i = info.pods.findIndex(
    (p) => p.metadata.name === pod.metadata.name && p.metadata.namespace === pod.metadata.namespace,
  );
  if (i < 0) return false;
  const [old] = info.pods.splice(i, 1);
  const key = ownerKey(old);
  if (key) {
    const n = (info.ownerCounts.get(key) ?? 1) - 1;
    if (n > 0) info.ownerCounts.set(key, n);
    else info.ownerCounts.delete(key);
  }
  subtractResource(info.requested, podRequests(old));
  subtractResource(info.nonZeroRequested, podRequests(old, { nonZero: true }));
  return true;
}

const terminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** Snapshot: each node with the non-terminal pods bound to it (pods on unknown nodes are ignored). */
export function buildNodeInfos(nodes: Node[], pods: Pod[]): NodeInfo[] {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    const name = pod.spec?.nodeName;
    if (!name || terminal(pod)) continue;
    const list = byNode.get(name) ?? [];
    list.push(pod);
    byNode.set(name, list);
  }
  return nodes.map((node) => newNodeInfo(node, byNode.get(node.metadata.name ?? '') ?? []));
}

/** Per-cycle scratch space plugins share between their extension points. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

/** A null status is success. */
export interface FilterPlugin {
  name: string;
  /** Once per cycle before any filter; Skip turns this plugin's Filter off for the pod. */
  preFilter?(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status | null;
  filter(state: CycleState, pod: Pod, node: NodeInfo): Status | null;
}

export interface NodeScore {
  name: string;
  score: number;
}

export interface ScorePlugin {
  name: string;
  /** Once per cycle with the feasible nodes (and all nodes); Skip leaves this plugin out for the pod. */
  preScore?(state: CycleState, pod: Pod, feasible: NodeInfo[], all: NodeInfo[]): Status | null;
  score(state: CycleState, pod: Pod, node: NodeInfo): number;
  /** Rewrites the scores in place into 0..MAX_NODE_SCORE. */
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): void;
}

/** Runs after a node is chosen and before the binding is written; a throw sends the pod to backoff. */
export type PreBindPlugin = (pod: Pod, nodeName: string) => Promise<void>;

export interface Profile {
  name: string;
  filters: FilterPlugin[];
  scores: { plugin: ScorePlugin; weight: number }[];
  preBind?: PreBindPlugin[];
}

export type ScheduleResult =
  | { scheduled: true; nodeName: string; feasibleNodes: number; scores: NodeScore[] }
  | { scheduled: false; message: string; statuses: Map<string, Status> };

export interface ScheduleOptions {
  /** Breaks ties among the best nodes at random, as upstream does; without it the first best node in input order wins. */
  rng?: () => number;
  /**
   * Stop filtering once this many feasible nodes are found (upstream's percentageOfNodesToScore);
   * filtering starts at `start.index` and leaves it where the next cycle should begin. Unset: every node.
   */
  feasibleNodesToFind?: number;
  start?: { index: number };
}

// k8s: pkg/scheduler/schedule_one.go minFeasibleNodesToFind, minFeasibleNodesPercentageToFind
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * How many feasible nodes a cycle looks for: all of a small cluster, then an adaptive share
 * (50% less 1% per 125 nodes, at least 5%, at least 100 nodes). k8s: schedule_one.go numFeasibleNodesToFind
 */
export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = 50 - Math.trunc(numAllNodes / 125);
  if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.trunc((numAllNodes * percentage) / 100));
}

// k8s: pkg/scheduler/schedule_one.go (ErrNoNodesAvailable)
export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';

/**
 * FitError's text: every node's reasons counted and sorted as strings, then the preemption
 * verdict. edgeplane has no preemption, so every node gets upstream's "not helpful" line.
 * k8s: pkg/scheduler/framework/types.go (FitError.Error)
 */
export function fitErrorMessage(
  numAllNodes: number,
  statuses: Iterable<Status>,
  preFilterMessage?: string,
): string {
  let message = `0/${numAllNodes} nodes are available:`;
  if (preFilterMessage) {
    message += ` ${preFilterMessage}.`;
  } else {
    const histogram = new Map<string, number>();
    for (const status of statuses)
      for (const reason of status.reasons) histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
    const parts = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort();
    if (parts.length) message += ` ${parts.join(', ')}.`;
  }
  return `${message} preemption: 0/${numAllNodes} nodes are available: ${numAllNodes} Preemption is not helpful for scheduling.`;
}

function runFilters(
  profile: Profile,
  state: CycleState,
  pod: Pod,
  nodes: NodeInfo[],
  opts: ScheduleOptions,
): { feasible: NodeInfo[]; statuses: Map<string, Status>; preFilterMessage?: string } {
  const statuses = new Map<string, Status>();
  const active: FilterPlugin[] = [];
  for (const plugin of profile.filters) {
    const status = plugin.preFilter?.(state, pod, nodes);
    if (status?.code === 'Skip') continue;
    if (status && status.code !== 'Success') {
      const failed = { ...status, plugin: plugin.name };
      for (const n of nodes) statuses.set(n.name, failed);
      return { feasible: [], statuses, preFilterMessage: status.reasons.join(', ') };
    }
    active.push(plugin);
  }
  const feasible: NodeInfo[] = [];
  const want = opts.feasibleNodesToFind ?? nodes.length;
  const first = opts.start ? opts.start.index % nodes.length : 0;
  let processed = 0;
  // k8s: schedule_one.go findNodesThatPassFilters: a round-robin start spreads the checks over all nodes.
  for (; processed < nodes.length && feasible.length < want; processed++) {
    const node = nodes[(first + processed) % nodes.length];
    // As upstream, a node's first failing filter is its only reason.
    let failed: Status | undefined;
    for (const plugin of active) {
      const status = plugin.filter(state, pod, node);
      if (status && status.code !== 'Success' && status.code !== 'Skip') {
        failed = { ...status, plugin: plugin.name };
        break;
      }
    }
    if (failed) statuses.set(node.name, failed);
    else feasible.push(node);
  }
  if (opts.start) opts.start.index = (first + processed) % nodes.length;
  return { feasible, statuses };
}

function runScores(
  profile: Profile,
  state: CycleState,
  pod: Pod,
  feasible: NodeInfo[],
  all: NodeInfo[],
): NodeScore[] {
  const totals = feasible.map((n) => ({ name: n.name, score: 0 }));
  for (const { plugin, weight } of profile.scores) {
    if (plugin.preScore?.(state, pod, feasible, all)?.code === 'Skip') continue;
    const scores = feasible.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
    plugin.normalizeScore?.(state, pod, scores);
    scores.forEach((s, i) => {
      if (!(s.score >= 0 && s.score <= MAX_NODE_SCORE)) {
        throw new Error(
          `plugin ${plugin.name} scored node ${s.name} ${s.score}, outside [0, ${MAX_NODE_SCORE}]`,
        );
      }
      totals[i].score += s.score * weight;
    });
  }
  return totals;
}

// k8s: pkg/scheduler/schedule_one.go (selectHost): reservoir sampling keeps each tied node equally likely.
function selectHost(scores: NodeScore[], rng?: () => number): string {
  let best = scores[0];
  let ties = 1;
  for (const s of scores.slice(1)) {
    if (s.score > best.score) {
      best = s;
      ties = 1;
    } else if (s.score === best.score && rng) {
      ties++;
      if (Math.floor(rng() * ties) === 0) best = s;
    }
  }
  return best.name;
}

/** One scheduling cycle for one pod: filter every node, score the feasible ones, pick the best. */
export function schedule(
  pod: Pod,
  nodes: NodeInfo[],
  profile: Profile,
  opts: ScheduleOptions = {},
): ScheduleResult {
  if (nodes.length === 0)
    return { scheduled: false, message: NO_NODES_MESSAGE, statuses: new Map() };
  const state = new CycleState();
  const { feasible, statuses, preFilterMessage } = runFilters(profile, state, pod, nodes, opts);
  if (feasible.length === 0) {
    return {
      scheduled: false,
      message: fitErrorMessage(nodes.length, statuses.values(), preFilterMessage),
      statuses,
    };
  }
  // Scoring one candidate cannot change the answer; upstream skips it too.
  if (feasible.length === 1)
    return { scheduled: true, nodeName: feasible[0].name, feasibleNodes: 1, scores: [] };
  const scores = runScores(profile, state, pod, feasible, nodes);
  return {
    scheduled: true,
    nodeName: selectHost(scores, opts.rng),
    feasibleNodes: feasible.length,
    scores,
  };
}

/**
 * Normalizes raw scores to 0..MAX_NODE_SCORE against the highest; `reverse` makes low raw scores win.
 * k8s: pkg/scheduler/framework/plugins/helper/normalize_score.go
 */
export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean): void {
  const max = Math.max(0, ...scores.map((s) => s.score));
  for (const s of scores) {
    if (max === 0) {
      s.score = reverse ? MAX_NODE_SCORE : 0;
      continue;
    }
    s.score = Math.trunc((MAX_NODE_SCORE * s.score) / max);
    if (reverse) s.score = MAX_NODE_SCORE - s.score;
  }
}
