// Schemas of core/v1 Pod: PodSpec, PodStatus, container statuses, the pod template and pod-level settings.
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
  mapList,
  obj,
  quantity,
  ref,
  str,
  time,
} from './dsl';

const CONDITION_STATUS = ['False', 'True', 'Unknown'];

export const podDefs: Record<string, Schema> = {
  [CORE + 'Pod']: kind(
    'A group of containers that run together on one node, sharing network and volumes.',
    gvk('', 'v1', 'Pod'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(CORE + 'PodSpec', 'Desired state of the pod.'),
      status: ref(
        CORE + 'PodStatus',
        'Most recently observed state of the pod, written by the node agent. Read-only for users.',
      ),
    },
  ),

  [CORE + 'PodTemplateSpec']: obj(
    'The pod that controllers such as Deployments and ReplicaSets create copies of.',
    {
      metadata: ref(
        META + 'ObjectMeta',
        'Metadata given to each created pod (labels, annotations).',
      ),
      spec: ref(CORE + 'PodSpec', 'Spec given to each created pod.'),
    },
  ),

  [CORE + 'PodSpec']: obj(
    'Desired state of a pod: its containers, volumes and scheduling constraints.',
    {
      volumes: keyed(
        ref(CORE + 'Volume'),
        "Volumes the pod's containers may mount.",
        'name',
        ['name'],
        'merge,retainKeys',
      ),
      initContainers: keyed(
        ref(CORE + 'Container'),
        'Containers run one after another, each to completion, before the main containers start. One with restartPolicy Always is a sidecar that keeps running.',
        'name',
      ),
      containers: keyed(
        ref(CORE + 'Container'),
        "The pod's containers; at least one. Containers cannot be added or removed after creation.",
        'name',
      ),
      ephemeralContainers: keyed(
        ref(CORE + 'EphemeralContainer'),
        'Debugging containers added to a running pod through the ephemeralcontainers subresource.',
        'name',
      ),
      restartPolicy: str('When containers that exit are restarted. Defaults to Always.', [
        'Always',
        'Never',
        'OnFailure',
      ]),
      terminationGracePeriodSeconds: int64(
        'Seconds between the stop signal and the kill signal when the pod is deleted; 0 kills at once. Defaults to 30.',
      ),
      activeDeadlineSeconds: int64(
        'Seconds after startTime after which the pod is marked failed and its containers killed.',
      ),
      dnsPolicy: str("How the pod's DNS is configured. Defaults to ClusterFirst.", [
        'ClusterFirst',
        'ClusterFirstWithHostNet',
        'Default',
        'None',
      ]),
      nodeSelector: map(str(), 'Labels a node must have for the pod to be scheduled there.', {
        mapType: 'atomic',
      }),
      serviceAccountName: str('ServiceAccount the pod runs as.'),
      serviceAccount: str('Deprecated alias of serviceAccountName.'),
      automountServiceAccountToken: bool(
        'Whether a service account token is mounted into the pod.',
      ),
      nodeName: str(
        'Node the pod is bound to. Set by the scheduler; setting it yourself skips scheduling.',
      ),
      hostNetwork: bool("Use the node's network namespace. Defaults to false."),
      hostPID: bool("Use the node's PID namespace. Defaults to false."),
      hostIPC: bool("Use the node's IPC namespace. Defaults to false."),
      shareProcessNamespace: bool(
        'Put all containers in one PID namespace so they can see and signal each other.',
      ),
      securityContext: ref(
        CORE + 'PodSecurityContext',
        'Security settings for the whole pod; containers may override some of them.',
      ),
      imagePullSecrets: keyed(
        ref(CORE + 'LocalObjectReference'),
        "Secrets in the pod's namespace with registry credentials for pulling images.",
        'name',
      ),
      hostname: str('Host name of the pod; defaults to a system-defined value (the pod name).'),
      subdomain: str(
        'With a headless Service of this name, gives the pod the DNS name <hostname>.<subdomain>.<namespace>.svc.<cluster domain>.',
      ),
      affinity: ref(CORE + 'Affinity', 'Node affinity, pod affinity and pod anti-affinity rules.'),
      schedulerName: str('Scheduler that places the pod; defaults to the default scheduler.'),
      tolerations: atomic(ref(CORE + 'Toleration'), 'Taints the pod tolerates.'),
      hostAliases: keyed(ref(CORE + 'HostAlias'), "Extra entries for the pod's /etc/hosts.", 'ip'),
      priorityClassName: str("PriorityClass giving the pod's priority."),
      priority: int32(
        'Priority value, normally filled in from priorityClassName. Higher runs first and may preempt lower.',
      ),
      dnsConfig: ref(CORE + 'PodDNSConfig', 'DNS settings merged with those of dnsPolicy.'),
      readinessGates: atomic(
        ref(CORE + 'PodReadinessGate'),
        'Extra pod conditions that must be True before the pod counts as ready.',
      ),
      runtimeClassName: str('RuntimeClass selecting the container runtime handler.'),
      enableServiceLinks: bool(
        'Inject Docker-link style environment variables for Services. Defaults to true.',
      ),
      preemptionPolicy: str(
        'Whether the pod may preempt lower-priority pods. Defaults to PreemptLowerPriority.',
        ['Never', 'PreemptLowerPriority'],
      ),
      overhead: map(
        quantity(),
        'Resources consumed by the pod sandbox itself, on top of its containers.',
      ),
      topologySpreadConstraints: keyed(
        ref(CORE + 'TopologySpreadConstraint'),
        'How the pod and its peers must be spread across nodes, zones or other domains.',
        'topologyKey',
        ['topologyKey', 'whenUnsatisfiable'],
      ),
      setHostnameAsFQDN: bool(
        "Set the pod's hostname to its fully qualified domain name. Defaults to false.",
      ),
      os: ref(CORE + 'PodOS', 'Operating system the pod needs.'),
      hostUsers: bool(
        "Use the node's user namespace. Defaults to true; false gives the pod its own.",
      ),
      schedulingGates: keyed(
        ref(CORE + 'PodSchedulingGate'),
        'While any gate remains, the scheduler leaves the pod alone.',
        'name',
      ),
      resourceClaims: keyed(
        ref(CORE + 'PodResourceClaim'),
        'Dynamic resource claims the pod needs before it starts.',
        'name',
        ['name'],
        'merge,retainKeys',
      ),
      resources: ref(
        CORE + 'ResourceRequirements',
        'Resources for the pod as a whole, shared by its containers.',
      ),
    },
    { required: ['containers'] },
  ),

  [CORE + 'PodSecurityContext']: obj(
    'Security settings for all containers of a pod. Container securityContext values win where both are set.',
    {
      seLinuxOptions: ref(CORE + 'SELinuxOptions', 'SELinux context for all containers.'),
      windowsOptions: ref(
        CORE + 'WindowsSecurityContextOptions',
        'Windows-specific settings for all containers.',
      ),
      runAsUser: int64("UID the containers' entrypoints run as."),
      runAsGroup: int64("GID the containers' entrypoints run as."),
      runAsNonRoot: bool('Refuse to start containers that would run as UID 0.'),
      supplementalGroups: atomic(int64(), 'Extra groups for the first process of every container.'),
      supplementalGroupsPolicy: str(
        "Whether supplementalGroups are merged with the image's groups or replace them. Defaults to Merge.",
        ['Merge', 'Strict'],
      ),
      fsGroup: int64('Group that owns supported volumes; files created in them belong to it.'),
      sysctls: atomic(ref(CORE + 'Sysctl'), 'Namespaced kernel parameters to set for the pod.'),
      fsGroupChangePolicy: str('When volume ownership is changed to fsGroup. Defaults to Always.', [
        'Always',
        'OnRootMismatch',
      ]),
      seccompProfile: ref(CORE + 'SeccompProfile', 'Seccomp profile for all containers.'),
      appArmorProfile: ref(CORE + 'AppArmorProfile', 'AppArmor profile for all containers.'),
      seLinuxChangePolicy: str(
        'How the SELinux label is applied to volumes: by relabeling every file, or with a mount option.',
        ['MountOption', 'Recursive'],
      ),
    },
  ),

  [CORE + 'Sysctl']: obj(
    'A kernel parameter.',
    {
      name: str('Parameter name.'),
      value: str('Parameter value.'),
    },
    { required: ['name', 'value'] },
  ),

  [CORE + 'PodDNSConfig']: obj('DNS settings added to those derived from dnsPolicy.', {
    nameservers: atomic(str(), 'Name server IPs to add.'),
    searches: atomic(str(), 'Search domains to add.'),
    options: atomic(
      ref(CORE + 'PodDNSConfigOption'),
      'Resolver options; these override options from the policy.',
    ),
  }),

  [CORE + 'PodDNSConfigOption']: obj('One resolver option.', {
    name: str('Option name.'),
    value: str('Option value.'),
  }),

  [CORE + 'HostAlias']: obj(
    'An /etc/hosts entry.',
    {
      ip: str('IP address of the entry.'),
      hostnames: atomic(str(), 'Host names for the address.'),
    },
    { required: ['ip'] },
  ),

  [CORE + 'PodReadinessGate']: obj(
    'A pod condition that must be True for the pod to be ready.',
    {
      conditionType: str('Type of the condition in status.conditions.'),
    },
    { required: ['conditionType'] },
  ),

  [CORE + 'PodOS']: obj(
    'Operating system of a pod.',
    {
      name: str('Operating system name: linux or windows.'),
    },
    { required: ['name'] },
  ),

  [CORE + 'PodSchedulingGate']: obj(
    'A gate that holds a pod back from scheduling.',
    {
      name: str('Name of the gate, unique within the pod.'),
    },
    { required: ['name'] },
  ),

  [CORE + 'PodResourceClaim']: obj(
    'A named resource claim of the pod. Exactly one source is set.',
    {
      name: str('Name of the claim within the pod.'),
      resourceClaimName: str("An existing ResourceClaim in the pod's namespace."),
      resourceClaimTemplateName: str(
        'A ResourceClaimTemplate from which a claim is made for this pod.',
      ),
    },
    { required: ['name'] },
  ),

  [CORE + 'PodStatus']: obj(
    'Observed state of a pod. It may lag the real state, for example while the node is unreachable.',
    {
      observedGeneration: int64('metadata.generation this status was computed from.'),
      phase: str('Summary of where the pod is in its lifecycle.', [
        'Failed',
        'Pending',
        'Running',
        'Succeeded',
        'Unknown',
      ]),
      conditions: keyed(
        ref(CORE + 'PodCondition'),
        'Current conditions of the pod (PodScheduled, Initialized, ContainersReady, Ready, ...).',
        'type',
      ),
      message: str('Human-readable detail about why the pod is in this state.'),
      reason: str("Brief CamelCase reason for the pod's state, for example Evicted."),
      nominatedNodeName: str(
        'Node the pod is expected to run on after preempting others there; not a promise.',
      ),
      hostIP: str('Primary IP of the node the pod runs on; empty until the pod starts.'),
      hostIPs: list(ref(CORE + 'HostIP'), {
        desc: 'IPs of the node; the first equals hostIP.',
        mergeKey: 'ip',
        strategy: 'merge',
        listType: 'atomic',
      }),
      podIP: str('Primary IP of the pod; empty until one is allocated.'),
      podIPs: keyed(
        ref(CORE + 'PodIP'),
        'IPs of the pod, at most one per family; the first equals podIP.',
        'ip',
      ),
      startTime: time('When the node agent accepted the pod, before images were pulled.'),
      initContainerStatuses: atomic(
        ref(CORE + 'ContainerStatus'),
        'Status of each init container.',
      ),
      containerStatuses: atomic(ref(CORE + 'ContainerStatus'), 'Status of each container.'),
      qosClass: str("Quality of service class, derived from the containers' requests and limits.", [
        'BestEffort',
        'Burstable',
        'Guaranteed',
      ]),
      ephemeralContainerStatuses: atomic(
        ref(CORE + 'ContainerStatus'),
        'Status of each ephemeral container.',
      ),
      resize: str('Deprecated: progress of a pending in-place resize.'),
      resourceClaimStatuses: keyed(
        ref(CORE + 'PodResourceClaimStatus'),
        'Names of the ResourceClaims generated for the pod.',
        'name',
        ['name'],
        'merge,retainKeys',
      ),
    },
  ),

  [CORE + 'PodCondition']: obj(
    'One condition of a pod.',
    {
      type: str('Condition type, such as PodScheduled, Initialized, ContainersReady or Ready.'),
      observedGeneration: int64('metadata.generation the condition was computed from.'),
      status: str('Whether the condition holds.', CONDITION_STATUS),
      lastProbeTime: time('When the condition was last checked.'),
      lastTransitionTime: time('When status last changed.'),
      reason: str('CamelCase reason for the last transition, such as Unschedulable.'),
      message: str('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status'] },
  ),

  [CORE + 'PodIP']: obj(
    'An IP address of a pod.',
    { ip: str('The address.') },
    { required: ['ip'] },
  ),
  [CORE + 'HostIP']: obj(
    "An IP address of the pod's node.",
    { ip: str('The address.') },
    { required: ['ip'] },
  ),

  [CORE + 'PodResourceClaimStatus']: obj(
    "The ResourceClaim generated for one of the pod's resource claims.",
    {
      name: str('Name of the entry in spec.resourceClaims.'),
      resourceClaimName: str('Name of the generated ResourceClaim; empty when none was needed.'),
    },
    { required: ['name'] },
  ),

  [CORE + 'ContainerStatus']: obj(
    'Observed state of one container.',
    {
      name: str('Name of the container.'),
      state: ref(CORE + 'ContainerState', 'Current state of the container.'),
      lastState: ref(
        CORE + 'ContainerState',
        'State of the previous run, kept to help debug crashes; empty before the first restart.',
      ),
      ready: bool(
        'Whether the container passes its readiness probe (or has started, when it has none).',
      ),
      restartCount: int32('Times the container has been restarted.'),
      image: str('Image the container runs, as resolved by the runtime.'),
      imageID: str('ID (digest) of the image the container runs.'),
      containerID: str('Runtime ID of the container, "<runtime>://<id>".'),
      started: bool('Whether the container has started and passed its startup probe.'),
      allocatedResources: map(quantity(), 'Resources the node allocated to the container.'),
      resources: ref(
        CORE + 'ResourceRequirements',
        'Requests and limits currently applied to the running container.',
      ),
      volumeMounts: keyed(
        ref(CORE + 'VolumeMountStatus'),
        "Status of the container's volume mounts.",
        'mountPath',
      ),
      user: ref(CORE + 'ContainerUser', "Identity the container's first process started with."),
      allocatedResourcesStatus: keyed(
        ref(CORE + 'ResourceStatus'),
        'Health of devices allocated to the container.',
        'name',
      ),
    },
    { required: ['name', 'ready', 'restartCount', 'image', 'imageID'] },
  ),

  [CORE + 'ContainerUser']: obj("Identity a container's first process started with.", {
    linux: ref(CORE + 'LinuxContainerUser', 'The Linux identity.'),
  }),

  [CORE + 'LinuxContainerUser']: obj(
    'A Linux user identity.',
    {
      uid: int64('Primary UID.'),
      gid: int64('Primary GID.'),
      supplementalGroups: atomic(int64(), 'Supplemental groups.'),
    },
    { required: ['uid', 'gid'] },
  ),

  [CORE + 'ResourceStatus']: obj(
    'Health of the devices behind one allocated resource.',
    {
      name: str('Resource name, or "claim:<claim>/<request>" for dynamic resources.'),
      resources: mapList(ref(CORE + 'ResourceHealth'), 'Health of each device.', ['resourceID']),
    },
    { required: ['name'] },
  ),

  [CORE + 'ResourceHealth']: obj(
    'Health of one device.',
    {
      resourceID: str('Identifier of the device.'),
      health: str('Health of the device.', ['Healthy', 'Unhealthy', 'Unknown']),
    },
    { required: ['resourceID'] },
  ),

  [CORE + 'ContainerState']: obj(
    'State of a container; exactly one field is set, waiting if none.',
    {
      waiting: ref(CORE + 'ContainerStateWaiting', 'The container has not started yet.'),
      running: ref(CORE + 'ContainerStateRunning', 'The container is running.'),
      terminated: ref(CORE + 'ContainerStateTerminated', 'The container has exited.'),
    },
  ),

  [CORE + 'ContainerStateWaiting']: obj('A container that is not running yet.', {
    reason: str('Brief reason, such as ContainerCreating, CrashLoopBackOff or ImagePullBackOff.'),
    message: str('Details about why the container is waiting.'),
  }),

  [CORE + 'ContainerStateRunning']: obj('A running container.', {
    startedAt: time('When the container last (re)started.'),
  }),

  [CORE + 'ContainerStateTerminated']: obj(
    'A container that has exited.',
    {
      exitCode: int32('Exit status of the process.'),
      signal: int32('Signal that ended the process, if any.'),
      reason: str('Brief reason, such as Completed, Error or OOMKilled.'),
      message: str('Details about the exit.'),
      startedAt: time('When the run began.'),
      finishedAt: time('When the run ended.'),
      containerID: str('Runtime ID of the container, "<runtime>://<id>".'),
    },
    { required: ['exitCode'] },
  ),

  [CORE + 'VolumeMountStatus']: obj(
    'Observed state of one volume mount.',
    {
      name: str('Name of the volume mount.'),
      mountPath: str('Path of the mount in the container.'),
      readOnly: bool('Whether the mount is read-only.'),
      recursiveReadOnly: str('Whether the read-only mount is recursive.', ['Disabled', 'Enabled']),
    },
    { required: ['name', 'mountPath'] },
  ),
};
