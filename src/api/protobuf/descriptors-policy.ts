// Message tables for policy/v1 PodDisruptionBudget, which `kubectl create poddisruptionbudget` POSTs
// as protobuf. Field numbers as published for release-1.32 (k8s.io/api/policy/v1/generated.proto).
import {
  INT_OR_STRING,
  MAP,
  META,
  PTR,
  REP,
  TIME,
  message,
  type MessageTable,
} from './descriptor-types';

export const POLICY_V1 = 'k8s.io.api.policy.v1.';

export const policyMessages: MessageTable = {
  [POLICY_V1 + 'PodDisruptionBudgetSpec']: message(
    [1, 'minAvailable', INT_OR_STRING, PTR],
    [2, 'selector', META + 'LabelSelector', PTR],
    [3, 'maxUnavailable', INT_OR_STRING, PTR],
    [4, 'unhealthyPodEvictionPolicy', 'string', PTR],
  ),
  [POLICY_V1 + 'PodDisruptionBudgetStatus']: message(
    [1, 'observedGeneration', 'int64'],
    [2, 'disruptedPods', TIME, MAP],
    [3, 'disruptionsAllowed', 'int32'],
    [4, 'currentHealthy', 'int32'],
    [5, 'desiredHealthy', 'int32'],
    [6, 'expectedPods', 'int32'],
    [7, 'conditions', META + 'Condition', REP],
  ),
  [POLICY_V1 + 'PodDisruptionBudget']: message(
    [1, 'metadata', META + 'ObjectMeta'],
    [2, 'spec', POLICY_V1 + 'PodDisruptionBudgetSpec'],
    [3, 'status', POLICY_V1 + 'PodDisruptionBudgetStatus'],
  ),
};
