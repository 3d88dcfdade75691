// The cluster roles and bindings every cluster starts with, as kube-apiserver's bootstrap policy:
// cluster-admin, the aggregated admin/edit/view, the system: roles for discovery and self-review, and
// those of the scheduler and the controllers.
// k8s: plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go
import {
  BOOTSTRAPPING_LABEL,
  RBAC_GROUP,
  type ClusterRole,
  type PolicyRule,
  type RoleBinding,
} from '../api/rbac';
import { KUBE_SCHEDULER_RULES, kubeControllerManagerRules } from './control-plane-roles';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

export const AGGREGATE_TO = (role: 'admin' | 'edit' | 'view') =>
  `rbac.authorization.k8s.io/aggregate-to-${role}`;

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
});
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({
  verbs,
  nonResourceURLs,
});

function clusterRole(
  name: string,
  rules: PolicyRule[],
  extra: { labels?: Record<string, string>; aggregateFrom?: string } = {},
): ClusterRole {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: {
      name,
      labels: { [BOOTSTRAPPING_LABEL]: 'rbac-defaults', ...extra.labels },
      annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
    },
    ...(extra.aggregateFrom
      ? {
          aggregationRule: {
            clusterRoleSelectors: [{ matchLabels: { [extra.aggregateFrom]: 'true' } }],
          },
        }
      : {}),
    rules,
  };
}

function clusterRoleBinding(
  name: string,
  role: string,
  subjects: { kind: 'User' | 'Group'; name: string }[],
): RoleBinding {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: {
      name,
      labels: { [BOOTSTRAPPING_LABEL]: 'rbac-defaults' },
      annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
    subjects: subjects.map((s) => ({ ...s, apiGroup: RBAC_GROUP })),
  };
}

const DISCOVERY_URLS = [
  '/api',
  '/api/*',
  '/apis',
  '/apis/*',
  '/healthz',
  '/livez',
  '/openapi',
  '/openapi/*',
  '/readyz',
  '/version',
  '/version/',
];

