// Schemas of the remaining groups: coordination Lease, discovery EndpointSlice, events Event, policy Eviction, autoscaling Scale.
import {
  CORE,
  META,
  type Schema,
  atomic,
  bool,
  gvk,
  int32,
  kind,
  list,
  map,
  microTime,
  obj,
  ref,
  str,
  time,
} from './dsl';

const COORD = 'io.k8s.api.coordination.v1.';
const DISCOVERY = 'io.k8s.api.discovery.v1.';
const EVENTS = 'io.k8s.api.events.v1.';
const POLICY = 'io.k8s.api.policy.v1.';
const AUTOSCALING = 'io.k8s.api.autoscaling.v1.';

export const otherDefs: Record<string, Schema> = {
  [COORD + 'Lease']: kind(
    'A lease held by one party at a time, used for leader election and node heartbeats.',
    gvk('coordination.k8s.io', 'v1', 'Lease'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(COORD + 'LeaseSpec', 'State of the lease.'),
    },
  ),

  [COORD + 'LeaseSpec']: obj('Who holds a lease and until when.', {
    holderIdentity: str('Identity of the current holder.'),
    leaseDurationSeconds: int32(
      'Seconds others must wait after renewTime before they may take the lease.',
    ),
    acquireTime: microTime('When the current holder acquired the lease.'),
    renewTime: microTime('When the holder last renewed the lease.'),
    leaseTransitions: int32('How many times the lease has changed hands.'),
    strategy: str('Strategy for picking leaders in coordinated leader election.'),
    preferredHolder: str('Holder that should take the lease next, in coordinated leader election.'),
  }),

  [DISCOVERY + 'EndpointSlice']: kind(
    'A subset of the endpoints behind a service. A service may have several slices.',
    gvk('discovery.k8s.io', 'v1', 'EndpointSlice'),
    {
      metadata: ref(
        META + 'ObjectMeta',
        'Standard object metadata; the kubernetes.io/service-name label names the service.',
      ),
      addressType: str('Type of every address in the slice. Cannot be changed.', [
        'FQDN',
        'IPv4',
        'IPv6',
      ]),
      endpoints: atomic(ref(DISCOVERY + 'Endpoint'), 'The endpoints, at most 1000.'),
      ports: atomic(
        ref(DISCOVERY + 'EndpointPort'),
        'Ports every endpoint serves; empty means all ports.',
      ),
    },
    { required: ['addressType', 'endpoints'] },
  ),

  [DISCOVERY + 'Endpoint']: obj(
    'One endpoint of a slice.',
    {
      addresses: list(str(), {
        desc: "Addresses of the endpoint, of the slice's addressType; consumers use the first.",
        listType: 'set',
      }),
      conditions: ref(DISCOVERY + 'EndpointConditions', 'Readiness of the endpoint.'),
      hostname: str('Host name of the endpoint.'),
      targetRef: ref(CORE + 'ObjectReference', 'Object (usually a pod) providing the endpoint.'),
      deprecatedTopology: map(str(), 'Deprecated topology labels; use nodeName and zone.'),
      nodeName: str('Node hosting the endpoint.'),
      zone: str('Zone the endpoint is in.'),
      hints: ref(DISCOVERY + 'EndpointHints', 'Routing hints for topology-aware routing.'),
    },
    { required: ['addresses'] },
  ),

  [DISCOVERY + 'EndpointConditions']: obj('Readiness of an endpoint.', {
    ready: bool('Ready to receive traffic; unset means ready. False while terminating.'),
    serving: bool('Ready to receive traffic, whether terminating or not.'),
    terminating: bool('The endpoint is shutting down.'),
  }),

  [DISCOVERY + 'EndpointHints']: obj('Hints about which clients should use an endpoint.', {
    forZones: atomic(ref(DISCOVERY + 'ForZone'), 'Zones that should use this endpoint.'),
    forNodes: atomic(ref(DISCOVERY + 'ForNode'), 'Nodes that should use this endpoint.'),
  }),

  [DISCOVERY + 'ForZone']: obj(
    'A zone that should use an endpoint.',
    { name: str('Zone name.') },
    { required: ['name'] },
  ),
  [DISCOVERY + 'ForNode']: obj(
    'A node that should use an endpoint.',
    { name: str('Node name.') },
    { required: ['name'] },
  ),

  [DISCOVERY + 'EndpointPort']: obj(
    'A port served by the endpoints of a slice.',
    {
      name: str(
        'Name of the port, matching the service port name; empty only when the service has one port.',
      ),
      protocol: str('Transport protocol. Defaults to TCP.', ['SCTP', 'TCP', 'UDP']),
      port: int32('Port number; unset means all ports.'),
      appProtocol: str('Application protocol hint.'),
    },
    { atomic: true },
  ),

  [EVENTS + 'Event']: kind(
    'A report of something that happened to an object (the events.k8s.io form of core/v1 Event).',
    gvk('events.k8s.io', 'v1', 'Event'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      eventTime: microTime('When the event was first observed.'),
      series: ref(
        EVENTS + 'EventSeries',
        'Data about a series of repeated events; absent for a single event.',
      ),
      reportingController: str(
        'Controller that emitted the event, for example kubernetes.io/kubelet.',
      ),
      reportingInstance: str('Instance of that controller.'),
      action: str('What was done, or failed, to the object.'),
      reason: str('Short CamelCase reason.'),
      regarding: ref(CORE + 'ObjectReference', 'The object the event is about.'),
      related: ref(CORE + 'ObjectReference', 'A second object involved, if any.'),
      note: str('Human-readable description, at most 1 kB.'),
      type: str('Normal or Warning; new types may be added.'),
      deprecatedSource: ref(CORE + 'EventSource', 'core/v1 source, kept for compatibility.'),
      deprecatedFirstTimestamp: time('core/v1 firstTimestamp, kept for compatibility.'),
      deprecatedLastTimestamp: time('core/v1 lastTimestamp, kept for compatibility.'),
      deprecatedCount: int32('core/v1 count, kept for compatibility.'),
    },
    { required: ['eventTime'] },
  ),

  [EVENTS + 'EventSeries']: obj(
    'A series of repeated events.',
    {
      count: int32('Occurrences up to the last heartbeat.'),
      lastObservedTime: microTime('When the last occurrence was seen.'),
    },
    { required: ['count', 'lastObservedTime'] },
  ),

  [POLICY + 'Eviction']: kind(
    "Asks for a pod to be deleted while honouring disruption budgets; posted to the pod's eviction subresource.",
    gvk('policy', 'v1', 'Eviction'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata; names the pod to evict.'),
      deleteOptions: ref(META + 'DeleteOptions', 'Options for the delete that follows.'),
    },
  ),

  [AUTOSCALING + 'Scale']: kind(
    'The replica count of a scalable resource, served by its scale subresource.',
    gvk('autoscaling', 'v1', 'Scale'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(AUTOSCALING + 'ScaleSpec', 'Desired replica count.'),
      status: ref(AUTOSCALING + 'ScaleStatus', 'Observed replica count. Read-only.'),
    },
  ),

  [AUTOSCALING + 'ScaleSpec']: obj('Desired scale.', {
    replicas: int32('Desired number of replicas.'),
  }),

  [AUTOSCALING + 'ScaleStatus']: obj(
    'Observed scale.',
    {
      replicas: int32('Observed number of replicas.'),
      selector: str('Label selector of the pods, in string form ("app=web").'),
    },
    { required: ['replicas'] },
  ),
};
