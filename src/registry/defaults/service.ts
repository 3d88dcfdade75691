// Service defaults, plus carrying server-allocated values (clusterIP, nodePorts) across an update.
// k8s: pkg/apis/core/v1/defaults.go SetDefaults_Service; pkg/registry/core/service/storage patchAllocatedValues
import type { KObject } from '../../api/types';
import { asArr, asNum, asStr, isSet, objOf, type Obj } from '../validate/fields';
import { each, isNew, struct, zero } from './always';

const externallyAccessible = (spec: Obj) =>
  spec.type === 'LoadBalancer' ||
  spec.type === 'NodePort' ||
  (spec.type === 'ClusterIP' && asArr(spec.externalIPs).length > 0);

export function defaultService(svc: KObject): void {
  const spec = objOf(svc.spec);
  svc.spec = spec;
  if (!asStr(spec.sessionAffinity)) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = objOf(objOf(spec.sessionAffinityConfig).clientIP).timeoutSeconds;
    if (!isSet(timeout)) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!asStr(spec.type)) spec.type = 'ClusterIP';
  for (const port of asArr(spec.ports).map(objOf)) {
    if (!asStr(port.protocol)) port.protocol = 'TCP';
    if (!isSet(port.targetPort) || port.targetPort === 0 || port.targetPort === '')
      port.targetPort = port.port;
  }
  if (externallyAccessible(spec) && !asStr(spec.externalTrafficPolicy))
    spec.externalTrafficPolicy = 'Cluster';
  if (
    !isSet(spec.internalTrafficPolicy) &&
    ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(asStr(spec.type))
  ) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer' && !isSet(spec.allocateLoadBalancerNodePorts))
    spec.allocateLoadBalancerNodePorts = true;
  // The registry keeps clusterIP and clusterIPs in step so users may set either one.
  const clusterIP = asStr(spec.clusterIP);
  if (clusterIP && !asArr(spec.clusterIPs).length) spec.clusterIPs = [clusterIP];
  if (!clusterIP && asArr(spec.clusterIPs).length)
    spec.clusterIP = asStr(asArr(spec.clusterIPs)[0]);
  // The cluster is single-stack IPv4; an ExternalName service carries no IP fields at all.
  if (spec.type !== 'ExternalName') {
    const headlessNoSelector =
      spec.clusterIP === 'None' && !Object.keys(objOf(spec.selector)).length;
    if (!isSet(spec.ipFamilyPolicy))
      spec.ipFamilyPolicy = headlessNoSelector ? 'PreferDualStack' : 'SingleStack';
    if (!asArr(spec.ipFamilies).length) spec.ipFamilies = ['IPv4'];
  }
  // k8s: pkg/registry/core/service/strategy.go PrepareForCreate clears the status a client sent.
  if (isNew(svc)) svc.status = {};
  // ServiceStatus.loadBalancer is a struct: `status: {loadBalancer: {}}` even with nothing in it.
  const status = struct(svc as unknown as Obj, 'status');
  struct(status, 'loadBalancer');
  // metav1.Condition has no omitempty on lastTransitionTime, reason or message.
  for (const c of each(status.conditions))
    zero(c, { lastTransitionTime: null, reason: '', message: '' });
}

const needsNodePort = (spec: Obj) =>
  spec.type === 'NodePort' ||
  (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);

/**
 * On update the user may omit what the server allocated; keep the old values, as the Service
 * registry does before validation. The server calls this on updates, before validateUpdate.
 */
export function carryOverServiceAllocations(svc: KObject, old: KObject): void {
  const spec = objOf(svc.spec);
  const oldSpec = objOf(old.spec);
  svc.spec = spec;
  if (spec.type !== 'ExternalName' && oldSpec.type !== 'ExternalName') {
    if (!asStr(spec.clusterIP) && asStr(oldSpec.clusterIP)) spec.clusterIP = oldSpec.clusterIP;
    if (!asArr(spec.clusterIPs).length && asArr(oldSpec.clusterIPs).length)
      spec.clusterIPs = oldSpec.clusterIPs;
  }
  if (needsNodePort(oldSpec) && needsNodePort(spec)) {
    const ports = (s: Obj) => asArr(s.ports).map(objOf);
    const oldPorts = new Set(ports(oldSpec).map((p) => asNum(p.nodePort) ?? 0));
    // A nodePort the new spec already uses explicitly cannot be patched onto another port.
    const used = new Set(
      ports(spec)
        .map((p) => asNum(p.nodePort) ?? 0)
        .filter((n) => n && oldPorts.has(n)),
    );
    const byName = new Map(ports(oldSpec).map((p) => [asStr(p.name), asNum(p.nodePort) ?? 0]));
    for (const p of ports(spec)) {
      const oldVal = byName.get(asStr(p.name)) ?? 0;
      if (!asNum(p.nodePort) && oldVal && !used.has(oldVal)) p.nodePort = oldVal;
    }
  }
  const needsHC = (s: Obj) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (needsHC(oldSpec) && needsHC(spec) && !asNum(spec.healthCheckNodePort))
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
}
