// Message tables for apps/v1 Deployment and batch/v1 Job, the workload kinds kubectl's generators POST.
import {
  APPS,
  BATCH,
  CORE,
  INT_OR_STRING,
  META,
  PTR,
  REP,
  TIME,
  message,
  type MessageTable,
} from './descriptor-types';

const OBJECT_META = META + 'ObjectMeta';
const SELECTOR = META + 'LabelSelector';
const TEMPLATE = CORE + 'PodTemplateSpec';

export const workloadMessages: MessageTable = {
  [APPS + 'Deployment']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'spec', APPS + 'DeploymentSpec'],
    [3, 'status', APPS + 'DeploymentStatus'],
  ),
  [APPS + 'DeploymentSpec']: message(
    [1, 'replicas', 'int32', PTR],
    [2, 'selector', SELECTOR, PTR],
    [3, 'template', TEMPLATE],
    [4, 'strategy', APPS + 'DeploymentStrategy'],
    [5, 'minReadySeconds', 'int32'],
    [6, 'revisionHistoryLimit', 'int32', PTR],
    [7, 'paused', 'bool'],
    [9, 'progressDeadlineSeconds', 'int32', PTR],
  ),
  [APPS + 'DeploymentStrategy']: message(
    [1, 'type', 'string'],
    [2, 'rollingUpdate', APPS + 'RollingUpdateDeployment', PTR],
  ),
  [APPS + 'RollingUpdateDeployment']: message(
    [1, 'maxUnavailable', INT_OR_STRING, PTR],
    [2, 'maxSurge', INT_OR_STRING, PTR],
  ),
  [APPS + 'DeploymentStatus']: message(
    [1, 'observedGeneration', 'int64'],
    [2, 'replicas', 'int32'],
    [3, 'updatedReplicas', 'int32'],
    [7, 'readyReplicas', 'int32'],
    [4, 'availableReplicas', 'int32'],
    [5, 'unavailableReplicas', 'int32'],
    [9, 'terminatingReplicas', 'int32', PTR],
    [6, 'conditions', APPS + 'DeploymentCondition', REP],
    [8, 'collisionCount', 'int32', PTR],
  ),
  [APPS + 'DeploymentCondition']: message(
    [1, 'type', 'string'],
    [2, 'status', 'string'],
    [6, 'lastUpdateTime', TIME],
    [7, 'lastTransitionTime', TIME],
    [4, 'reason', 'string'],
    [5, 'message', 'string'],
  ),

  [BATCH + 'Job']: message(
    [1, 'metadata', OBJECT_META],
    [2, 'spec', BATCH + 'JobSpec'],
    [3, 'status', BATCH + 'JobStatus'],
  ),
  [BATCH + 'JobSpec']: message(
    [1, 'parallelism', 'int32', PTR],
    [2, 'completions', 'int32', PTR],
    [3, 'activeDeadlineSeconds', 'int64', PTR],
    [11, 'podFailurePolicy', BATCH + 'PodFailurePolicy', PTR],
    [16, 'successPolicy', BATCH + 'SuccessPolicy', PTR],
    [7, 'backoffLimit', 'int32', PTR],
    [12, 'backoffLimitPerIndex', 'int32', PTR],
    [13, 'maxFailedIndexes', 'int32', PTR],
    [4, 'selector', SELECTOR, PTR],
    [5, 'manualSelector', 'bool', PTR],
    [6, 'template', TEMPLATE],
    [8, 'ttlSecondsAfterFinished', 'int32', PTR],
    [9, 'completionMode', 'string', PTR],
    [10, 'suspend', 'bool', PTR],
    [14, 'podReplacementPolicy', 'string', PTR],
    [15, 'managedBy', 'string', PTR],
  ),
  [BATCH + 'JobStatus']: message(
    [1, 'conditions', BATCH + 'JobCondition', REP],
    [2, 'startTime', TIME, PTR],
    [3, 'completionTime', TIME, PTR],
    [4, 'active', 'int32'],
    [5, 'succeeded', 'int32'],
    [6, 'failed', 'int32'],
    [11, 'terminating', 'int32', PTR],
    [7, 'completedIndexes', 'string'],
    [10, 'failedIndexes', 'string', PTR],
    [8, 'uncountedTerminatedPods', BATCH + 'UncountedTerminatedPods', PTR],
    [9, 'ready', 'int32', PTR],
  ),
  [BATCH + 'JobCondition']: message(
    [1, 'type', 'string'],
    [2, 'status', 'string'],
    [3, 'lastProbeTime', TIME],
    [4, 'lastTransitionTime', TIME],
    [5, 'reason', 'string'],
    [6, 'message', 'string'],
  ),
  [BATCH + 'UncountedTerminatedPods']: message(
    [1, 'succeeded', 'string', REP],
    [2, 'failed', 'string', REP],
  ),
  [BATCH + 'PodFailurePolicy']: message([1, 'rules', BATCH + 'PodFailurePolicyRule', REP]),
  [BATCH + 'PodFailurePolicyRule']: message(
    [1, 'action', 'string'],
    [2, 'onExitCodes', BATCH + 'PodFailurePolicyOnExitCodesRequirement', PTR],
    [3, 'onPodConditions', BATCH + 'PodFailurePolicyOnPodConditionsPattern', REP],
  ),
  [BATCH + 'PodFailurePolicyOnExitCodesRequirement']: message(
    [1, 'containerName', 'string', PTR],
    [2, 'operator', 'string'],
    [3, 'values', 'int32', REP],
  ),
  [BATCH + 'PodFailurePolicyOnPodConditionsPattern']: message(
    [1, 'type', 'string'],
    [2, 'status', 'string'],
  ),
  [BATCH + 'SuccessPolicy']: message([1, 'rules', BATCH + 'SuccessPolicyRule', REP]),
  [BATCH + 'SuccessPolicyRule']: message(
    [1, 'succeededIndexes', 'string', PTR],
    [2, 'succeededCount', 'int32', PTR],
  ),
};
