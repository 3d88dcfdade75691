// Message tables for autoscaling/v1 HorizontalPodAutoscaler, which kubectl 1.32's `autoscale` POSTs
// as protobuf. Field numbers as published for release-1.32 (k8s.io/api/autoscaling/v1/generated.proto).
import { META, PTR, TIME, message, type MessageTable } from './descriptor-types';

export const AUTOSCALING_V1 = 'k8s.io.api.autoscaling.v1.';

export const autoscalingMessages: MessageTable = {
  [AUTOSCALING_V1 + 'CrossVersionObjectReference']: message(
    [1, 'kind', 'string'],
    [2, 'name', 'string'],
    [3, 'apiVersion', 'string'],
  ),
  [AUTOSCALING_V1 + 'HorizontalPodAutoscalerSpec']: message(
    [1, 'scaleTargetRef', AUTOSCALING_V1 + 'CrossVersionObjectReference'],
    [2, 'minReplicas', 'int32', PTR],
    [3, 'maxReplicas', 'int32'],
    [4, 'targetCPUUtilizationPercentage', 'int32', PTR],
  ),
  [AUTOSCALING_V1 + 'HorizontalPodAutoscalerStatus']: message(
    [1, 'observedGeneration', 'int64', PTR],
    [2, 'lastScaleTime', TIME, PTR],
    [3, 'currentReplicas', 'int32'],
    [4, 'desiredReplicas', 'int32'],
    [5, 'currentCPUUtilizationPercentage', 'int32', PTR],
  ),
  [AUTOSCALING_V1 + 'HorizontalPodAutoscaler']: message(
    [1, 'metadata', META + 'ObjectMeta'],
    [2, 'spec', AUTOSCALING_V1 + 'HorizontalPodAutoscalerSpec'],
    [3, 'status', AUTOSCALING_V1 + 'HorizontalPodAutoscalerStatus'],
  ),
};
