// Schemas of the apimachinery types every kind shares: ObjectMeta, ListMeta, selectors, times, Status, DeleteOptions.
import {
  INT_OR_STRING,
  META,
  QUANTITY,
  RAW_EXTENSION,
  type GVK,
  type Schema,
  any,
  atomic,
  bool,
  int32,
  int64,
  keyed,
  list,
  map,
  obj,
  ref,
  str,
  time,
  typeMeta,
} from './dsl';

/** Groups whose DeleteOptions we accept, so a DELETE body naming any of them decodes. */
const DELETE_OPTIONS_GVKS: GVK[] = [
  '',
  'apps',
  'autoscaling',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'policy',
].map((group) => ({ group, kind: 'DeleteOptions', version: 'v1' }));

export const metaDefs: Record<string, Schema> = {
  [META + 'ObjectMeta']: obj(
    'Metadata every stored object carries: identity, labels, annotations, ownership and lifecycle markers.',
    {
      name: str(
        'Unique name within the namespace (or the cluster, for cluster-scoped kinds). Required on create unless generateName is set; cannot be changed.',
      ),
      generateName: str(
        'Prefix from which the server builds a unique name when name is empty; a random suffix is appended.',
      ),
      namespace: str(
        'Namespace the object lives in; empty for cluster-scoped kinds. Must be a DNS label and cannot be changed.',
      ),
      selfLink: str('Legacy field; no longer filled in by the server.'),
      uid: str('Identifier the server assigns on create, unique across time and space. Read-only.'),
      resourceVersion: str(
        'Opaque version of this object, changed on every write. Send it back unchanged to make an update conditional.',
      ),
      generation: int64(
        'Sequence number of the desired state; bumped by the server when spec changes. Read-only.',
      ),
      creationTimestamp: time('When the server created the object (RFC 3339, UTC). Read-only.'),
      deletionTimestamp: time(
        'When the object will be removed, set when a graceful delete is requested. Read-only.',
      ),
      deletionGracePeriodSeconds: int64(
        'Seconds granted for graceful termination; set together with deletionTimestamp. Read-only.',
      ),
      labels: map(
        str(),
        'Key/value pairs used to organise objects and to select them (by Services, ReplicaSets, label selectors).',
      ),
      annotations: map(
        str(),
        'Key/value pairs for tools and extensions to store arbitrary non-identifying data. Not used for selection.',
      ),
      ownerReferences: keyed(
        ref(META + 'OwnerReference'),
        'Objects this one depends on. When every owner is gone the garbage collector deletes this object; at most one owner may be the managing controller.',
        'uid',
      ),
      finalizers: list(str(), {
        desc: 'Names of components that must finish cleanup before the object is removed. While any remain, a delete only sets deletionTimestamp.',
        strategy: 'merge',
        listType: 'set',
      }),
      managedFields: atomic(
        ref(META + 'ManagedFieldsEntry'),
        'Which manager owns which fields, as recorded by server-side apply. Internal bookkeeping; rarely edited by hand.',
      ),
    },
  ),

  [META + 'ListMeta']: obj('Metadata of a list response.', {
    selfLink: str('Legacy field; no longer filled in by the server.'),
    resourceVersion: str(
      'Version of the store the list was read at; start a watch from here to see every later change.',
    ),
    continue: str(
      'Opaque token for the next page when the list was limited; empty when there are no more items.',
    ),
    remainingItemCount: int64(
      'Approximate number of items after this page, when the server can tell.',
    ),
  }),

  [META + 'OwnerReference']: obj(
    'Identifies an owner of this object. The owner lives in the same namespace or is cluster-scoped.',
    {
      apiVersion: str('API version of the owner.'),
      kind: str('Kind of the owner.'),
      name: str('Name of the owner.'),
      uid: str('UID of the owner; a reference to a recreated owner with a new UID does not match.'),
      controller: bool('True when the owner is the controller that manages this object.'),
      blockOwnerDeletion: bool(
        'When true and the owner is deleted in the foreground, the owner waits for this object to go first.',
      ),
    },
    { required: ['apiVersion', 'kind', 'name', 'uid'], atomic: true },
  ),

  [META + 'ManagedFieldsEntry']: obj(
    "One manager's claim on a set of fields, recorded by server-side apply and updates.",
    {
      manager: str("Name of the manager (usually the client's fieldManager)."),
      operation: str('The kind of request that wrote these fields.', ['Apply', 'Update']),
      apiVersion: str('API version the field set is expressed in.'),
      time: time('When this manager last changed the object.'),
      fieldsType: str('Format of fieldsV1; always "FieldsV1".'),
      fieldsV1: ref(META + 'FieldsV1', 'The owned fields, as a set in FieldsV1 form.'),
      subresource: str(
        'Subresource the manager wrote through, such as "status"; empty for the main resource.',
      ),
    },
  ),

  [META + 'FieldsV1']: any(
    'A set of field paths as a nested JSON object (keys like "f:spec", "k:{...}", "v:..."). See server-side apply.',
  ),

  [META + 'LabelSelector']: obj(
    'A label query. matchLabels and matchExpressions are ANDed; an empty selector matches everything, a missing one nothing.',
    {
      matchLabels: map(str(), 'Labels that must be present with exactly these values.'),
      matchExpressions: atomic(
        ref(META + 'LabelSelectorRequirement'),
        'Set-based requirements, all of which must hold.',
      ),
    },
    { atomic: true },
  ),

  [META + 'LabelSelectorRequirement']: obj(
    'One set-based label requirement: a key, an operator and values.',
    {
      key: str('The label key the requirement applies to.'),
      operator: str('How the key relates to the values.', [
        'In',
        'NotIn',
        'Exists',
        'DoesNotExist',
      ]),
      values: atomic(
        str(),
        'Values for In and NotIn (must be non-empty); must be empty for Exists and DoesNotExist.',
      ),
    },
    { required: ['key', 'operator'] },
  ),

  [META + 'Time']: {
    description: 'A timestamp in RFC 3339 form, for example "2024-05-01T12:00:00Z".',
    type: 'string',
    format: 'date-time',
  },
  [META + 'MicroTime']: {
    description:
      'A timestamp in RFC 3339 form with microseconds, for example "2024-05-01T12:00:00.000000Z".',
    type: 'string',
    format: 'date-time',
  },

  [META + 'Condition']: obj(
    "One aspect of an object's observed state, in the standard condition shape.",
    {
      type: str('Condition type in CamelCase, unique within the list.'),
      status: str('Whether the condition holds.', ['True', 'False', 'Unknown']),
      observedGeneration: int64('metadata.generation the condition was computed from.'),
      lastTransitionTime: time('When status last changed.'),
      reason: str('CamelCase machine-readable reason for the last transition.'),
      message: str('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
  ),

  [META + 'Preconditions']: obj(
    'Conditions the stored object must meet before a delete proceeds.',
    {
      uid: str('The object must have this UID.'),
      resourceVersion: str('The object must be at this resourceVersion.'),
    },
  ),

  [META + 'DeleteOptions']: {
    ...obj('Options for a delete request.', {
      ...typeMeta(),
      gracePeriodSeconds: int64(
        "Seconds to wait before deleting; 0 deletes at once. Defaults to the kind's own grace period.",
      ),
      preconditions: ref(
        META + 'Preconditions',
        'Refuse the delete (409 Conflict) unless these hold.',
      ),
      orphanDependents: bool(
        'Deprecated: use propagationPolicy. When true, dependents are orphaned.',
      ),
      propagationPolicy: str('What happens to dependents.', ['Orphan', 'Background', 'Foreground']),
      dryRun: atomic(str(), 'When ["All"], everything is checked and nothing is stored.'),
      ignoreStoreReadErrorWithClusterBreakingPotential: bool(
        'Deletes an object whose stored form cannot be read. Dangerous; needs extra permission.',
      ),
    }),
    'x-kubernetes-group-version-kind': DELETE_OPTIONS_GVKS,
  },

  [META + 'Status']: {
    ...obj('The result of a request that does not return an object, and the body of every error.', {
      ...typeMeta(),
      metadata: ref(META + 'ListMeta', 'Standard list metadata.'),
      status: str('Outcome of the operation.', ['Success', 'Failure']),
      message: str('Human-readable description of the outcome.'),
      reason: str('Machine-readable reason, such as NotFound, AlreadyExists, Conflict or Invalid.'),
      details: ref(
        META + 'StatusDetails',
        'Extra data about the reason; its shape depends on the reason.',
      ),
      code: int32('HTTP status code of this status.'),
    }),
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
  },

  [META + 'StatusDetails']: obj('Details that go with a Status reason.', {
    name: str('Name of the object concerned.'),
    group: str('API group of the object concerned.'),
    kind: str('Kind of the object concerned.'),
    uid: str('UID of the object concerned.'),
    causes: atomic(
      ref(META + 'StatusCause'),
      'Individual problems, for example one per invalid field.',
    ),
    retryAfterSeconds: int32('Seconds the client should wait before retrying.'),
  }),

  [META + 'StatusCause']: obj('One cause of an error.', {
    reason: str('Machine-readable cause, such as FieldValueInvalid.'),
    message: str('Human-readable description of the cause.'),
    field: str('The field at fault, for example "spec.containers[0].image".'),
  }),

  [META + 'Patch']: obj(
    'Body of a PATCH request; its format is set by the Content-Type (JSON patch, merge patch, strategic merge patch or apply).',
    {},
  ),

  [QUANTITY]: {
    description:
      'A fixed-point number with an optional suffix: "100m" (0.1), "2", "1.5Gi", "512Mi", "1e3". Written as a string, or as a plain JSON number.',
    oneOf: [{ type: 'string' }, { type: 'number' }],
    format: 'quantity',
    'x-kubernetes-int-or-string': true,
  },
  [INT_OR_STRING]: {
    description:
      'Either an integer or a string, for example a port number (8080) or a port name ("http"), or a count (1) or percentage ("25%").',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  },
  [RAW_EXTENSION]: any('An embedded object of any kind, kept as given.'),
};
