// Schemas of core/v1 Container and what hangs off it: ports, env, resources, probes, lifecycle, security context.
import {
  CORE,
  type Schema,
  atomic,
  bool,
  int32,
  int64,
  intOrString,
  keyed,
  map,
  mapList,
  obj,
  quantity,
  ref,
  str,
} from './dsl';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PROFILE_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'];

/** Fields shared by Container and EphemeralContainer (Go keeps them in sync by hand too). */
function containerFields(): Record<string, Schema> {
  return {
    name: str(
      'Name of the container, a DNS label unique among all containers of the pod. Cannot be changed.',
    ),
    image: str(
      'Container image reference, for example "nginx:1.27". Workload templates may leave it for later tooling to fill in.',
    ),
    command: atomic(
      str(),
      "Entrypoint to run instead of the image's ENTRYPOINT; not run in a shell. $(VAR) references are expanded from the container's environment.",
    ),
    args: atomic(
      str(),
      "Arguments to the entrypoint, replacing the image's CMD. $(VAR) references are expanded; $$ escapes a literal $.",
    ),
    workingDir: str("Working directory of the process; defaults to the image's."),
    ports: keyed(
      ref(CORE + 'ContainerPort'),
      'Ports the container exposes. Informational (a port not listed is still reachable), but named ports can be referenced by Services and probes.',
      'containerPort',
      ['containerPort', 'protocol'],
    ),
    envFrom: atomic(
      ref(CORE + 'EnvFromSource'),
      'Sources whose every key becomes an environment variable. Later sources win on clashes; env entries win over all of them.',
    ),
    env: keyed(ref(CORE + 'EnvVar'), 'Environment variables to set in the container.', 'name'),
    resources: ref(
      CORE + 'ResourceRequirements',
      'CPU, memory and other resources the container requests and is limited to.',
    ),
    resizePolicy: atomic(
      ref(CORE + 'ContainerResizePolicy'),
      'How to apply an in-place resize of each resource.',
    ),
    restartPolicy: str(
      'Per-container restart policy. On an init container, "Always" makes it a sidecar that keeps running beside the main containers.',
      ['Always'],
    ),
    volumeMounts: keyed(
      ref(CORE + 'VolumeMount'),
      "Pod volumes to mount into the container's filesystem.",
      'mountPath',
    ),
    volumeDevices: keyed(
      ref(CORE + 'VolumeDevice'),
      'Raw block devices to expose to the container.',
      'devicePath',
    ),
    livenessProbe: ref(
      CORE + 'Probe',
      'Periodic check that the container is alive; the container is restarted when it fails.',
    ),
    readinessProbe: ref(
      CORE + 'Probe',
      'Periodic check that the container can serve; the pod is taken out of Service endpoints while it fails.',
    ),
    startupProbe: ref(
      CORE + 'Probe',
      'Check that the container has finished starting; other probes wait until it succeeds, and failing it restarts the container.',
    ),
    lifecycle: ref(
      CORE + 'Lifecycle',
      'Hooks run right after the container starts and right before it is stopped.',
    ),
    terminationMessagePath: str(
      'File the container may write a short final message to; it is copied into the container status. Defaults to /dev/termination-log.',
    ),
    terminationMessagePolicy: str(
      'Where the termination message comes from: the file only, or the tail of the log when the file is empty and the container failed.',
      ['FallbackToLogsOnError', 'File'],
    ),
    imagePullPolicy: str(
      'When to pull the image. Defaults to Always for the :latest tag (or no tag) and IfNotPresent otherwise.',
      ['Always', 'IfNotPresent', 'Never'],
    ),
    securityContext: ref(
      CORE + 'SecurityContext',
      'Security settings for this container; they override the pod-level securityContext.',
    ),
    stdin: bool('Allocate a stdin buffer for the container; without it reads from stdin see EOF.'),
    stdinOnce: bool('Close stdin after the first attach session ends.'),
    tty: bool('Allocate a TTY; needs stdin too.'),
  };
}

