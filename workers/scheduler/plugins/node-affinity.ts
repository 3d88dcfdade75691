// NodeAffinity: spec.nodeSelector and required node affinity filter nodes; preferred node affinity weights score them.
// k8s: pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go, staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity
import { requirementMatches, type Operator } from '../../../src/lib/labels';
import {
  defaultNormalizeScore,
  skip,
  unresolvable,
  type FilterPlugin,
  type ScorePlugin,
} from '../framework';
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../types';

const operators: Record<NodeSelectorRequirement['operator'], Operator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

function requirementHolds(r: NodeSelectorRequirement, values: Record<string, string>): boolean {
  const op = operators[r.operator];
  // A requirement the API should have rejected (In without values, Gt with two) matches nothing, as upstream's parse error does.
  if (!op) return false;
  const vals = r.values ?? [];
  if ((op === 'in' || op === 'notin') && vals.length === 0) return false;
  if ((op === 'gt' || op === 'lt') && vals.length !== 1) return false;
  return requirementMatches({ key: r.key, operator: op, values: vals }, values);
}

/** Expressions match labels, fields match metadata.name only; an empty term matches no node. */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  const fieldValues = { 'metadata.name': node.metadata.name ?? '' };
  return (
    exprs.every((r) => requirementHolds(r, labels)) &&
    fields.every(
      (r) =>
        r.key === 'metadata.name' &&
        (r.operator === 'In' || r.operator === 'NotIn') &&
        requirementHolds(r, fieldValues),
    )
  );
}

/** nodeSelector and the required terms (ORed) both hold for this node. */
export function requiredNodeAffinityMatches(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {}))
    if (labels[k] !== v) return false;
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}

export const nodeAffinityFilter: FilterPlugin = {
  name: 'NodeAffinity',
  filter(_state, pod, node) {
    return requiredNodeAffinityMatches(pod, node.node)
      ? null
      : unresolvable("node(s) didn't match Pod's node affinity/selector");
  },
};

const preferred = (pod: Pod) =>
  pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];

export const nodeAffinityScore: ScorePlugin = {
  name: 'NodeAffinity',
  preScore(_state, pod) {
    return preferred(pod).length ? null : skip();
  },
  score(_state, pod, node) {
    return preferred(pod).reduce(
      (sum, p) => (p.weight && termMatches(p.preference, node.node) ? sum + p.weight : sum),
      0,
    );
  },
  normalizeScore(_state, _pod, scores) {
    defaultNormalizeScore(scores, false);
  },
};
