// ResourceQuota and LimitRange types, and which pods a scoped quota tracks.
// k8s: staging/src/k8s.io/api/core/v1/types.go; pkg/quota/v1/evaluator/core/pods.go (podMatchesScopeFunc)
import type { KObject } from './types';

export interface ResourceQuota extends KObject {
  spec?: { hard?: Record<string, string>; scopes?: string[] };
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

type Ctr = { resources?: { requests?: object; limits?: object } };

const hasResources = (pod: KObject) =>
  (
    ((pod.spec as { containers?: Ctr[]; initContainers?: Ctr[] } | undefined)?.containers ??
      []) as Ctr[]
  )
    .concat(((pod.spec as { initContainers?: Ctr[] } | undefined)?.initContainers ?? []) as Ctr[])
    .some(
      (c) =>
        Object.keys(c.resources?.requests ?? {}).length > 0 ||
        Object.keys(c.resources?.limits ?? {}).length > 0,
    );

/** The scopes edgeplane evaluates. k8s: pkg/quota/v1/evaluator/core/pods.go podMatchesScopeFunc */
export const SUPPORTED_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort'];

/** Whether a quota with these scopes tracks the object (scoped quotas track pods only). */
export function matchesScopes(
  scopes: string[] | undefined,
  resource: string,
  obj: KObject,
): boolean {
  if (!scopes?.length) return true;
  if (resource !== 'pods') return false;
  const deadline = (obj.spec as { activeDeadlineSeconds?: number } | undefined)
    ?.activeDeadlineSeconds;
  return scopes.every((s) => {
    switch (s) {
      case 'Terminating':
        return deadline !== undefined;
      case 'NotTerminating':
        return deadline === undefined;
      case 'BestEffort':
        return !hasResources(obj);
      case 'NotBestEffort':
        return hasResources(obj);
      default:
        return false;
    }
  });
}