export const containerDefs: Record<string, Schema> = {
  [CORE + 'Container']: obj('One application container of a pod.', containerFields(), {
    required: ['name'],
  }),

  [CORE + 'EphemeralContainer']: obj(
    'A temporary container added to a running pod, usually for debugging. It has no resource guarantees, ports or probes, and is never restarted.',
    {
      ...containerFields(),
      targetContainerName: str(
        'Name of a pod container whose namespaces (PID, IPC, ...) this container joins.',
      ),
    },
    { required: ['name'] },
  ),

  [CORE + 'ContainerPort']: obj(
    'A network port of a container.',
    {
      name: str(
        'Name for the port, an IANA service name unique within the pod; Services and probes may refer to it.',
      ),
      hostPort: int32(
        'Port to open on the node and forward to containerPort. Most pods do not need this; with hostNetwork it must equal containerPort.',
      ),
      containerPort: int32("Port number on the pod's IP address, 1-65535."),
      protocol: str('Transport protocol. Defaults to TCP.', PROTOCOLS),
      hostIP: str('Node address the hostPort binds to.'),
    },
    { required: ['containerPort'] },
  ),

  [CORE + 'EnvVar']: obj(
    'One environment variable.',
    {
      name: str('Variable name; any printable ASCII except "=".'),
      value: str(
        'Literal value. $(VAR) references to earlier variables are expanded; $$ escapes a literal $. Defaults to "".',
      ),
      valueFrom: ref(
        CORE + 'EnvVarSource',
        'Take the value from a field, a resource, a ConfigMap or a Secret instead; not allowed together with value.',
      ),
    },
    { required: ['name'] },
  ),

  [CORE + 'EnvVarSource']: obj(
    "Where an environment variable's value comes from. Exactly one field may be set.",
    {
      fieldRef: ref(
        CORE + 'ObjectFieldSelector',
        "A field of the pod, such as metadata.name, metadata.namespace, metadata.labels['k'], spec.nodeName, status.podIP or status.hostIP.",
      ),
      resourceFieldRef: ref(
        CORE + 'ResourceFieldSelector',
        'A resource limit or request of a container, such as limits.memory or requests.cpu.',
      ),
      configMapKeyRef: ref(
        CORE + 'ConfigMapKeySelector',
        "A key of a ConfigMap in the pod's namespace.",
      ),
      secretKeyRef: ref(CORE + 'SecretKeySelector', "A key of a Secret in the pod's namespace."),
    },
  ),

  [CORE + 'ObjectFieldSelector']: obj(
    'Selects a field of an object by path.',
    {
      apiVersion: str('API version the path is written against. Defaults to "v1".'),
      fieldPath: str('Path of the field, for example "metadata.name".'),
    },
    { required: ['fieldPath'], atomic: true },
  ),

  [CORE + 'ResourceFieldSelector']: obj(
    'Selects a container resource and the unit to report it in.',
    {
      containerName: str(
        'Container whose resources are read; required in volumes, optional (the current container) in env.',
      ),
      resource: str('The resource, for example "limits.cpu" or "requests.memory".'),
      divisor: quantity(
        'Unit the value is divided by before it is exposed, for example "1m" or "1Mi". Defaults to 1.',
      ),
    },
    { required: ['resource'], atomic: true },
  ),

  [CORE + 'ConfigMapKeySelector']: obj(
    'Selects one key of a ConfigMap.',
    {
      name: str('Name of the ConfigMap.'),
      key: str('The key to read.'),
      optional: bool(
        'When true, a missing ConfigMap or key is not an error and the variable is left unset.',
      ),
    },
    { required: ['key'], atomic: true },
  ),

  [CORE + 'SecretKeySelector']: obj(
    'Selects one key of a Secret.',
    {
      name: str('Name of the Secret.'),
      key: str('The key to read.'),
      optional: bool(
        'When true, a missing Secret or key is not an error and the variable is left unset.',
      ),
    },
    { required: ['key'], atomic: true },
  ),

  [CORE + 'EnvFromSource']: obj(
    'A ConfigMap or Secret whose keys all become environment variables.',
    {
      prefix: str('Text prepended to every variable name taken from this source.'),
      configMapRef: ref(CORE + 'ConfigMapEnvSource', 'The ConfigMap to read.'),
      secretRef: ref(CORE + 'SecretEnvSource', 'The Secret to read.'),
    },
  ),

  [CORE + 'ConfigMapEnvSource']: obj('A ConfigMap used as a source of environment variables.', {
    name: str('Name of the ConfigMap.'),
    optional: bool('When true, a missing ConfigMap is not an error.'),
  }),

  [CORE + 'SecretEnvSource']: obj('A Secret used as a source of environment variables.', {
    name: str('Name of the Secret.'),
    optional: bool('When true, a missing Secret is not an error.'),
  }),

  [CORE + 'ResourceRequirements']: obj(
    'Compute resources: what is requested for scheduling and what the container is limited to.',
    {
      limits: map(
        quantity(),
        'Most the container may use, per resource (cpu, memory, ephemeral-storage, ...).',
      ),
      requests: map(
        quantity(),
        'Amount reserved for the container when it is scheduled, per resource. Defaults to limits when only limits are given.',
      ),
      claims: mapList(
        ref(CORE + 'ResourceClaim'),
        'Names of pod resourceClaims this container uses.',
        ['name'],
      ),
    },
  ),

  [CORE + 'ResourceClaim']: obj(
    "Use of one of the pod's resource claims.",
    {
      name: str("Name of an entry in the pod's spec.resourceClaims."),
      request: str('A single request within the claim; empty means the whole claim.'),
    },
    { required: ['name'] },
  ),

  [CORE + 'ContainerResizePolicy']: obj(
    'How a resource of a running container is resized.',
    {
      resourceName: str('The resource: cpu or memory.'),
      restartPolicy: str('Whether the container must restart to apply a resize.', [
        'NotRequired',
        'RestartContainer',
      ]),
    },
    { required: ['resourceName', 'restartPolicy'] },
  ),

  [CORE + 'VolumeMount']: obj(
    'Mounts a pod volume into a container.',
    {
      name: str('Name of the pod volume.'),
      readOnly: bool('Mount read-only. Defaults to false.'),
      recursiveReadOnly: str(
        'Whether a read-only mount is read-only all the way down (submounts too).',
        ['Disabled', 'Enabled', 'IfPossible'],
      ),
      mountPath: str('Path inside the container; must not contain ":".'),
      subPath: str('Path inside the volume to mount instead of its root.'),
      mountPropagation: str('How mounts propagate between host and container. Defaults to None.', [
        'Bidirectional',
        'HostToContainer',
        'None',
      ]),
      subPathExpr: str(
        "Like subPath, with $(VAR) references expanded from the container's environment. Exclusive with subPath.",
      ),
    },
    { required: ['name', 'mountPath'] },
  ),

  [CORE + 'VolumeDevice']: obj(
    'Maps a raw block volume to a device path in a container.',
    {
      name: str('Name of a persistentVolumeClaim volume of the pod.'),
      devicePath: str('Device path inside the container.'),
    },
    { required: ['name', 'devicePath'] },
  ),

  [CORE + 'Probe']: obj(
    'A periodic health check. Exactly one of exec, httpGet, tcpSocket or grpc is set.',
    {
      exec: ref(CORE + 'ExecAction', 'Run a command in the container; exit status 0 is success.'),
      httpGet: ref(
        CORE + 'HTTPGetAction',
        'Send an HTTP GET; a status from 200 to 399 is success.',
      ),
      tcpSocket: ref(CORE + 'TCPSocketAction', 'Open a TCP connection; connecting is success.'),
      grpc: ref(CORE + 'GRPCAction', 'Call the gRPC health checking service.'),
      initialDelaySeconds: int32(
        'Seconds after the container starts before the first probe. Defaults to 0.',
      ),
      timeoutSeconds: int32(
        'Seconds after which one probe attempt times out. Defaults to 1; at least 1.',
      ),
      periodSeconds: int32('Seconds between probes. Defaults to 10; at least 1.'),
      successThreshold: int32(
        'Consecutive successes needed after a failure. Defaults to 1; must be 1 for liveness and startup probes.',
      ),
      failureThreshold: int32(
        'Consecutive failures before the probe counts as failed. Defaults to 3.',
      ),
      terminationGracePeriodSeconds: int64(
        "Grace period used when this probe's failure kills the container; overrides the pod's terminationGracePeriodSeconds.",
      ),
    },
  ),

  [CORE + 'ExecAction']: obj('Runs a command inside the container.', {
    command: atomic(
      str(),
      "Command and arguments, run directly (not in a shell) from the container's root directory. Exit status 0 means healthy.",
    ),
  }),

  [CORE + 'HTTPGetAction']: obj(
    'An HTTP GET request against the container.',
    {
      path: str('Request path, for example "/healthz".'),
      port: intOrString('Port number (1-65535) or name of a container port.'),
      host: str(
        'Host to connect to; defaults to the pod IP. Set a "Host" header in httpHeaders to change the virtual host instead.',
      ),
      scheme: str('Scheme to connect with. Defaults to HTTP.', ['HTTP', 'HTTPS']),
      httpHeaders: atomic(ref(CORE + 'HTTPHeader'), 'Extra request headers; repeats are allowed.'),
    },
    { required: ['port'] },
  ),

  [CORE + 'HTTPHeader']: obj(
    'One HTTP header.',
    {
      name: str('Header name; matched case-insensitively.'),
      value: str('Header value.'),
    },
    { required: ['name', 'value'] },
  ),

  [CORE + 'TCPSocketAction']: obj(
    'Opens a TCP connection to the container.',
    {
      port: intOrString('Port number (1-65535) or name of a container port.'),
      host: str('Host to connect to; defaults to the pod IP.'),
    },
    { required: ['port'] },
  ),

  [CORE + 'GRPCAction']: obj(
    'Calls the standard gRPC health service in the container.',
    {
      port: int32('Port of the gRPC server, 1-65535.'),
      service: str(
        'Service name sent in the health check request; empty asks about the server as a whole.',
      ),
    },
    { required: ['port'] },
  ),

  [CORE + 'Lifecycle']: obj(
    'Actions run at container lifecycle events. The container is held until a hook completes.',
    {
      postStart: ref(
        CORE + 'LifecycleHandler',
        'Runs right after the container is created; if it fails the container is killed and handled by its restart policy.',
      ),
      preStop: ref(
        CORE + 'LifecycleHandler',
        'Runs before the container is stopped by an API request or management event (not when it crashes). The grace period keeps counting while it runs.',
      ),
    },
  ),

  [CORE + 'LifecycleHandler']: obj(
    'One lifecycle hook action. Exactly one of exec, httpGet or sleep is set.',
    {
      exec: ref(CORE + 'ExecAction', 'Run a command in the container.'),
      httpGet: ref(CORE + 'HTTPGetAction', 'Send an HTTP GET to the container.'),
      tcpSocket: ref(
        CORE + 'TCPSocketAction',
        'Deprecated and not run; kept so old objects still decode.',
      ),
      sleep: ref(CORE + 'SleepAction', 'Pause for a while.'),
    },
  ),

  [CORE + 'SleepAction']: obj(
    'Pauses for a number of seconds.',
    {
      seconds: int64('Seconds to sleep.'),
    },
    { required: ['seconds'] },
  ),

  [CORE + 'SecurityContext']: obj(
    'Security settings for one container. Where a field also exists in the pod securityContext, this one wins.',
    {
      capabilities: ref(
        CORE + 'Capabilities',
        "Linux capabilities to add to or drop from the runtime's default set.",
      ),
      privileged: bool('Run privileged: effectively root on the host. Defaults to false.'),
      seLinuxOptions: ref(
        CORE + 'SELinuxOptions',
        'SELinux context for the container; random if unset.',
      ),
      windowsOptions: ref(CORE + 'WindowsSecurityContextOptions', 'Windows-specific settings.'),
      runAsUser: int64("UID the entrypoint runs as; defaults to the image's user."),
      runAsGroup: int64("GID the entrypoint runs as; defaults to the runtime's."),
      runAsNonRoot: bool('Refuse to start the container if it would run as UID 0.'),
      readOnlyRootFilesystem: bool(
        "Mount the container's root filesystem read-only. Defaults to false.",
      ),
      allowPrivilegeEscalation: bool(
        'Whether a process may gain more privileges than its parent (no_new_privs). Always true when privileged or with CAP_SYS_ADMIN.',
      ),
      procMount: str("Which /proc view to use: the runtime's masked default, or unmasked.", [
        'Default',
        'Unmasked',
      ]),
      seccompProfile: ref(CORE + 'SeccompProfile', "Seccomp profile; overrides the pod's."),
      appArmorProfile: ref(CORE + 'AppArmorProfile', "AppArmor profile; overrides the pod's."),
    },
  ),

  [CORE + 'Capabilities']: obj('Linux capabilities to add and drop.', {
    add: atomic(str(), 'Capabilities to add, for example NET_ADMIN.'),
    drop: atomic(str(), 'Capabilities to drop, for example ALL.'),
  }),

  [CORE + 'SELinuxOptions']: obj('SELinux labels for a container.', {
    user: str('SELinux user label.'),
    role: str('SELinux role label.'),
    type: str('SELinux type label.'),
    level: str('SELinux level label.'),
  }),

  [CORE + 'WindowsSecurityContextOptions']: obj('Windows-specific security settings.', {
    gmsaCredentialSpecName: str('Name of the GMSA credential spec to use.'),
    gmsaCredentialSpec: str('Contents of the GMSA credential spec, filled in by a webhook.'),
    runAsUserName: str('Windows user name the entrypoint runs as.'),
    hostProcess: bool('Run as a Windows host process container; needs hostNetwork.'),
  }),

  [CORE + 'SeccompProfile']: obj(
    'A seccomp profile. localhostProfile is set only for type Localhost.',
    {
      type: str('Which profile to apply.', PROFILE_TYPES),
      localhostProfile: str(
        "Path of a profile file on the node, relative to the kubelet's seccomp directory.",
      ),
    },
    { required: ['type'] },
  ),

  [CORE + 'AppArmorProfile']: obj(
    'An AppArmor profile. localhostProfile is set only for type Localhost.',
    {
      type: str('Which profile to apply.', PROFILE_TYPES),
      localhostProfile: str('Name of a profile already loaded on the node.'),
    },
    { required: ['type'] },
  ),

  [CORE + 'LocalObjectReference']: obj(
    'The name of an object in the same namespace.',
    {
      name: str('Name of the referenced object.'),
    },
    { atomic: true },
  ),
};
