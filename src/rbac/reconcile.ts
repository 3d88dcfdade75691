// Keeping the bootstrap policy current on clusters made by an older version: a bootstrap role that
// lacks some of today's rules gets them added, a bootstrap binding that lacks a subject gets it,
// unless an admin set rbac.authorization.kubernetes.io/autoupdate: "false". Nothing is removed.
// k8s: pkg/registry/rbac/reconciliation (ReconcileRole, ReconcileRoleBinding with union semantics)
import {
  AUTOUPDATE_ANNOTATION,
  type ClusterRole,
  type PolicyRule,
  type RoleBinding,
} from '../api/rbac';
import { uncoveredRules } from './rules';

const frozen = (o: { metadata: { annotations?: Record<string, string> } }) =>
  o.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false';

function withMetadata<T extends ClusterRole | RoleBinding>(existing: T, expected: T): T {
  return {
    ...existing,
    metadata: {
      ...existing.metadata,
      labels: { ...existing.metadata.labels, ...expected.metadata.labels },
      annotations: { ...expected.metadata.annotations, ...existing.metadata.annotations },
    },
  };
}

/** The role with the missing rules (and labels, aggregation rule) added, or undefined when current. */
export function reconcileRole(
  existing: ClusterRole,
  expected: ClusterRole,
): ClusterRole | undefined {
  if (frozen(existing)) return undefined;
  const labelsMissing = Object.entries(expected.metadata.labels ?? {}).some(
    ([k, v]) => existing.metadata.labels?.[k] !== v,
  );
  // An aggregated role's rules are the aggregation controller's business.
  if (expected.aggregationRule) {
    if (!labelsMissing && existing.aggregationRule) return undefined;
    return {
      ...withMetadata(existing, expected),
      aggregationRule: existing.aggregationRule ?? expected.aggregationRule,
    };
  }
  const have = existing.rules ?? [];
  const add: PolicyRule[] = (expected.rules ?? []).filter(
    (r) => uncoveredRules(have, [r]).length > 0,
  );
  if (add.length === 0 && !labelsMissing) return undefined;
  return { ...withMetadata(existing, expected), rules: [...have, ...add] };
}

/** The binding with the missing subjects added, or undefined when current. */
export function reconcileBinding(
  existing: RoleBinding,
  expected: RoleBinding,
): RoleBinding | undefined {
  if (frozen(existing)) return undefined;
  const have = existing.subjects ?? [];
  const add = (expected.subjects ?? []).filter(
    (s) => !have.some((h) => h.kind === s.kind && h.name === s.name && h.namespace === s.namespace),
  );
  if (add.length === 0) return undefined;
  return { ...withMetadata(existing, expected), subjects: [...have, ...add] };
}
