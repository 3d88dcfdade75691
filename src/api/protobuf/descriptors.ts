// The protobuf registry: every message table we know and which GroupVersionKind decodes with which message.
import { APPS, BATCH, CORE, type MessageDescriptor, type MessageTable } from './descriptor-types';
import { coreMessages } from './descriptors-core';
import { metaMessages } from './descriptors-meta';
import { podMessages } from './descriptors-pod';
import { volumeMessages } from './descriptors-volumes';
import { workloadMessages } from './descriptors-workloads';
import { batchMessages } from './descriptors-batch';
import { authKindMessages, authMessages } from './descriptors-auth';
import { AUTOSCALING_V1, autoscalingMessages } from './descriptors-autoscaling';
import { POLICY_V1, policyMessages } from './descriptors-policy';

export const messages: MessageTable = {
  ...metaMessages,
  ...coreMessages,
  ...podMessages,
  ...volumeMessages,
  ...workloadMessages,
  ...batchMessages,
  ...authMessages,
  ...autoscalingMessages,
  ...policyMessages,
};

// The kinds `kubectl create deployment|namespace|configmap|secret|service|serviceaccount|job` send as protobuf.
const kindMessages: Record<string, string> = {
  'apps/v1 Deployment': APPS + 'Deployment',
  'batch/v1 Job': BATCH + 'Job',
  'batch/v1 CronJob': BATCH + 'CronJob',
  'v1 ConfigMap': CORE + 'ConfigMap',
  'v1 Namespace': CORE + 'Namespace',
  'v1 Secret': CORE + 'Secret',
  'v1 Service': CORE + 'Service',
  'v1 ServiceAccount': CORE + 'ServiceAccount',
  ...authKindMessages,
  'autoscaling/v1 HorizontalPodAutoscaler': AUTOSCALING_V1 + 'HorizontalPodAutoscaler',
  'policy/v1 PodDisruptionBudget': POLICY_V1 + 'PodDisruptionBudget',
};

export function messageForKind(apiVersion: string, kind: string): string | undefined {
  return kindMessages[`${apiVersion} ${kind}`];
}

/** "apps/v1 Deployment"-style names, for error messages and docs. */
export function supportedKinds(): string[] {
  return Object.keys(kindMessages);
}

export function descriptorFor(name: string): MessageDescriptor | undefined {
  return messages[name];
}

export * from './descriptor-types';
