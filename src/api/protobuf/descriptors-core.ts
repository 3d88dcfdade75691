// Message tables for the core/v1 kinds kubectl's generators POST: Namespace, ConfigMap, Secret, Service, ServiceAccount.
import {
  CORE,
  INT_OR_STRING,
  MAP,
  META,
  PTR,
  REP,
  TIME,
  message,
  type MessageTable,
} from './descriptor-types';

const OBJECT_META = META + 'ObjectMeta';

export const coreMessages: MessageTable = {
  [CORE + 'LocalObjectReference']: message([1, 'name', 'string']),
  [CORE + 'ObjectReference']: message(
    [1, 'kind', 'string'],
    [2, 'namespace', 'string'],
    [3, 'name', 'string'],
    [4, 'uid', 'string'],
    [5, 'apiVersion', 'string'],
    [6, 'resourceVersion', 'string'],
    [7, 'fieldPath', 'string'],
  ),

  [CORE + 'Namespace']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'spec', CORE + 'NamespaceSpec'],
    [3, 'status', CORE + 'NamespaceStatus'],
  ),
  [CORE + 'NamespaceSpec']: message([1, 'finalizers', 'string', REP]),
  [CORE + 'NamespaceStatus']: message(
    [1, 'phase', 'string'],
    [2, 'conditions', CORE + 'NamespaceCondition', REP],
  ),
  [CORE + 'NamespaceCondition']: message(
    [1, 'type', 'string'],
    [2, 'status', 'string'],
    [4, 'lastTransitionTime', TIME],
    [5, 'reason', 'string'],
    [6, 'message', 'string'],
  ),

  [CORE + 'ConfigMap']: message(
    [1, 'metadata', OBJECT_META],
    [4, 'immutable', 'bool', PTR],
    [2, 'data', 'string', MAP],
    [3, 'binaryData', 'bytes', MAP],
  ),
  [CORE + 'Secret']: message(
    [1, 'metadata', OBJECT_META],
    [5, 'immutable', 'bool', PTR],
    [2, 'data', 'bytes', MAP],
    [4, 'stringData', 'string', MAP],
    [3, 'type', 'string'],
  ),
  [CORE + 'ServiceAccount']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'secrets', CORE + 'ObjectReference', REP],
    [3, 'imagePullSecrets', CORE + 'LocalObjectReference', REP],
    [4, 'automountServiceAccountToken', 'bool', PTR],
  ),

  [CORE + 'Service']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'spec', CORE + 'ServiceSpec'],
    [3, 'status', CORE + 'ServiceStatus'],
  ),
  [CORE + 'ServiceSpec']: message(
    [1, 'ports', CORE + 'ServicePort', REP],
    [2, 'selector', 'string', MAP],
    [3, 'clusterIP', 'string'],
    [18, 'clusterIPs', 'string', REP],
    [4, 'type', 'string'],
    [5, 'externalIPs', 'string', REP],
    [7, 'sessionAffinity', 'string'],
    [8, 'loadBalancerIP', 'string'],
    [9, 'loadBalancerSourceRanges', 'string', REP],
    [10, 'externalName', 'string'],
    [11, 'externalTrafficPolicy', 'string'],
    [12, 'healthCheckNodePort', 'int32'],
    [13, 'publishNotReadyAddresses', 'bool'],
    [14, 'sessionAffinityConfig', CORE + 'SessionAffinityConfig', PTR],
    [19, 'ipFamilies', 'string', REP],
    [17, 'ipFamilyPolicy', 'string', PTR],
    [20, 'allocateLoadBalancerNodePorts', 'bool', PTR],
    [21, 'loadBalancerClass', 'string', PTR],
    [22, 'internalTrafficPolicy', 'string', PTR],
    [23, 'trafficDistribution', 'string', PTR],
  ),
  [CORE + 'ServicePort']: message(
    [1, 'name', 'string'],
    [2, 'protocol', 'string'],
    [6, 'appProtocol', 'string', PTR],
    [3, 'port', 'int32'],
    [4, 'targetPort', INT_OR_STRING],
    [5, 'nodePort', 'int32'],
  ),
  [CORE + 'SessionAffinityConfig']: message([1, 'clientIP', CORE + 'ClientIPConfig', PTR]),
  [CORE + 'ClientIPConfig']: message([1, 'timeoutSeconds', 'int32', PTR]),
  [CORE + 'ServiceStatus']: message(
    [1, 'loadBalancer', CORE + 'LoadBalancerStatus'],
    [2, 'conditions', META + 'Condition', REP],
  ),
  [CORE + 'LoadBalancerStatus']: message([1, 'ingress', CORE + 'LoadBalancerIngress', REP]),
  [CORE + 'LoadBalancerIngress']: message(
    [1, 'ip', 'string'],
    [2, 'hostname', 'string'],
    [3, 'ipMode', 'string', PTR],
    [4, 'ports', CORE + 'PortStatus', REP],
  ),
  [CORE + 'PortStatus']: message(
    [1, 'port', 'int32'],
    [2, 'protocol', 'string'],
    [3, 'error', 'string', PTR],
  ),
};
