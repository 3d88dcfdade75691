// autoscaling/v2 HorizontalPodAutoscaler (the stored shape) and its autoscaling/v1 view.
// k8s: staging/src/k8s.io/api/autoscaling/v2/types.go, pkg/apis/autoscaling/v1/conversion.go
import type { KObject } from './types';

export interface CrossVersionObjectReference {
  apiVersion?: string;
  kind: string;
  name: string;
}

export interface MetricTarget {
  type: 'Utilization' | 'Value' | 'AverageValue';
  value?: string;
  averageValue?: string;
  averageUtilization?: number;
}

export interface MetricValueStatus {
  value?: string;
  averageValue?: string;
  averageUtilization?: number;
}

export interface ResourceMetricSource {
  name: string;
  target: MetricTarget;
}

export interface ContainerResourceMetricSource extends ResourceMetricSource {
  container: string;
}

export interface MetricSpec {
  type: 'Resource' | 'ContainerResource' | 'Pods' | 'Object' | 'External';
  resource?: ResourceMetricSource;
  containerResource?: ContainerResourceMetricSource;
  pods?: unknown;
  object?: unknown;
  external?: unknown;
}

export interface MetricStatus {
  type: MetricSpec['type'];
  resource?: { name: string; current: MetricValueStatus };
  containerResource?: { name: string; container: string; current: MetricValueStatus };
}

export interface HPAScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface HPAScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: HPAScalingPolicy[];
}

export interface HorizontalPodAutoscalerBehavior {
  scaleUp?: HPAScalingRules;
  scaleDown?: HPAScalingRules;
}

export interface HorizontalPodAutoscalerCondition {
  type: 'ScalingActive' | 'AbleToScale' | 'ScalingLimited';
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface HorizontalPodAutoscaler extends KObject {
  spec?: {
    scaleTargetRef: CrossVersionObjectReference;
    minReplicas?: number;
    maxReplicas: number;
    metrics?: MetricSpec[];
    behavior?: HorizontalPodAutoscalerBehavior;
  };
  status?: {
    observedGeneration?: number;
    lastScaleTime?: string;
    currentReplicas?: number;
    desiredReplicas?: number;
    currentMetrics?: MetricStatus[] | null;
    conditions?: HorizontalPodAutoscalerCondition[];
  };
}

/** autoscaling/v1 Scale: what the scale subresource of any scalable kind answers. */
export interface Scale extends KObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

export const HPA_V2 = 'autoscaling/v2';
export const HPA_V1 = 'autoscaling/v1';
/** Where autoscaling/v1 keeps what it cannot express (metrics other than CPU, conditions). */
const V1_METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
const V1_CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
const V1_CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
const V1_BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';

const isCpuUtilization = (m: MetricSpec) =>
  m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target.type === 'Utilization';

type V1Spec = {
  scaleTargetRef: CrossVersionObjectReference;
  minReplicas?: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage?: number;
};

/** v2 → v1: the CPU utilization target becomes targetCPUUtilizationPercentage; the rest rides in annotations. */
export function hpaToV1(o: KObject): KObject {
  const hpa = o as HorizontalPodAutoscaler;
  const annotations = { ...(hpa.metadata.annotations ?? {}) };
  const metrics = hpa.spec?.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length) annotations[V1_METRICS] = JSON.stringify(others);
  if (hpa.spec?.behavior) annotations[V1_BEHAVIOR] = JSON.stringify(hpa.spec.behavior);
  const st = hpa.status;
  const cpuNow = st?.currentMetrics?.find(
    (m) => m.type === 'Resource' && m.resource?.name === 'cpu',
  );
  const otherNow = (st?.currentMetrics ?? []).filter((m) => m !== cpuNow);
  if (otherNow.length) annotations[V1_CURRENT_METRICS] = JSON.stringify(otherNow);
  if (st?.conditions?.length) annotations[V1_CONDITIONS] = JSON.stringify(st.conditions);
  const spec: V1Spec | undefined = hpa.spec && {
    scaleTargetRef: hpa.spec.scaleTargetRef,
    minReplicas: hpa.spec.minReplicas,
    maxReplicas: hpa.spec.maxReplicas,
    ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource!.target.averageUtilization } : {}),
  };
  const status = st && {
    observedGeneration: st.observedGeneration,
    lastScaleTime: st.lastScaleTime,
    currentReplicas: st.currentReplicas ?? 0,
    desiredReplicas: st.desiredReplicas ?? 0,
    ...(cpuNow?.resource?.current.averageUtilization !== undefined
      ? { currentCPUUtilizationPercentage: cpuNow.resource.current.averageUtilization }
      : {}),
  };
  return {
    ...hpa,
    apiVersion: HPA_V1,
    metadata: {
      ...hpa.metadata,
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec,
    status,
  };
}

function takeJson<T>(annotations: Record<string, string>, key: string): T | undefined {
  const raw = annotations[key];
  delete annotations[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

/** v1 → v2: the inverse of hpaToV1. */
export function hpaFromV1(o: KObject): KObject {
  const spec = o.spec as V1Spec | undefined;
  const status = o.status as Record<string, unknown> | undefined;
  const annotations = { ...(o.metadata.annotations ?? {}) };
  const others = takeJson<MetricSpec[]>(annotations, V1_METRICS) ?? [];
  const behavior = takeJson<HorizontalPodAutoscalerBehavior>(annotations, V1_BEHAVIOR);
  const otherNow = takeJson<MetricStatus[]>(annotations, V1_CURRENT_METRICS) ?? [];
  const conditions = takeJson<HorizontalPodAutoscalerCondition[]>(annotations, V1_CONDITIONS);
  const metrics: MetricSpec[] = [
    ...(spec?.targetCPUUtilizationPercentage !== undefined
      ? [
          {
            type: 'Resource' as const,
            resource: {
              name: 'cpu',
              target: {
                type: 'Utilization' as const,
                averageUtilization: spec.targetCPUUtilizationPercentage,
              },
            },
          },
        ]
      : []),
    ...others,
  ];
  const cpuNow = status?.currentCPUUtilizationPercentage;
  const hpa: HorizontalPodAutoscaler = {
    ...o,
    apiVersion: HPA_V2,
    metadata: { ...o.metadata, annotations },
    spec: spec && {
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      ...(metrics.length ? { metrics } : {}),
      ...(behavior ? { behavior } : {}),
    },
    status: status && {
      observedGeneration: status.observedGeneration as number | undefined,
      lastScaleTime: status.lastScaleTime as string | undefined,
      currentReplicas: status.currentReplicas as number | undefined,
      desiredReplicas: status.desiredReplicas as number | undefined,
      currentMetrics: [
        ...(typeof cpuNow === 'number'
          ? [
              {
                type: 'Resource' as const,
                resource: { name: 'cpu', current: { averageUtilization: cpuNow } },
              },
            ]
          : []),
        ...otherNow,
      ],
      ...(conditions ? { conditions } : {}),
    },
  };
  if (!Object.keys(annotations).length) delete hpa.metadata.annotations;
  return hpa;
}
