// Schemas of the smaller core/v1 kinds: ConfigMap, Secret, ServiceAccount, Binding, Event, ObjectReference.
import {
  CORE,
  META,
  type Schema,
  atomic,
  bool,
  bytes,
  gvk,
  int32,
  keyed,
  kind,
  map,
  microTime,
  obj,
  ref,
  str,
  time,
} from './dsl';

export const coreDefs: Record<string, Schema> = {
  [CORE + 'ConfigMap']: kind(
    'Non-secret configuration data for pods to consume as files, environment variables or arguments.',
    gvk('', 'v1', 'ConfigMap'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      immutable: bool('When true, data and binaryData can no longer be changed (only metadata).'),
      data: map(
        str(),
        'UTF-8 configuration values. Keys are made of alphanumerics, "-", "_" and "."; they may not also appear in binaryData.',
      ),
      binaryData: map(
        bytes(),
        'Binary configuration values, base64-encoded in JSON. Keys may not also appear in data.',
      ),
    },
  ),

  [CORE + 'Secret']: kind(
    'Sensitive data, such as passwords, tokens or keys, for pods to consume.',
    gvk('', 'v1', 'Secret'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      immutable: bool('When true, data can no longer be changed (only metadata).'),
      data: map(
        bytes(),
        'The secret values, base64-encoded in JSON. Keys are made of alphanumerics, "-", "_" and ".".',
      ),
      stringData: map(
        str(),
        'Write-only convenience: plain-text values merged into data on write, overriding it. Never returned on read.',
      ),
      type: str(
        'Hint for how the data is used, such as Opaque, kubernetes.io/tls or kubernetes.io/dockerconfigjson. Defaults to Opaque.',
      ),
    },
  ),

  [CORE + 'ServiceAccount']: kind(
    'An identity for processes that run in pods.',
    gvk('', 'v1', 'ServiceAccount'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      secrets: keyed(
        ref(CORE + 'ObjectReference'),
        'Secrets pods running as this account may use, when the account enforces mountable secrets.',
        'name',
      ),
      imagePullSecrets: atomic(
        ref(CORE + 'LocalObjectReference'),
        'Registry credentials added to pods that run as this account.',
      ),
      automountServiceAccountToken: bool(
        'Whether pods running as this account get a token mounted; pods may override it.',
      ),
    },
  ),

  [CORE + 'Binding']: kind(
    "Binds an object to another; the scheduler posts one to a pod's binding subresource to place it on a node.",
    gvk('', 'v1', 'Binding'),
    {
      metadata: ref(META + 'ObjectMeta', "Standard object metadata; name is the bound pod's."),
      target: ref(
        CORE + 'ObjectReference',
        'The object to bind to, for example {kind: Node, name: node-1}.',
      ),
    },
    { required: ['target'] },
  ),

  [CORE + 'ObjectReference']: obj(
    'A reference to another object, with enough detail to look it up.',
    {
      kind: str('Kind of the referent.'),
      namespace: str('Namespace of the referent.'),
      name: str('Name of the referent.'),
      uid: str('UID of the referent.'),
      apiVersion: str('API version of the referent.'),
      resourceVersion: str(
        'resourceVersion of the referent the reference was made against, if any.',
      ),
      fieldPath: str(
        'Part of the referent meant, for example "spec.containers{app}" for one container of a pod.',
      ),
    },
    { atomic: true },
  ),

  [CORE + 'Event']: kind(
    'A report of something that happened to an object. Events expire after a while and are informative only.',
    gvk('', 'v1', 'Event'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      involvedObject: ref(CORE + 'ObjectReference', 'The object the event is about.'),
      reason: str('Short CamelCase reason, such as Scheduled, Pulled or FailedScheduling.'),
      message: str('Human-readable description.'),
      source: ref(CORE + 'EventSource', 'Component that reported the event.'),
      firstTimestamp: time('When the event was first recorded.'),
      lastTimestamp: time('When the most recent occurrence was recorded.'),
      count: int32('How many times the event has occurred.'),
      type: str('Normal or Warning; new types may be added.'),
      eventTime: microTime('When the event was first observed.'),
      series: ref(
        CORE + 'EventSeries',
        'Data about a series of repeated events; absent for a single event.',
      ),
      action: str('What was done, or failed, to the object.'),
      related: ref(CORE + 'ObjectReference', 'A second object involved, if any.'),
      reportingComponent: str(
        'Controller that emitted the event, for example kubernetes.io/kubelet.',
      ),
      reportingInstance: str('Instance of that controller, for example kubelet-node-1.'),
    },
    { required: ['metadata', 'involvedObject'] },
  ),

  [CORE + 'EventSource']: obj('Component that reported an event.', {
    component: str('Name of the component.'),
    host: str('Node the event came from.'),
  }),

  [CORE + 'EventSeries']: obj('A series of repeated events.', {
    count: int32('Occurrences up to the last heartbeat.'),
    lastObservedTime: microTime('When the last occurrence was seen.'),
  }),
};
