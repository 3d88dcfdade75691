// First-start objects (idempotent): the built-in namespaces, their default ServiceAccounts, and
// the default/kubernetes Service.
import { findResource } from '../api/resources';
import type { Store } from '../storage/store';
import type { Env } from './env';
import { newUid, timestamp } from './rest/objects';
import { kubernetesServiceIP, reserveKubernetesServiceIP } from './admission/service-addresses';
import type { ApiContext } from './context';

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

export async function bootstrap(store: Store, env: Env): Promise<void> {
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
