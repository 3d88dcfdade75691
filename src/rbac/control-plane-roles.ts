// The rights of the control plane's own identities as RBAC rules, bootstrapped as the ClusterRoles
// system:kube-scheduler and system:kube-controller-manager (bound to those users), as upstream's
// bootstrap policy has them, so `kubectl auth can-i --list --as=system:kube-scheduler` shows them.
// The same rules are also the code-level floor (src/server/auth/identities.ts): editing or deleting
// the bootstrap objects can never lock the loops out of the API.
// k8s: plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go (system:kube-scheduler,
// system:kube-controller-manager), narrowed or widened to what our loops do.
import { RESOURCES, type ResourceInfo } from '../api/resources';
import { REVIEW_RESOURCES } from '../api/review-resources';
import type { PolicyRule } from '../api/rbac';

const READ = ['get', 'list', 'watch'];

/** What the scheduler does: read what it places pods by, bind them, record why, mark claims. */
export const KUBE_SCHEDULER_RULES: PolicyRule[] = [
  {
    verbs: READ,
    apiGroups: [''],
    resources: [
      'namespaces',
      'nodes',
      'persistentvolumeclaims',
      'persistentvolumes',
      'pods',
      'services',
    ],
  },
  { verbs: READ, apiGroups: ['storage.k8s.io'], resources: ['storageclasses'] },
  { verbs: ['create'], apiGroups: [''], resources: ['pods/binding'] },
  { verbs: ['get', 'patch', 'update'], apiGroups: [''], resources: ['pods/status'] },
  // VolumeBinding's PreBind marks delayed-binding claims with the chosen node.
  { verbs: ['patch', 'update'], apiGroups: [''], resources: ['persistentvolumeclaims'] },
  {
    verbs: ['create', 'get', 'patch', 'update'],
    apiGroups: ['', 'events.k8s.io'],
    resources: ['events'],
  },
];

/** Subresources that open streams into containers, nodes or services: no controller uses them. */
export const STREAM_SUBRESOURCES = ['attach', 'exec', 'portforward', 'proxy'];

/** Every verb a controller may use on a resource: all but `impersonate`. */
export const CONTROLLER_VERBS = [
  'bind',
  'create',
  'delete',
  'deletecollection',
  'escalate',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

/**
 * The controllers manage every built-in kind (the garbage collector and the namespace controller
 * read and delete everything, Secrets included) but open no streams and impersonate no one. One rule
 * per API group, over each kind and its non-stream subresources. Custom resources' groups are not
 * known in advance: the controllers' rights on them stay in code only.
 */
export function kubeControllerManagerRules(
  resources: readonly ResourceInfo[] = [...RESOURCES, ...REVIEW_RESOURCES],
): PolicyRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const r of resources) {
    const names = byGroup.get(r.group) ?? new Set<string>();
    names.add(r.resource);
    for (const s of r.subresources)
      if (!STREAM_SUBRESOURCES.includes(s.name)) names.add(`${r.resource}/${s.name}`);
    byGroup.set(r.group, names);
  }
  return [
    ...[...byGroup.keys()].sort().map((group) => ({
      verbs: CONTROLLER_VERBS,
      apiGroups: [group],
      resources: [...byGroup.get(group)!].sort(),
    })),
    { verbs: ['*'], nonResourceURLs: ['*'] },
  ];
}
