// Schemas of apps/v1 Deployment and ReplicaSet.
import {
  APPS,
  CORE,
  META,
  type Schema,
  bool,
  gvk,
  int32,
  int64,
  intOrString,
  keyed,
  kind,
  obj,
  ref,
  str,
  time,
} from './dsl';

const CONDITION_STATUS = ['False', 'True', 'Unknown'];

export const appsDefs: Record<string, Schema> = {
  [APPS + 'Deployment']: kind(
    'Declarative updates for pods through ReplicaSets: keeps the desired number of replicas running and rolls out template changes.',
    gvk('apps', 'v1', 'Deployment'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(APPS + 'DeploymentSpec', 'Desired state of the Deployment.'),
      status: ref(APPS + 'DeploymentStatus', 'Most recently observed state of the Deployment.'),
    },
  ),

  [APPS + 'DeploymentSpec']: obj(
    'Desired state of a Deployment.',
    {
      replicas: int32('Desired number of pods. Defaults to 1.'),
      selector: ref(
        META + 'LabelSelector',
        "Label query for the pods this Deployment manages; must match the template's labels and cannot change in apps/v1.",
      ),
      template: ref(
        CORE + 'PodTemplateSpec',
        'The pods to create. The only allowed restartPolicy is Always.',
      ),
      strategy: {
        ...ref(APPS + 'DeploymentStrategy', 'How existing pods are replaced by new ones.'),
        'x-kubernetes-patch-strategy': 'retainKeys',
      },
      minReadySeconds: int32(
        'Seconds a new pod must be ready, without any container crashing, before it counts as available. Defaults to 0.',
      ),
      revisionHistoryLimit: int32('Old ReplicaSets kept for rollback. Defaults to 10.'),
      paused: bool('When true, template changes are not rolled out until it is unpaused.'),
      progressDeadlineSeconds: int32(
        'Seconds a rollout may go without progress before the Progressing condition reports failure. Defaults to 600.',
      ),
    },
    { required: ['selector', 'template'] },
  ),

  [APPS + 'DeploymentStrategy']: obj('How a Deployment replaces its pods.', {
    type: str(
      'Recreate kills all old pods before creating new ones; RollingUpdate replaces them gradually. Defaults to RollingUpdate.',
      ['Recreate', 'RollingUpdate'],
    ),
    rollingUpdate: ref(
      APPS + 'RollingUpdateDeployment',
      'Limits for a rolling update; only with type RollingUpdate.',
    ),
  }),

  [APPS + 'RollingUpdateDeployment']: obj('Limits that pace a rolling update.', {
    maxUnavailable: intOrString(
      'How many pods (a number, or a percentage of replicas rounded down) may be unavailable during the update. Defaults to 25%; cannot be 0 when maxSurge is 0.',
    ),
    maxSurge: intOrString(
      'How many pods (a number, or a percentage of replicas rounded up) may exist above the desired count during the update. Defaults to 25%.',
    ),
  }),

  [APPS + 'DeploymentStatus']: obj('Observed state of a Deployment.', {
    observedGeneration: int64('metadata.generation the controller last acted on.'),
    replicas: int32('Pods targeted by this Deployment (their labels match the selector).'),
    updatedReplicas: int32('Pods that run the current template.'),
    readyReplicas: int32('Pods that are ready.'),
    availableReplicas: int32('Pods that have been ready for at least minReadySeconds.'),
    unavailableReplicas: int32('Pods still needed for the Deployment to be fully available.'),
    terminatingReplicas: int32('Pods that are being deleted.'),
    conditions: keyed(
      ref(APPS + 'DeploymentCondition'),
      'Current conditions (Available, Progressing, ReplicaFailure).',
      'type',
    ),
    collisionCount: int32('Hash collisions met when naming ReplicaSets; mixed into the next name.'),
  }),

  [APPS + 'DeploymentCondition']: obj(
    'One condition of a Deployment.',
    {
      type: str('Condition type: Available, Progressing or ReplicaFailure.'),
      status: str('Whether the condition holds.', CONDITION_STATUS),
      lastUpdateTime: time('When the condition was last updated.'),
      lastTransitionTime: time('When status last changed.'),
      reason: str('CamelCase reason for the last transition, such as NewReplicaSetAvailable.'),
      message: str('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status'] },
  ),

  [APPS + 'ReplicaSet']: kind(
    'Keeps a given number of identical pods running. Usually owned and managed by a Deployment.',
    gvk('apps', 'v1', 'ReplicaSet'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(APPS + 'ReplicaSetSpec', 'Desired state of the ReplicaSet.'),
      status: ref(APPS + 'ReplicaSetStatus', 'Most recently observed state of the ReplicaSet.'),
    },
  ),

  [APPS + 'ReplicaSetSpec']: obj(
    'Desired state of a ReplicaSet.',
    {
      replicas: int32('Desired number of pods. Defaults to 1.'),
      minReadySeconds: int32(
        'Seconds a new pod must be ready before it counts as available. Defaults to 0.',
      ),
      selector: ref(
        META + 'LabelSelector',
        "Label query for the pods this ReplicaSet manages; must match the template's labels.",
      ),
      template: ref(CORE + 'PodTemplateSpec', 'The pods to create when there are too few.'),
    },
    { required: ['selector'] },
  ),

  [APPS + 'ReplicaSetStatus']: obj(
    'Observed state of a ReplicaSet.',
    {
      replicas: int32('Pods currently matched by the selector.'),
      fullyLabeledReplicas: int32("Pods whose labels match the template's labels."),
      readyReplicas: int32('Pods that are ready.'),
      availableReplicas: int32('Pods that have been ready for at least minReadySeconds.'),
      terminatingReplicas: int32('Pods that are being deleted.'),
      observedGeneration: int64('metadata.generation the controller last acted on.'),
      conditions: keyed(
        ref(APPS + 'ReplicaSetCondition'),
        'Current conditions of the ReplicaSet.',
        'type',
      ),
    },
    { required: ['replicas'] },
  ),

  [APPS + 'ReplicaSetCondition']: obj(
    'One condition of a ReplicaSet.',
    {
      type: str('Condition type, such as ReplicaFailure.'),
      status: str('Whether the condition holds.', CONDITION_STATUS),
      lastTransitionTime: time('When status last changed.'),
      reason: str('CamelCase reason for the last transition.'),
      message: str('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status'] },
  ),
};
