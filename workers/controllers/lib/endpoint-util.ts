// What the Endpoints and EndpointSlice controllers share: which pods a Service selects, their addresses and ports.
// k8s: pkg/api/v1/pod/util.go (FindPort), staging/src/k8s.io/endpointslice/util (ShouldPodBeInEndpoints, ShouldSetHostname)
import type { Pod, Service, ServicePort } from '../../../src/api/core';
import { isPodReady } from '../../../src/api/pod';
import type { KObject } from '../../../src/api/types';
import { objectKey } from '../../../src/client/informer';
import { selectorFromSet } from '../../../src/lib/labels';
import type { ClusterCache } from '../../shared/cache';

export type { Pod, Service, ServicePort };
export { isPodReady };

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** k8s: a nil (here: empty) selector means endpoints are managed by hand; ExternalName services have none. */
export function managesEndpoints(svc: Service): boolean {
  return Object.keys(svc.spec?.selector ?? {}).length > 0 && svc.spec?.type !== 'ExternalName';
}

export function selectedPods(svc: Service, pods: Pod[]): Pod[] {
  const selector = selectorFromSet(svc.spec?.selector);
  return pods.filter(
    (p) => p.metadata.namespace === svc.metadata.namespace && selector.matches(p.metadata.labels),
  );
}

/** k8s: endpointsliceutil.ShouldPodBeInEndpoints: not finished, has an address, and (unless asked) not terminating. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/** The pod's address of the given family (IPv4 unless the Service says otherwise). */
export function podIP(pod: Pod, family = 'IPv4'): string | undefined {
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  return ips.find((ip) => ip.includes(':') === (family === 'IPv6'));
}

/** k8s: endpointsliceutil.ShouldSetHostname. */
export const shouldSetHostname = (pod: Pod, svc: Service) =>
  Boolean(pod.spec?.hostname) &&
  pod.spec?.subdomain === svc.metadata.name &&
  pod.metadata.namespace === svc.metadata.namespace;

/** k8s: podutil.FindPort: a number as is; a name looked up among the containers' (and sidecars') ports of the same protocol. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  const containers = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  for (const c of containers) {
    for (const p of c.ports ?? [])
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

export function endpointPort(sp: ServicePort, port: number): EndpointPort {
  const out: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
  if (sp.name) out.name = sp.name;
  if (sp.appProtocol) out.appProtocol = sp.appProtocol;
  return out;
}

/** The Service keys (in the pod's namespace) whose selector picks the pod. */
export function servicesForPod(pod: KObject, cache: ClusterCache): string[] {
  return cache
    .kind<Service>('services')
    .byIndex('namespace', pod.metadata.namespace ?? '')
    .filter(
      (svc) =>
        managesEndpoints(svc) && selectorFromSet(svc.spec?.selector).matches(pod.metadata.labels),
    )
    .map((svc) => objectKey(svc));
}
