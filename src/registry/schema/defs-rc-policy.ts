// Schemas of core/v1 ReplicationController and policy/v1 PodDisruptionBudget.
import {
  CORE,
  META,
  type Schema,
  gvk,
  int32,
  int64,
  intOrString,
  keyed,
  kind,
  map,
  obj,
  ref,
  str,
  time,
} from './dsl';

const POLICY = 'io.k8s.api.policy.v1.';
const CONDITION_STATUS = ['False', 'True', 'Unknown'];

export const rcPolicyDefs: Record<string, Schema> = {
  [CORE + 'ReplicationController']: kind(
    'Keeps a given number of identical pods running; the older form of ReplicaSet, with an equality-only selector.',
    gvk('', 'v1', 'ReplicationController'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(CORE + 'ReplicationControllerSpec', 'Desired state of the controller.'),
      status: ref(CORE + 'ReplicationControllerStatus', 'Most recently observed state.'),
    },
  ),

  [CORE + 'ReplicationControllerSpec']: obj('Desired state of a ReplicationController.', {
    replicas: int32('Desired number of pods. Defaults to 1.'),
    minReadySeconds: int32(
      'Seconds a new pod must be ready before it counts as available. Defaults to 0.',
    ),
    selector: map(
      str(),
      "Labels the managed pods must all carry. Defaults to the template's labels; must match them.",
      { mapType: 'atomic' },
    ),
    template: ref(CORE + 'PodTemplateSpec', 'The pods to create when there are too few.'),
  }),

  [CORE + 'ReplicationControllerStatus']: obj(
    'Observed state of a ReplicationController.',
    {
      replicas: int32('Pods currently matched by the selector.'),
      fullyLabeledReplicas: int32("Pods whose labels match the template's labels."),
      readyReplicas: int32('Pods that are ready.'),
      availableReplicas: int32('Pods that have been ready for at least minReadySeconds.'),
      observedGeneration: int64('metadata.generation the controller last acted on.'),
      conditions: keyed(
        ref(CORE + 'ReplicationControllerCondition'),
        'Current conditions of the controller.',
        'type',
      ),
    },
    { required: ['replicas'] },
  ),

  [CORE + 'ReplicationControllerCondition']: obj(
    'One condition of a ReplicationController.',
    {
      type: str('Condition type, such as ReplicaFailure.'),
      status: str('Whether the condition holds.', CONDITION_STATUS),
      lastTransitionTime: time('When status last changed.'),
      reason: str('CamelCase reason for the last transition.'),
      message: str('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status'] },
  ),

  [POLICY + 'PodDisruptionBudget']: kind(
    'Bounds how many pods of a collection may be down at once through voluntary disruptions (evictions).',
    gvk('policy', 'v1', 'PodDisruptionBudget'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(POLICY + 'PodDisruptionBudgetSpec', 'Desired behaviour of the budget.'),
      status: ref(POLICY + 'PodDisruptionBudgetStatus', 'Most recently observed state.'),
    },
  ),

  [POLICY + 'PodDisruptionBudgetSpec']: obj('Desired behaviour of a PodDisruptionBudget.', {
    minAvailable: intOrString(
      'Pods (a number, or a percentage of the expected pods rounded up) that must stay available after an eviction. Mutually exclusive with maxUnavailable.',
    ),
    maxUnavailable: intOrString(
      'Pods (a number, or a percentage of the expected pods rounded up) that may be unavailable after an eviction. Mutually exclusive with minAvailable.',
    ),
    selector: {
      ...ref(
        META + 'LabelSelector',
        'The pods the budget covers. An empty selector selects every pod of the namespace; a missing one selects none.',
      ),
      'x-kubernetes-patch-strategy': 'replace',
    },
    unhealthyPodEvictionPolicy: str(
      'When running but not ready pods may be evicted: IfHealthyBudget (only while the budget is met) or AlwaysAllow.',
      ['AlwaysAllow', 'IfHealthyBudget'],
    ),
  }),

  [POLICY + 'PodDisruptionBudgetStatus']: obj(
    'Observed state of a PodDisruptionBudget.',
    {
      observedGeneration: int64('metadata.generation the status was computed from.'),
      disruptedPods: map(
        time(),
        'Pods whose eviction the API server allowed but the controller has not yet seen deleted, with the time of the eviction.',
      ),
      disruptionsAllowed: int32('Pod disruptions currently allowed.'),
      currentHealthy: int32('Healthy pods now.'),
      desiredHealthy: int32('Healthy pods the budget requires.'),
      expectedPods: int32("Pods the budget counts (from the owning controllers' scale)."),
      conditions: keyed(
        ref(META + 'Condition'),
        'Conditions of the budget; DisruptionAllowed says whether evictions may proceed.',
        'type',
        ['type'],
      ),
    },
    { required: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] },
  ),
};