export function bootstrapClusterRoles(): ClusterRole[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    // The aggregated roles start empty: the aggregation controller writes their rules.
    clusterRole('admin', [], { aggregateFrom: AGGREGATE_TO('admin') }),
    clusterRole('edit', [], {
      aggregateFrom: AGGREGATE_TO('edit'),
      labels: { [AGGREGATE_TO('admin')]: 'true' },
    }),
    clusterRole('view', [], {
      aggregateFrom: AGGREGATE_TO('view'),
      labels: { [AGGREGATE_TO('edit')]: 'true' },
    }),
    clusterRole(
      'system:aggregate-to-admin',
      [
        rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
        rule(READ_WRITE, [RBAC_GROUP], ['rolebindings', 'roles']),
      ],
      { labels: { [AGGREGATE_TO('admin')]: 'true' } },
    ),
    clusterRole(
      'system:aggregate-to-edit',
      [
        rule(
          READ,
          [''],
          [
            'pods/attach',
            'pods/exec',
            'pods/portforward',
            'pods/proxy',
            'secrets',
            'services/proxy',
          ],
        ),
        rule(['impersonate'], [''], ['serviceaccounts']),
        rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
        rule(['create'], [''], ['pods/eviction']),
        rule(
          WRITE,
          [''],
          [
            'configmaps',
            'events',
            'persistentvolumeclaims',
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'secrets',
            'serviceaccounts',
            'services',
            'services/proxy',
          ],
        ),
        rule(['create'], [''], ['serviceaccounts/token']),
        rule(
          WRITE,
          ['apps'],
          [
            'daemonsets',
            'deployments',
            'deployments/rollback',
            'deployments/scale',
            'replicasets',
            'replicasets/scale',
            'statefulsets',
            'statefulsets/scale',
          ],
        ),
        rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
        rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
        rule(WRITE, ['policy'], ['poddisruptionbudgets']),
        rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
        rule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
      ],
      { labels: { [AGGREGATE_TO('edit')]: 'true' } },
    ),
    clusterRole(
      'system:aggregate-to-view',
      [
        rule(
          READ,
          [''],
          [
            'configmaps',
            'endpoints',
            'persistentvolumeclaims',
            'persistentvolumeclaims/status',
            'pods',
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'serviceaccounts',
            'services',
            'services/status',
          ],
        ),
        rule(
          READ,
          [''],
          [
            'bindings',
            'events',
            'limitranges',
            'namespaces/status',
            'pods/log',
            'pods/status',
            'replicationcontrollers/status',
            'resourcequotas',
            'resourcequotas/status',
          ],
        ),
        rule(READ, [''], ['namespaces']),
        rule(READ, ['discovery.k8s.io'], ['endpointslices']),
        rule(
          READ,
          ['apps'],
          [
            'controllerrevisions',
            'daemonsets',
            'daemonsets/status',
            'deployments',
            'deployments/scale',
            'deployments/status',
            'replicasets',
            'replicasets/scale',
            'replicasets/status',
            'statefulsets',
            'statefulsets/scale',
            'statefulsets/status',
          ],
        ),
        rule(
          READ,
          ['autoscaling'],
          ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'],
        ),
        rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
        rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
        rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
        rule(READ, ['events.k8s.io'], ['events']),
      ],
      { labels: { [AGGREGATE_TO('view')]: 'true' } },
    ),
    // What metrics-server installs alongside itself, so `kubectl top pods` works for anyone who can
    // read pods: edgeplane serves metrics.k8s.io without it, so the role is bootstrapped here.
    // k8s: kubernetes-sigs/metrics-server manifests/base/rbac.yaml
    clusterRole(
      'system:aggregated-metrics-reader',
      [rule(READ, ['metrics.k8s.io'], ['pods', 'nodes'])],
      {
        labels: {
          [AGGREGATE_TO('view')]: 'true',
          [AGGREGATE_TO('edit')]: 'true',
          [AGGREGATE_TO('admin')]: 'true',
        },
      },
    ),
    clusterRole('system:discovery', [urls(['get'], DISCOVERY_URLS)]),
    clusterRole('system:public-info-viewer', [
      urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/']),
    ]),
    clusterRole('system:basic-user', [
      rule(
        ['create'],
        ['authorization.k8s.io'],
        ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      ),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:service-account-issuer-discovery', [
      urls(
        ['get'],
        [
          '/.well-known/openid-configuration',
          '/.well-known/openid-configuration/',
          '/openid/v1/jwks',
          '/openid/v1/jwks/',
        ],
      ),
    ]),
    // The control plane's own identities (also their code-level floor: see control-plane-roles.ts).
    clusterRole('system:kube-scheduler', KUBE_SCHEDULER_RULES),
    clusterRole('system:kube-controller-manager', kubeControllerManagerRules()),
    // What an authenticating front end needs (upstream: system:auth-delegator).
    clusterRole('system:auth-delegator', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
  ];
}

export function bootstrapClusterRoleBindings(): RoleBinding[] {
  return [
    clusterRoleBinding('cluster-admin', 'cluster-admin', [
      { kind: 'Group', name: 'system:masters' },
    ]),
    clusterRoleBinding('system:discovery', 'system:discovery', [
      { kind: 'Group', name: 'system:authenticated' },
    ]),
    clusterRoleBinding('system:basic-user', 'system:basic-user', [
      { kind: 'Group', name: 'system:authenticated' },
    ]),
    clusterRoleBinding(
      'system:service-account-issuer-discovery',
      'system:service-account-issuer-discovery',
      [{ kind: 'Group', name: 'system:serviceaccounts' }],
    ),
    clusterRoleBinding('system:kube-scheduler', 'system:kube-scheduler', [
      { kind: 'User', name: 'system:kube-scheduler' },
    ]),
    clusterRoleBinding('system:kube-controller-manager', 'system:kube-controller-manager', [
      { kind: 'User', name: 'system:kube-controller-manager' },
    ]),
    clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', [
      { kind: 'Group', name: 'system:authenticated' },
      { kind: 'Group', name: 'system:unauthenticated' },
    ]),
  ];
}
