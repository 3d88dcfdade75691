// PodTopologySpread (scoring): spreads the pods of one owner over nodes and zones, with upstream's system-default constraints.
// k8s: pkg/scheduler/framework/plugins/podtopologyspread/scoring.go, common.go, plugin.go (systemDefaultConstraints)
import {
  newRequirement,
  selectorFromLabelSelector,
  selectorFromRequirements,
} from '../../../src/lib/labels';
import {
  MAX_NODE_SCORE,
  skip,
  type CycleState,
  type NodeInfo,
  type NodeInfoList,
  type ScorePlugin,
} from '../framework';
import type { Node, Pod } from '../types';
import { requiredNodeAffinityMatches } from './node-affinity';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

interface Constraint {
  topologyKey: string;
  maxSkew: number;
  matches: (other: Pod) => boolean;
  /** Set for the system defaults: matching pods are counted from NodeInfo.ownerCounts under this key. */
  ownerKey?: string;
}

/** Matching pods on a node; the owner index answers the defaults without walking the node's pods. */
const countOn = (n: NodeInfo, c: Constraint) =>
  c.ownerKey !== undefined ? (n.ownerCounts.get(c.ownerKey) ?? 0) : n.pods.filter(c.matches).length;

interface PreScoreState {
  constraints: Constraint[];
  ignored: Set<string>;
  /** Per constraint (other than hostname): matching pods per topology value. */
  counts: Map<string, number>[];
  weights: number[];
}

const KEY = 'PreScorePodTopologySpread';

// k8s: pkg/scheduler/framework/plugins/podtopologyspread/plugin.go: applied to pods that state no constraints.
export const SYSTEM_DEFAULT_CONSTRAINTS = [
  { topologyKey: LABEL_HOSTNAME, maxSkew: 3 },
  { topologyKey: LABEL_ZONE, maxSkew: 5 },
];

const terminating = (p: Pod) => !!p.metadata.deletionTimestamp;

// kubelet always sets the hostname label; a node registered without it is still its own hostname domain.
function topologyValue(node: Node, key: string): string | undefined {
  const v = node.metadata.labels?.[key];
  if (v === undefined && key === LABEL_HOSTNAME) return node.metadata.name;
  return v;
}

/**
 * The pod's own ScheduleAnyway constraints, or the system defaults. Upstream builds the defaults'
 * selector from the Services and controllers that select the pod; without listers here, "the same
 * owner" (the first ownerReference's UID) stands in for that, as upstream's own fast path counts.
 */
function buildConstraints(pod: Pod): { constraints: Constraint[]; systemDefaulted: boolean } {
  const ns = pod.metadata.namespace;
  const own = pod.spec.topologySpreadConstraints ?? [];
  if (own.length) {
    const constraints = own
      .filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway')
      .map((c) => {
        const base = selectorFromLabelSelector(c.labelSelector);
        const extra = (c.matchLabelKeys ?? [])
          .filter((k) => pod.metadata.labels?.[k] !== undefined)
          .map((k) => newRequirement(k, '=', [pod.metadata.labels![k]]));
        const selector =
          extra.length && base.requirements
            ? selectorFromRequirements([...base.requirements, ...extra])
            : base;
        return {
          topologyKey: c.topologyKey,
          maxSkew: c.maxSkew,
          matches: (p: Pod) =>
            p.metadata.namespace === ns &&
            !terminating(p) &&
            selector.matches(p.metadata.labels ?? {}),
        };
      });
    return { constraints, systemDefaulted: false };
  }
  const owner = pod.metadata.ownerReferences?.[0]?.uid;
  if (!owner) return { constraints: [], systemDefaulted: true };
  const matches = (p: Pod) =>
    p.metadata.namespace === ns &&
    !terminating(p) &&
    p.metadata.ownerReferences?.[0]?.uid === owner;
  return {
    constraints: SYSTEM_DEFAULT_CONSTRAINTS.map((c) => ({
      ...c,
      matches,
      ownerKey: `${ns ?? ''}/${owner}`,
    })),
    systemDefaulted: true,
  };
}

