// Schemas of apps/v1 DaemonSet, StatefulSet and ControllerRevision.
import {
  APPS,
  CORE,
  META,
  RAW_EXTENSION,
  type Schema,
  atomic,
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
const meta = () => ref(META + 'ObjectMeta', 'Standard object metadata.');

const condition = (of: string): Schema =>
  obj(
    `One condition of a ${of}.`,
    {
      type: str('Condition type.'),
      status: str('Whether the condition holds.', CONDITION_STATUS),
      lastTransitionTime: time('When status last changed.'),
      reason: str('CamelCase reason for the last transition.'),
      message: str('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status'] },
  );

export const appsWorkloadDefs: Record<string, Schema> = {
  [APPS + 'DaemonSet']: kind(
    'Runs one copy of a pod on every eligible node.',
    gvk('apps', 'v1', 'DaemonSet'),
    {
      metadata: meta(),
      spec: ref(APPS + 'DaemonSetSpec', 'Desired state of the DaemonSet.'),
      status: ref(APPS + 'DaemonSetStatus', 'Most recently observed state of the DaemonSet.'),
    },
  ),
  [APPS + 'DaemonSetSpec']: obj(
    'Desired state of a DaemonSet.',
    {
      selector: ref(
        META + 'LabelSelector',
        "Label query for the daemon pods; must match the template's labels.",
      ),
      template: ref(
        CORE + 'PodTemplateSpec',
        'The pod run on each eligible node; restartPolicy must be Always.',
      ),
      updateStrategy: ref(
        APPS + 'DaemonSetUpdateStrategy',
        'How daemon pods are replaced when the template changes.',
      ),
      minReadySeconds: int32(
        'Seconds a new pod must be ready before it counts as available. Defaults to 0.',
      ),
      revisionHistoryLimit: int32('Old ControllerRevisions kept for rollback. Defaults to 10.'),
    },
    { required: ['selector', 'template'] },
  ),
  [APPS + 'DaemonSetUpdateStrategy']: obj('How a DaemonSet replaces its pods.', {
    type: str('RollingUpdate (default) or OnDelete.', ['OnDelete', 'RollingUpdate']),
    rollingUpdate: ref(APPS + 'RollingUpdateDaemonSet', 'Limits of a rolling update.'),
  }),
  [APPS + 'RollingUpdateDaemonSet']: obj('Limits that pace a DaemonSet rolling update.', {
    maxUnavailable: intOrString(
      'Nodes whose daemon pod may be unavailable during the update (a number or a percentage). Defaults to 1.',
    ),
    maxSurge: intOrString(
      'Nodes that may run an old and a new daemon pod at once during the update. Defaults to 0.',
    ),
  }),
  [APPS + 'DaemonSetStatus']: obj(
    'Observed state of a DaemonSet.',
    {
      currentNumberScheduled: int32('Nodes running at least one daemon pod that should run one.'),
      numberMisscheduled: int32('Nodes running a daemon pod that should not run one.'),
      desiredNumberScheduled: int32('Nodes that should run the daemon pod.'),
      numberReady: int32('Nodes whose daemon pod is ready.'),
      observedGeneration: int64('metadata.generation the controller last acted on.'),
      updatedNumberScheduled: int32('Nodes running the updated daemon pod.'),
      numberAvailable: int32('Nodes whose daemon pod has been ready for minReadySeconds.'),
      numberUnavailable: int32('Nodes that should run the daemon pod and have none available.'),
      collisionCount: int32('Hash collisions met when naming ControllerRevisions.'),
      conditions: keyed(ref(APPS + 'DaemonSetCondition'), 'Current conditions.', 'type'),
    },
    {
      required: [
        'currentNumberScheduled',
        'numberMisscheduled',
        'desiredNumberScheduled',
        'numberReady',
      ],
    },
  ),
  [APPS + 'DaemonSetCondition']: condition('DaemonSet'),

  [APPS + 'StatefulSet']: kind(
    'Pods with stable names and stable storage, created and removed in order.',
    gvk('apps', 'v1', 'StatefulSet'),
    {
      metadata: meta(),
      spec: ref(APPS + 'StatefulSetSpec', 'Desired state of the StatefulSet.'),
      status: ref(APPS + 'StatefulSetStatus', 'Most recently observed state of the StatefulSet.'),
    },
  ),
  [APPS + 'StatefulSetSpec']: obj(
    'Desired state of a StatefulSet.',
    {
      replicas: int32('Desired number of pods. Defaults to 1.'),
      selector: ref(
        META + 'LabelSelector',
        "Label query for the pods; must match the template's labels.",
      ),
      template: ref(CORE + 'PodTemplateSpec', 'The pods to create, named <statefulset>-<ordinal>.'),
      volumeClaimTemplates: atomic(
        ref(CORE + 'PersistentVolumeClaim'),
        'Claims each pod gets, named <template>-<statefulset>-<ordinal>.',
      ),
      serviceName: str('The headless Service that gives the pods their DNS names.'),
      podManagementPolicy: str('OrderedReady (default) or Parallel.', ['OrderedReady', 'Parallel']),
      updateStrategy: ref(
        APPS + 'StatefulSetUpdateStrategy',
        'How pods are replaced when the template changes.',
      ),
      revisionHistoryLimit: int32('Old ControllerRevisions kept for rollback. Defaults to 10.'),
      minReadySeconds: int32(
        'Seconds a new pod must be ready before it counts as available. Defaults to 0.',
      ),
      persistentVolumeClaimRetentionPolicy: ref(
        APPS + 'StatefulSetPersistentVolumeClaimRetentionPolicy',
        'What happens to the claims when the StatefulSet is deleted or scaled down.',
      ),
      ordinals: ref(APPS + 'StatefulSetOrdinals', 'The first ordinal. Defaults to 0.'),
    },
    { required: ['selector', 'template'] },
  ),
  [APPS + 'StatefulSetUpdateStrategy']: obj('How a StatefulSet replaces its pods.', {
    type: str('RollingUpdate (default) or OnDelete.', ['OnDelete', 'RollingUpdate']),
    rollingUpdate: ref(APPS + 'RollingUpdateStatefulSetStrategy', 'Limits of a rolling update.'),
  }),
  [APPS + 'RollingUpdateStatefulSetStrategy']: obj('Limits of a StatefulSet rolling update.', {
    partition: int32('Pods with an ordinal below this keep the old template. Defaults to 0.'),
    maxUnavailable: intOrString('Pods that may be unavailable during the update. Defaults to 1.'),
  }),
  [APPS + 'StatefulSetPersistentVolumeClaimRetentionPolicy']: obj(
    'What happens to the claims made from volumeClaimTemplates.',
    {
      whenDeleted: str('When the StatefulSet is deleted: Retain (default) or Delete.', [
        'Delete',
        'Retain',
      ]),
      whenScaled: str('When it is scaled down: Retain (default) or Delete.', ['Delete', 'Retain']),
    },
  ),
  [APPS + 'StatefulSetOrdinals']: obj('Numbering of the pods.', {
    start: int32('The ordinal of the first pod. Defaults to 0.'),
  }),
  [APPS + 'StatefulSetStatus']: obj(
    'Observed state of a StatefulSet.',
    {
      observedGeneration: int64('metadata.generation the controller last acted on.'),
      replicas: int32('Pods created by the controller.'),
      readyReplicas: int32('Pods that are ready.'),
      currentReplicas: int32('Pods at currentRevision.'),
      updatedReplicas: int32('Pods at updateRevision.'),
      currentRevision: str('The revision of the pods before the update.'),
      updateRevision: str('The revision the template is now.'),
      collisionCount: int32('Hash collisions met when naming ControllerRevisions.'),
      conditions: keyed(ref(APPS + 'StatefulSetCondition'), 'Current conditions.', 'type'),
      availableReplicas: int32('Pods ready for at least minReadySeconds.'),
    },
    { required: ['replicas'] },
  ),
  [APPS + 'StatefulSetCondition']: condition('StatefulSet'),

  [APPS + 'ControllerRevision']: kind(
    'An immutable snapshot of a workload template; DaemonSets and StatefulSets roll back to them.',
    gvk('apps', 'v1', 'ControllerRevision'),
    {
      metadata: meta(),
      data: ref(RAW_EXTENSION, 'The state this revision stands for.'),
      revision: int64('The revision number.'),
    },
    { required: ['revision'] },
  ),
};
