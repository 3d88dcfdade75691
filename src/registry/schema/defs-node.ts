// Schemas of core/v1 Node (spec, status, conditions, addresses, system info) and Namespace.
import {
  CORE,
  META,
  type Schema,
  atomic,
  bool,
  gvk,
  int32,
  int64,
  keyed,
  kind,
  list,
  map,
  obj,
  quantity,
  ref,
  str,
  time,
} from './dsl';

const CONDITION_STATUS = ['False', 'True', 'Unknown'];

export const nodeDefs: Record<string, Schema> = {
  [CORE + 'Node']: kind(
    'A machine that runs pods; registered by its node agent.',
    gvk('', 'v1', 'Node'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(CORE + 'NodeSpec', 'Desired configuration of the node.'),
      status: ref(
        CORE + 'NodeStatus',
        'Most recently observed state of the node, reported by its agent.',
      ),
    },
  ),

  [CORE + 'NodeSpec']: obj('Desired configuration of a node.', {
    podCIDR: str('IP range for pods on this node.'),
    podCIDRs: list(str(), {
      desc: 'IP ranges for pods on this node, at most one per family; the first equals podCIDR.',
      strategy: 'merge',
      listType: 'set',
    }),
    providerID: str('ID of the node at its provider, "<provider>://<id>".'),
    unschedulable: bool(
      'When true no new pods are scheduled here (kubectl cordon). Defaults to false.',
    ),
    taints: atomic(ref(CORE + 'Taint'), 'Taints that repel pods which do not tolerate them.'),
    configSource: ref(CORE + 'NodeConfigSource', 'Deprecated and ignored.'),
    externalID: str('Deprecated and ignored.'),
  }),

  [CORE + 'NodeConfigSource']: obj(
    'Deprecated dynamic kubelet configuration source; kept so old objects decode.',
    {
      configMap: ref(CORE + 'ConfigMapNodeConfigSource', 'A ConfigMap holding the configuration.'),
    },
  ),

  [CORE + 'ConfigMapNodeConfigSource']: obj(
    'Deprecated reference to a kubelet configuration ConfigMap.',
    {
      namespace: str('Namespace of the ConfigMap.'),
      name: str('Name of the ConfigMap.'),
      uid: str('UID of the ConfigMap.'),
      resourceVersion: str('resourceVersion of the ConfigMap.'),
      kubeletConfigKey: str('Key holding the configuration.'),
    },
    { required: ['namespace', 'name', 'kubeletConfigKey'] },
  ),

  [CORE + 'NodeStatus']: obj('Observed state of a node.', {
    capacity: map(
      quantity(),
      'Total resources of the node (cpu, memory, pods, ephemeral-storage, ...).',
    ),
    allocatable: map(
      quantity(),
      'Resources available to pods, after system reservations. Defaults to capacity.',
    ),
    phase: str('Deprecated and never set.', ['Pending', 'Running', 'Terminated']),
    conditions: keyed(
      ref(CORE + 'NodeCondition'),
      'Current conditions of the node (Ready, MemoryPressure, DiskPressure, PIDPressure, ...).',
      'type',
    ),
    addresses: keyed(
      ref(CORE + 'NodeAddress'),
      'Addresses of the node. The merge key is not unique, so replace this list as a whole rather than merging it.',
      'type',
    ),
    daemonEndpoints: ref(CORE + 'NodeDaemonEndpoints', 'Ports of daemons on the node.'),
    nodeInfo: ref(CORE + 'NodeSystemInfo', 'Identity and software versions of the node.'),
    images: atomic(ref(CORE + 'ContainerImage'), 'Container images present on the node.'),
    volumesInUse: atomic(str(), 'Attachable volumes mounted on the node.'),
    volumesAttached: atomic(ref(CORE + 'AttachedVolume'), 'Volumes attached to the node.'),
    config: ref(CORE + 'NodeConfigStatus', 'Deprecated: state of dynamic kubelet configuration.'),
    runtimeHandlers: atomic(
      ref(CORE + 'NodeRuntimeHandler'),
      'Container runtime handlers available on the node.',
    ),
    features: ref(CORE + 'NodeFeatures', 'Features the container runtime implements.'),
  }),

  [CORE + 'NodeConfigStatus']: obj(
    'Deprecated state of dynamic kubelet configuration; kept so old objects decode.',
    {
      assigned: ref(CORE + 'NodeConfigSource', 'Configuration the node will try to use.'),
      active: ref(CORE + 'NodeConfigSource', 'Configuration the node is using.'),
      lastKnownGood: ref(CORE + 'NodeConfigSource', 'Configuration the node falls back to.'),
      error: str('Problem applying the configuration.'),
    },
  ),

  [CORE + 'NodeCondition']: obj(
    'One condition of a node.',
    {
      type: str(
        'Condition type, such as Ready, MemoryPressure, DiskPressure, PIDPressure or NetworkUnavailable.',
      ),
      status: str('Whether the condition holds.', CONDITION_STATUS),
      lastHeartbeatTime: time('When the node last reported this condition.'),
      lastTransitionTime: time('When status last changed.'),
      reason: str('Brief reason for the last transition.'),
      message: str('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status'] },
  ),

  [CORE + 'NodeAddress']: obj(
    'An address of a node.',
    {
      type: str('Kind of address: Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.'),
      address: str('The address.'),
    },
    { required: ['type', 'address'] },
  ),

  [CORE + 'NodeDaemonEndpoints']: obj('Ports opened by daemons on a node.', {
    kubeletEndpoint: ref(CORE + 'DaemonEndpoint', 'Where the node agent listens.'),
  }),

  [CORE + 'DaemonEndpoint']: obj(
    'A daemon port.',
    {
      Port: int32('Port number.'),
    },
    { required: ['Port'] },
  ),

  [CORE + 'NodeSystemInfo']: obj(
    'Identity and software versions of a node.',
    {
      machineID: str('Machine ID (see machine-id(5)); the preferred unique identifier.'),
      systemUUID: str('System UUID reported by the hardware.'),
      bootID: str('ID of the current boot.'),
      kernelVersion: str('Kernel version, from uname -r.'),
      osImage: str('Operating system image, from /etc/os-release.'),
      containerRuntimeVersion: str('Container runtime and version, "<runtime>://<version>".'),
      kubeletVersion: str('Version of the node agent.'),
      kubeProxyVersion: str('Deprecated: version of the service proxy.'),
      operatingSystem: str('Operating system, such as linux.'),
      architecture: str('CPU architecture, such as amd64 or arm64.'),
      swap: ref(CORE + 'NodeSwapStatus', 'Swap memory of the node.'),
    },
    {
      required: [
        'machineID',
        'systemUUID',
        'bootID',
        'kernelVersion',
        'osImage',
        'containerRuntimeVersion',
        'kubeletVersion',
        'kubeProxyVersion',
        'operatingSystem',
        'architecture',
      ],
    },
  ),

  [CORE + 'NodeSwapStatus']: obj('Swap memory of a node.', {
    capacity: int64('Total swap in bytes.'),
  }),

  [CORE + 'ContainerImage']: obj('A container image on a node.', {
    names: atomic(str(), 'Names the image is known by.'),
    sizeBytes: int64('Size of the image in bytes.'),
  }),

  [CORE + 'AttachedVolume']: obj(
    'A volume attached to a node.',
    {
      name: str('Name of the attached volume.'),
      devicePath: str('Device path the volume is available at.'),
    },
    { required: ['name', 'devicePath'] },
  ),

  [CORE + 'NodeRuntimeHandler']: obj('A container runtime handler of a node.', {
    name: str('Handler name; empty for the default handler.'),
    features: ref(CORE + 'NodeRuntimeHandlerFeatures', 'Features the handler supports.'),
  }),

  [CORE + 'NodeRuntimeHandlerFeatures']: obj('Features of a runtime handler.', {
    recursiveReadOnlyMounts: bool('Supports recursive read-only mounts.'),
    userNamespaces: bool('Supports user namespaces, including for volumes.'),
  }),

  [CORE + 'NodeFeatures']: obj("Features of a node's container runtime.", {
    supplementalGroupsPolicy: bool('Supports supplementalGroupsPolicy.'),
  }),

  [CORE + 'Namespace']: kind(
    'A scope for names. Deleting a namespace deletes everything in it.',
    gvk('', 'v1', 'Namespace'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(CORE + 'NamespaceSpec', 'Desired state of the namespace.'),
      status: ref(CORE + 'NamespaceStatus', 'Observed state of the namespace.'),
    },
  ),

  [CORE + 'NamespaceSpec']: obj('Desired state of a namespace.', {
    finalizers: atomic(
      str(),
      'Components that must finish cleanup before the namespace is removed.',
    ),
  }),

  [CORE + 'NamespaceStatus']: obj('Observed state of a namespace.', {
    phase: str('Lifecycle phase of the namespace.', ['Active', 'Terminating']),
    conditions: keyed(
      ref(CORE + 'NamespaceCondition'),
      'Current conditions of the namespace, mostly about deletion progress.',
      'type',
    ),
  }),

  [CORE + 'NamespaceCondition']: obj(
    'One condition of a namespace.',
    {
      type: str('Condition type, such as NamespaceContentRemaining.'),
      status: str('Whether the condition holds.', CONDITION_STATUS),
      lastTransitionTime: time('When status last changed.'),
      reason: str('CamelCase reason for the last transition.'),
      message: str('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status'] },
  ),
};
