// ResourceQuota and LimitRange types, and which pods a scoped quota tracks.
// k8s: staging/src/k8s.io/api/core/v1/types.go; pkg/quota/v1/evaluator/core/pods.go (podMatchesScopeFunc)
import type { KObject } from './types';

export interface ResourceQuota extends KObject {
  spec?: ResourceQuotaSpec;
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

export interface LimitRangeItem {
  type: 'Pod' | 'Container' | 'PersistentVolumeClaim';
  max?: Record<string, string>;
  min?: Record<string, string>;
  default?: Record<string, string>;
  defaultRequest?: Record<string, string>;
  maxLimitRequestRatio?: Record<string, string>;
}

export interface LimitRange extends KObject {
  spec?: { limits?: LimitRangeItem[] };
}

/** One requirement of a quota's scopeSelector (spec.scopes entries are `Exists` requirements). */
export interface ScopedResourceSelectorRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

export interface ResourceQuotaSpec {
  hard?: Record<string, string>;
  scopes?: string[];
  scopeSelector?: { matchExpressions?: ScopedResourceSelectorRequirement[] };
}

/** Every scope upstream evaluates. k8s: pkg/apis/core/helper (IsStandardResourceQuotaScope) */
export const SUPPORTED_SCOPES = [
  'Terminating',
  'NotTerminating',
  'BestEffort',
  'NotBestEffort',
  'PriorityClass',
  'CrossNamespacePodAffinity',
];

export const SCOPE_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

type Ctr = { resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } };
interface AffinityTerm {
  namespaces?: string[];
  namespaceSelector?: unknown;
}
interface PodScopeSpec {
  activeDeadlineSeconds?: number;
  priorityClassName?: string;
  containers?: Ctr[];
  initContainers?: Ctr[];
  affinity?: Record<
    'podAffinity' | 'podAntiAffinity',
    | {
        requiredDuringSchedulingIgnoredDuringExecution?: AffinityTerm[];
        preferredDuringSchedulingIgnoredDuringExecution?: { podAffinityTerm?: AffinityTerm }[];
      }
    | undefined
  >;
}

/** k8s GetPodQOS: BestEffort when no container requests or limits cpu or memory. */
const isBestEffort = (spec: PodScopeSpec) =>
  ![...(spec.containers ?? []), ...(spec.initContainers ?? [])].some((c) =>
    ['cpu', 'memory'].some(
      (r) => c.resources?.requests?.[r] !== undefined || c.resources?.limits?.[r] !== undefined,
    ),
  );

/** k8s: a pod (anti-)affinity term naming other namespaces, or selecting them. */
function crossNamespaceAffinity(spec: PodScopeSpec): boolean {
  const crosses = (t: AffinityTerm | undefined) =>
    !!t && ((t.namespaces?.length ?? 0) > 0 || t.namespaceSelector != null);
  return (['podAffinity', 'podAntiAffinity'] as const).some((k) => {
    const a = spec.affinity?.[k];
    return (
      (a?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some(crosses) ||
      (a?.preferredDuringSchedulingIgnoredDuringExecution ?? []).some((w) =>
        crosses(w.podAffinityTerm),
      )
    );
  });
}

/**
 * Whether a pod matches one scope requirement. PriorityClass is a label selector over the one-key
 * set {PriorityClass: <the pod's class>} (empty without a class); the others are Exists only.
 * k8s: pkg/quota/v1/evaluator/core/pods.go (podMatchesScopeFunc)
 */
export function podMatchesScope(req: ScopedResourceSelectorRequirement, pod: KObject): boolean {
  const spec = (pod.spec ?? {}) as PodScopeSpec;
  switch (req.scopeName) {
    case 'Terminating':
      return (spec.activeDeadlineSeconds ?? -1) >= 0;
    case 'NotTerminating':
      return !((spec.activeDeadlineSeconds ?? -1) >= 0);
    case 'BestEffort':
      return isBestEffort(spec);
    case 'NotBestEffort':
      return !isBestEffort(spec);
    case 'CrossNamespacePodAffinity':
      return crossNamespaceAffinity(spec);
    case 'PriorityClass': {
      const cls = spec.priorityClassName || undefined;
      switch (req.operator) {
        case 'Exists':
          return cls !== undefined;
        case 'DoesNotExist':
          return cls === undefined;
        case 'In':
          return cls !== undefined && (req.values ?? []).includes(cls);
        case 'NotIn':
          return cls === undefined || !(req.values ?? []).includes(cls);
        default:
          return false;
      }
    }
    default:
      return false;
  }
}

/** A quota's scopes and scopeSelector as one list of requirements. k8s: getScopeSelectorsFromQuota */
export function scopeRequirements(
  spec: ResourceQuotaSpec | undefined,
): ScopedResourceSelectorRequirement[] {
  return [
    ...(spec?.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists' })),
    ...(spec?.scopeSelector?.matchExpressions ?? []),
  ];
}

/**
 * Whether a quota with this spec tracks the object: every scope requirement must match, and only
 * pods can match one (other kinds' evaluators match no scope). k8s: generic.Matches
 */
export function matchesScopes(
  spec: ResourceQuotaSpec | undefined,
  resource: string,
  obj: KObject,
): boolean {
  const reqs = scopeRequirements(spec);
  if (!reqs.length) return true;
  if (resource !== 'pods') return false;
  return reqs.every((r) => podMatchesScope(r, obj));
}
