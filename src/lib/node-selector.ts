// Node selector terms (node affinity, PV nodeAffinity) against a node's labels and name.
// k8s: staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go
import { requirementMatches, type Operator } from './labels';

export interface SelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}
export interface SelectorTerm {
  matchExpressions?: SelectorRequirement[];
  matchFields?: SelectorRequirement[];
}
export interface NodeLike {
  metadata: { name?: string; labels?: Record<string, string> };
}

const operators: Record<string, Operator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

function holds(r: SelectorRequirement, values: Record<string, string>): boolean {
  const op = operators[r.operator];
  if (!op) return false;
  const vals = r.values ?? [];
  if ((op === 'in' || op === 'notin') && vals.length === 0) return false;
  if ((op === 'gt' || op === 'lt') && vals.length !== 1) return false;
  return requirementMatches({ key: r.key, operator: op, values: vals }, values);
}

/** One term: every expression on labels and every field (metadata.name only) holds; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: SelectorTerm, node: NodeLike): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  const named = { 'metadata.name': node.metadata.name ?? '' };
  return (
    exprs.every((r) => holds(r, labels)) &&
    fields.every(
      (r) =>
        r.key === 'metadata.name' &&
        (r.operator === 'In' || r.operator === 'NotIn') &&
        holds(r, named),
    )
  );
}

/** Terms are ORed; no terms match nothing. */
export function nodeSelectorTermsMatch(terms: SelectorTerm[] | undefined, node: NodeLike): boolean {
  return (terms ?? []).some((t) => nodeSelectorTermMatches(t, node));
}

interface PodSchedulingSpec {
  nodeSelector?: Record<string, string>;
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: SelectorTerm[] };
    };
  };
}

/** nodeSelector and required node affinity both hold (the scheduler's NodeAffinity filter; DaemonSets ask it per node). */
export function podRequiredAffinityMatches(
  spec: PodSchedulingSpec | undefined,
  node: NodeLike,
): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const req = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!req) return true;
  return nodeSelectorTermsMatch(req.nodeSelectorTerms, node);
}
