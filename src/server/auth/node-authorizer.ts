// The Node authorizer: a node touches only its own Node and Lease and the pods bound to it, and reads
// Secrets and ConfigMaps only when a pod bound to it references them.
// k8s: plugin/pkg/auth/authorizer/node/node_authorizer.go and plugin/pkg/admission/noderestriction.
import { findResource } from '../../api/resources';
import type { KObject } from '../../api/types';
import type { Store } from '../../storage/store';
import { errors } from '../errors';
import type { Attributes } from '../../rbac/attributes';
import type { User } from './authenticate';
import { claimUsedOnNode, volumeOfNode } from './node-volumes';

const PODS = findResource('', 'v1', 'pods')!;
const READS = new Set(['get', 'list', 'watch']);
const WRITES = new Set(['update', 'patch']);

export async function authorizeNode(user: User, info: Attributes, store: Store): Promise<boolean> {
  const node = user.node;
  if (!node || !info.resourceRequest) return false;
  const g = info.apiGroup;
  const res = info.resource;
  const sub = info.subresource;
  const v = info.verb;
  if (g === '' && res === 'nodes') {
    if (READS.has(v) && sub === '') return true;
    if (v === 'create' && sub === '') return true; // the name is checked at admission (nodeRestriction)
    return WRITES.has(v) && info.name === node && (sub === '' || sub === 'status');
  }
  if (g === 'coordination.k8s.io' && res === 'leases') {
    if (info.namespace !== 'kube-node-lease') return false;
    if (v === 'create') return true; // name checked at admission
    return (v === 'get' || WRITES.has(v)) && info.name === node;
  }
  if (g === '' && res === 'pods') {
    if (READS.has(v) && sub === '') return true;
    if (
      (sub === 'status' && WRITES.has(v)) ||
      (sub === '' && v === 'delete') ||
      (sub === 'status' && v === 'get')
    ) {
      const pod = await store.get(PODS, info.namespace, info.name);
      // A pod that is gone is 404, as upstream answers (its graph lets the request through and the
      // apiserver finds nothing): an agent deleting a pod the controllers already removed is routine.
      // Answered here, not by letting the request through, so a pod created meanwhile on another node
      // is never touched. Nodes may read every pod, so 404 vs 403 tells them nothing new.
      // k8s: plugin/pkg/admission/noderestriction/admission.go (admitPod: delete of a missing pod is NotFound)
      if (!pod) throw errors.notFound({ resource: 'pods', group: '', name: info.name });
      return (pod.spec as { nodeName?: string } | undefined)?.nodeName === node;
    }
    return false;
  }
  if (g === '' && res === 'persistentvolumeclaims' && v === 'get' && info.namespace && info.name)
    return claimUsedOnNode(store, node, info.namespace, info.name);
  if (g === '' && res === 'persistentvolumes' && v === 'get' && info.name)
    return volumeOfNode(store, node, info.name);
  // A token for the ServiceAccount of a pod bound to it (the token request must bind to that pod:
  // checked by the TokenRequest handler, as NodeRestriction does).
  if (
    g === '' &&
    res === 'serviceaccounts' &&
    sub === 'token' &&
    v === 'create' &&
    info.namespace &&
    info.name
  )
    return runsServiceAccount(store, node, info.namespace, info.name);
  if ((g === '' || g === 'events.k8s.io') && res === 'events')
    return ['create', 'update', 'patch', 'get'].includes(v);
  if (g === '' && (res === 'services' || res === 'endpoints') && READS.has(v)) return true;
  if (g === 'discovery.k8s.io' && res === 'endpointslices' && READS.has(v)) return true;
  if (
    g === '' &&
    (res === 'secrets' || res === 'configmaps') &&
    v === 'get' &&
    info.namespace &&
    info.name
  ) {
    return referencedByNodePod(
      store,
      node,
      info.namespace,
      res === 'secrets' ? 'secret' : 'configMap',
      info.name,
    );
  }
  return false;
}

/** Whether a pod bound to `node` in `namespace` runs as the named ServiceAccount. */
async function runsServiceAccount(
  store: Store,
  node: string,
  namespace: string,
  sa: string,
): Promise<boolean> {
  let cont: string | undefined;
  do {
    const page = await store.list(PODS, { namespace, continue: cont });
    if (!page.ok) return false;
    for (const pod of page.value.items) {
      const spec = (pod.spec ?? {}) as { nodeName?: string; serviceAccountName?: string };
      if (spec.nodeName === node && (spec.serviceAccountName || 'default') === sa) return true;
    }
    cont = page.value.continue;
  } while (cont);
  return false;
}

/** Whether a pod bound to `node` in `namespace` mounts or reads the named Secret or ConfigMap. */
async function referencedByNodePod(
  store: Store,
  node: string,
  namespace: string,
  kind: 'secret' | 'configMap',
  name: string,
): Promise<boolean> {
  let cont: string | undefined;
  do {
    const page = await store.list(PODS, { namespace, continue: cont });
    if (!page.ok) return false;
    for (const pod of page.value.items) {
      if (
        (pod.spec as { nodeName?: string } | undefined)?.nodeName === node &&
        podReferences(pod, kind, name)
      )
        return true;
    }
    cont = page.value.continue;
  } while (cont);
  return false;
}

type Obj = Record<string, unknown>;

export function podReferences(pod: KObject, kind: 'secret' | 'configMap', name: string): boolean {
  const spec = (pod.spec ?? {}) as Obj;
  const refName = kind === 'secret' ? 'secretName' : 'name';
  for (const v of (spec.volumes as Obj[] | undefined) ?? []) {
    if ((v[kind] as Obj | undefined)?.[refName] === name) return true;
    for (const s of ((v.projected as Obj | undefined)?.sources as Obj[] | undefined) ?? []) {
      if ((s[kind] as Obj | undefined)?.name === name) return true;
    }
  }
  if (
    kind === 'secret' &&
    ((spec.imagePullSecrets as Obj[] | undefined) ?? []).some((s) => s.name === name)
  )
    return true;
  const containers = [
    ...((spec.initContainers as Obj[] | undefined) ?? []),
    ...((spec.containers as Obj[] | undefined) ?? []),
  ];
  for (const c of containers) {
    for (const e of (c.envFrom as Obj[] | undefined) ?? []) {
      if ((e[`${kind}Ref`] as Obj | undefined)?.name === name) return true;
    }
    for (const e of (c.env as Obj[] | undefined) ?? []) {
      const from = e.valueFrom as Obj | undefined;
      if ((from?.[`${kind}KeyRef`] as Obj | undefined)?.name === name) return true;
    }
  }
  return false;
}