const hasAllKeys = (node: Node, constraints: Constraint[]) =>
  constraints.every((c) => topologyValue(node, c.topologyKey) !== undefined);

// Small topologies are not drowned by big ones: the weight grows with the log of the domain count.
const normalizingWeight = (size: number) => Math.log(size + 2);

export const podTopologySpread: ScorePlugin = {
  name: 'PodTopologySpread',
  preScore(state: CycleState, pod, feasible, all) {
    const { constraints, systemDefaulted } = buildConstraints(pod);
    if (constraints.length === 0 || all.length === 0) return skip();
    // Only the pod's own constraints demand every key; the defaults still spread by hostname where zones are unlabelled.
    const requireAll = !systemDefaulted;
    const s: PreScoreState = {
      constraints,
      ignored: new Set(),
      counts: constraints.map(() => new Map()),
      weights: [],
    };
    const sizes = constraints.map(() => 0);
    for (const n of feasible) {
      if (requireAll && !hasAllKeys(n.node, constraints)) {
        s.ignored.add(n.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey === LABEL_HOSTNAME) return;
        const value = n.node.metadata.labels?.[c.topologyKey] ?? '';
        if (!s.counts[i].has(value)) {
          s.counts[i].set(value, 0);
          sizes[i]++;
        }
      });
    }
    s.weights = constraints.map((c, i) =>
      normalizingWeight(
        c.topologyKey === LABEL_HOSTNAME ? feasible.length - s.ignored.size : sizes[i],
      ),
    );
    // Domains are counted over every node the pod could go to by affinity, not only the feasible ones.
    // The defaults' zone counts, for a pod that any node may take, are the cache's owner-by-zone
    // counts: the same sums without walking every node (a tenth of a 1,000-node cycle's CPU).
    const ownerZones = (all as NodeInfoList).ownerZones;
    const anyNode =
      systemDefaulted &&
      ownerZones !== undefined &&
      !pod.spec.nodeSelector &&
      !pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (anyNode) {
      constraints.forEach((c, i) => {
        if (c.topologyKey !== LABEL_ZONE || c.ownerKey === undefined) return;
        for (const value of s.counts[i].keys())
          s.counts[i].set(value, ownerZones.get(c.ownerKey, value));
      });
    }
    for (const n of anyNode ? [] : all) {
      if (!requiredNodeAffinityMatches(pod, n.node)) continue;
      if (requireAll && !hasAllKeys(n.node, constraints)) continue;
      constraints.forEach((c, i) => {
        const value = n.node.metadata.labels?.[c.topologyKey] ?? '';
        const count = s.counts[i].get(value);
        if (c.topologyKey === LABEL_HOSTNAME || count === undefined) return;
        s.counts[i].set(value, count + countOn(n, c));
      });
    }
    state.write(KEY, s);
    return null;
  },
  score(state, _pod, node: NodeInfo) {
    const s = state.read<PreScoreState>(KEY);
    if (!s || s.ignored.has(node.name)) return 0;
    let score = 0;
    s.constraints.forEach((c, i) => {
      const value = topologyValue(node.node, c.topologyKey);
      if (value === undefined) return;
      const count =
        c.topologyKey === LABEL_HOSTNAME ? countOn(node, c) : (s.counts[i].get(value) ?? 0);
      // maxSkew - 1 waters down small differences: a larger allowed skew makes the score less eager to spread.
      score += count * s.weights[i] + (c.maxSkew - 1);
    });
    return Math.round(score);
  },
  normalizeScore(state, _pod, scores) {
    const s = state.read<PreScoreState>(KEY);
    if (!s) return;
    const counted = scores.filter((x) => !s.ignored.has(x.name));
    const min = Math.min(...counted.map((x) => x.score));
    const max = Math.max(0, ...counted.map((x) => x.score));
    for (const x of scores) {
      if (s.ignored.has(x.name)) x.score = 0;
      else if (max === 0) x.score = MAX_NODE_SCORE;
      else x.score = Math.floor((MAX_NODE_SCORE * (max + min - x.score)) / max);
    }
  },
};
