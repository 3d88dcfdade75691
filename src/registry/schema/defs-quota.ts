// Schemas of core/v1 ResourceQuota and LimitRange.
import { CORE, META, type Schema, atomic, gvk, kind, map, obj, quantity, ref, str } from './dsl';

const resources = (desc: string) => map(quantity(), desc);

export const quotaDefs: Record<string, Schema> = {
  [CORE + 'ResourceQuotaSpec']: obj('The hard limits of a namespace.', {
    hard: resources(
      'Hard limits by resource name (pods, requests.cpu, count/deployments.apps, ...).',
    ),
    scopes: atomic(
      str(),
      'Scopes a tracked object must match (Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass, CrossNamespacePodAffinity).',
    ),
    scopeSelector: ref(
      CORE + 'ScopeSelector',
      'Scope requirements a tracked object must match, ANDed with the scopes.',
    ),
  }),
  [CORE + 'ScopeSelector']: obj('Scope requirements, ANDed.', {
    matchExpressions: atomic(
      ref(CORE + 'ScopedResourceSelectorRequirement'),
      'The requirements, by scope name.',
    ),
  }),
  [CORE + 'ScopedResourceSelectorRequirement']: obj(
    'A scope name, an operator and the values it applies to.',
    {
      scopeName: str(
        'The scope: Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass or CrossNamespacePodAffinity.',
      ),
      operator: str('In, NotIn, Exists or DoesNotExist.'),
      values: atomic(str(), 'Values for In and NotIn; empty for Exists and DoesNotExist.'),
    },
    { required: ['scopeName', 'operator'] },
  ),
  [CORE + 'ResourceQuotaStatus']: obj('Enforced hard limits and current use.', {
    hard: resources('The enforced hard limits.'),
    used: resources('Current use of each resource in the namespace.'),
  }),
  [CORE + 'ResourceQuota']: kind(
    'Aggregate limits on what a namespace may use.',
    gvk('', 'v1', 'ResourceQuota'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(CORE + 'ResourceQuotaSpec', 'The desired hard limits.'),
      status: ref(CORE + 'ResourceQuotaStatus', 'The enforced hard limits and current use.'),
    },
  ),
  [CORE + 'LimitRangeItem']: obj(
    'Limits on one kind of object (Container, Pod, PersistentVolumeClaim).',
    {
      default: resources('Default limit of a container.'),
      defaultRequest: resources('Default request of a container.'),
      max: resources('Maximum use.'),
      maxLimitRequestRatio: resources('Largest allowed limit/request ratio.'),
      min: resources('Minimum use.'),
      type: str('Type of resource this limit applies to.'),
    },
    { required: ['type'] },
  ),
  [CORE + 'LimitRangeSpec']: obj(
    'The limits of a LimitRange.',
    { limits: atomic(ref(CORE + 'LimitRangeItem'), 'The limits.') },
    { required: ['limits'] },
  ),
  [CORE + 'LimitRange']: kind(
    'Default requests and limits, and bounds, for the objects of a namespace.',
    gvk('', 'v1', 'LimitRange'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(CORE + 'LimitRangeSpec', 'The limits.'),
    },
  ),
};
