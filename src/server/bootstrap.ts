// First-start objects (idempotent): the built-in namespaces, their default ServiceAccounts, and
// the default/kubernetes Service with its Endpoints and EndpointSlice (src/server/kubernetes-endpoints.ts).
import { findResource, resourceKey, type ResourceInfo } from '../api/resources';
import type { Store } from '../storage/store';
import type { Env } from './env';
import { newUid, timestamp } from './rest/objects';
import { kubernetesServiceIP, reserveKubernetesServiceIP } from './admission/service-addresses';
import type { ApiContext } from './context';
import type { KObject } from '../api/types';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from '../rbac/bootstrap-policy';
import { CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES } from '../rbac/resources';
import { reconcileBinding, reconcileRole } from '../rbac/reconcile';
import { reconcileKubernetesEndpoints } from './kubernetes-endpoints';

const NS = findResource('', 'v1', 'namespaces')!;
const SA = findResource('', 'v1', 'serviceaccounts')!;
const SVC = findResource('', 'v1', 'services')!;
const SC = findResource('storage.k8s.io', 'v1', 'storageclasses')!;
export const BUILTIN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const meta = (name: string, namespace?: string) => ({
  name,
  namespace,
  uid: newUid(),
  creationTimestamp: timestamp(),
});

/**
 * The bootstrap RBAC policy: created when missing, and brought up to date (rules, subjects and labels
 * added, never removed) unless an admin marked an object autoupdate "false", as kube-apiserver
 * reconciles it at start. A deleted bootstrap object comes back on the next start.
 */
async function bootstrapPolicy(store: Store, env: Env): Promise<void> {
  const stamp = (o: KObject): KObject => ({
    ...o,
    metadata: { ...o.metadata, uid: newUid(), creationTimestamp: timestamp() },
  });
  const ensure = async <T extends KObject>(
    r: ResourceInfo,
    expected: T,
    reconcile: (existing: T, expected: T) => T | undefined,
  ): Promise<boolean> => {
    const created = await store.create(r, stamp(expected));
    if (created.ok) return true;
    if (created.reason !== 'exists') return false;
    const existing = (await store.get(r, undefined, expected.metadata.name!)) as T | null;
    const next = existing && reconcile(existing, expected);
    if (!next) return false;
    // A conflict means someone else wrote it meanwhile: the next start looks again.
    const rv = existing.metadata.resourceVersion;
    delete next.metadata.resourceVersion;
    return (await store.update(r, next, { resourceVersion: rv })).ok;
  };
  const roles = bootstrapClusterRoles();
  const [changed] = await Promise.all([
    Promise.all(roles.map((r) => ensure(CLUSTER_ROLES(), r, reconcileRole))),
    Promise.all(
      bootstrapClusterRoleBindings().map((b) =>
        ensure(CLUSTER_ROLE_BINDINGS(), b, reconcileBinding),
      ),
    ),
  ]);
  // Roles written here bypass the REST layer's wake-ups: tell the aggregation controller at once,
  // so admin, edit and view hold their rules before the first cron.
  if (changed.some(Boolean))
    await env.CONTROLLERS?.wake(
      roles.map((r) => ({ resource: resourceKey(CLUSTER_ROLES()), name: r.metadata.name! })),
    ).catch((e: unknown) => console.error('waking the controllers after bootstrap', e));
}

export async function bootstrap(store: Store, env: Env): Promise<void> {
  await bootstrapPolicy(store, env);
  await Promise.all(
    BUILTIN_NAMESPACES.map(async (name) => {
      await store.create(NS, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { ...meta(name), labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
      await store.create(SA, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: meta('default', name),
      });
    }),
  );
  // The default StorageClass: node-local directories, made where the claim's first pod lands (as k3s ships).
  await store.create(SC, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      ...meta('local-path'),
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    },
    provisioner: 'rancher.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
  await ensureKubernetesService(store, env);
  await reconcileKubernetesEndpoints(store, env.ADVERTISE_ADDRESS);
}

async function ensureKubernetesService(store: Store, env: Env): Promise<void> {
  const ctx = { env, store, query: new URLSearchParams() } as unknown as ApiContext;
  if (await store.get(SVC, 'default', 'kubernetes')) return;
  const ip = kubernetesServiceIP(ctx);
  await reserveKubernetesServiceIP(ctx);
  await store.create(SVC, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      ...meta('kubernetes', 'default'),
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: ip,
      clusterIPs: [ip],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
    },
    status: { loadBalancer: {} },
  });
}
