// Schemas of core/v1 Service and Endpoints.
import {
  CORE,
  META,
  type Schema,
  atomic,
  bool,
  gvk,
  int32,
  intOrString,
  keyed,
  kind,
  map,
  obj,
  ref,
  str,
} from './dsl';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export const serviceDefs: Record<string, Schema> = {
  [CORE + 'Service']: kind(
    'A stable virtual address and name in front of a set of pods, chosen by a label selector.',
    gvk('', 'v1', 'Service'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(CORE + 'ServiceSpec', 'Desired behaviour of the service.'),
      status: ref(CORE + 'ServiceStatus', 'Observed state of the service. Read-only.'),
    },
  ),

  [CORE + 'ServiceSpec']: obj('Desired behaviour of a service.', {
    ports: keyed(ref(CORE + 'ServicePort'), 'Ports the service exposes.', 'port', [
      'port',
      'protocol',
    ]),
    selector: map(
      str(),
      "Pods with these labels receive the service's traffic. Without a selector, endpoints are managed by someone else. Ignored for ExternalName.",
      { mapType: 'atomic' },
    ),
    clusterIP: str(
      'Virtual IP of the service, usually allocated by the server. "None" makes a headless service with no virtual IP. Cannot be changed except to or from ExternalName.',
    ),
    clusterIPs: atomic(
      str(),
      'Virtual IPs of the service, at most one per family; the first equals clusterIP.',
    ),
    type: str('How the service is exposed. Defaults to ClusterIP.', [
      'ClusterIP',
      'ExternalName',
      'LoadBalancer',
      'NodePort',
    ]),
    externalIPs: atomic(
      str(),
      'Extra IPs on which nodes also accept traffic for the service. Not managed by the cluster.',
    ),
    sessionAffinity: str('Whether a client keeps reaching the same endpoint. Defaults to None.', [
      'ClientIP',
      'None',
    ]),
    loadBalancerIP: str('Deprecated: requested load-balancer IP, where the provider supports it.'),
    loadBalancerSourceRanges: atomic(
      str(),
      'Client CIDRs allowed through the load balancer, where the provider supports it.',
    ),
    externalName: str(
      'DNS name the service aliases (a CNAME), for type ExternalName. A lowercase RFC 1123 host name.',
    ),
    externalTrafficPolicy: str(
      'For traffic arriving on node ports, external IPs and load-balancer IPs: Local sends it only to endpoints on the receiving node and keeps the client source IP; Cluster spreads it over all endpoints.',
      ['Cluster', 'Local'],
    ),
    healthCheckNodePort: int32(
      'Node port answering health checks, for LoadBalancer services with externalTrafficPolicy Local. Allocated when unset.',
    ),
    publishNotReadyAddresses: bool('Publish endpoints for pods that are not ready too.'),
    sessionAffinityConfig: ref(CORE + 'SessionAffinityConfig', 'Settings of session affinity.'),
    ipFamilies: atomic(
      str('', ['IPv4', 'IPv6']),
      'IP families of the service, matching clusterIPs.',
    ),
    ipFamilyPolicy: str('Single- or dual-stack. Defaults to SingleStack.', [
      'PreferDualStack',
      'RequireDualStack',
      'SingleStack',
    ]),
    allocateLoadBalancerNodePorts: bool(
      'Whether LoadBalancer services get node ports. Defaults to true.',
    ),
    loadBalancerClass: str(
      'Load balancer implementation this service belongs to; only for type LoadBalancer, and fixed once set.',
    ),
    internalTrafficPolicy: str(
      "For traffic to the cluster IP: Local sends it only to endpoints on the client's node; Cluster spreads it over all.",
      ['Cluster', 'Local'],
    ),
    trafficDistribution: str(
      "Routing preference hint, for example PreferClose to favour endpoints in the client's zone.",
    ),
  }),

  [CORE + 'ServicePort']: obj(
    'One port of a service.',
    {
      name: str(
        'Name of the port, a DNS label; required when the service has more than one port. Matches the name of an endpoint port.',
      ),
      protocol: str('Transport protocol. Defaults to TCP.', PROTOCOLS),
      appProtocol: str('Application protocol hint, such as http, https or kubernetes.io/h2c.'),
      port: int32('Port the service listens on.'),
      targetPort: intOrString(
        'Port number or name on the selected pods that traffic goes to. Defaults to port.',
      ),
      nodePort: int32(
        'Port opened on every node for NodePort and LoadBalancer services; allocated when unset.',
      ),
    },
    { required: ['port'] },
  ),

  [CORE + 'SessionAffinityConfig']: obj('Settings of session affinity.', {
    clientIP: ref(CORE + 'ClientIPConfig', 'Settings of ClientIP affinity.'),
  }),

  [CORE + 'ClientIPConfig']: obj('Settings of ClientIP session affinity.', {
    timeoutSeconds: int32('Seconds a client stays with its endpoint, 1-86400. Defaults to 10800.'),
  }),

  [CORE + 'ServiceStatus']: obj('Observed state of a service.', {
    loadBalancer: ref(
      CORE + 'LoadBalancerStatus',
      'State of the load balancer, when there is one.',
    ),
    conditions: keyed(ref(META + 'Condition'), 'Current conditions of the service.', 'type'),
  }),

  [CORE + 'LoadBalancerStatus']: obj('State of a load balancer.', {
    ingress: atomic(
      ref(CORE + 'LoadBalancerIngress'),
      'Points where traffic for the service enters.',
    ),
  }),

  [CORE + 'LoadBalancerIngress']: obj('A load-balancer entry point.', {
    ip: str('IP of the entry point.'),
    hostname: str('DNS name of the entry point.'),
    ipMode: str(
      'Whether traffic arrives addressed to the load-balancer IP (VIP) or to the node or pod (Proxy).',
      ['Proxy', 'VIP'],
    ),
    ports: atomic(ref(CORE + 'PortStatus'), 'Per-port state.'),
  }),

  [CORE + 'PortStatus']: obj(
    'State of one service port on a load balancer.',
    {
      port: int32('Service port number.'),
      protocol: str('Protocol of the port.', PROTOCOLS),
      error: str('Problem with the port, in CamelCase or domain-prefixed CamelCase.'),
    },
    { required: ['port', 'protocol'] },
  ),

  [CORE + 'Endpoints']: kind(
    'The addresses and ports behind a service (legacy; EndpointSlice is preferred).',
    gvk('', 'v1', 'Endpoints'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      subsets: atomic(
        ref(CORE + 'EndpointSubset'),
        "Groups of addresses that share the same ports. The service's endpoints are the union of all subsets.",
      ),
    },
  ),

  [CORE + 'EndpointSubset']: obj(
    'Addresses with a common set of ports; the endpoints are every address paired with every port.',
    {
      addresses: atomic(
        ref(CORE + 'EndpointAddress'),
        'Addresses that are ready to receive traffic.',
      ),
      notReadyAddresses: atomic(
        ref(CORE + 'EndpointAddress'),
        'Addresses that are not ready yet, or failed a recent check.',
      ),
      ports: atomic(ref(CORE + 'EndpointPort'), 'Ports served on the addresses.'),
    },
  ),

  [CORE + 'EndpointAddress']: obj(
    'One endpoint address.',
    {
      ip: str('IP of the endpoint.'),
      hostname: str('Host name of the endpoint.'),
      nodeName: str('Node hosting the endpoint.'),
      targetRef: ref(CORE + 'ObjectReference', 'Object (usually a pod) providing the endpoint.'),
    },
    { required: ['ip'], atomic: true },
  ),

  [CORE + 'EndpointPort']: obj(
    'One endpoint port.',
    {
      name: str('Name of the port, matching the service port name.'),
      port: int32('Port number.'),
      protocol: str('Transport protocol. Defaults to TCP.', PROTOCOLS),
      appProtocol: str('Application protocol hint.'),
    },
    { required: ['port'], atomic: true },
  ),
};
