// Schemas of autoscaling/v2 and autoscaling/v1 HorizontalPodAutoscaler (names and fields as upstream's).
import {
  META,
  type Schema,
  any,
  atomic,
  gvk,
  int32,
  int64,
  kind,
  list,
  obj,
  quantity,
  ref,
  str,
  time,
} from './dsl';

const V2 = 'io.k8s.api.autoscaling.v2.';
const V1 = 'io.k8s.api.autoscaling.v1.';

const crossRef = (desc: string): Schema =>
  obj(
    desc,
    {
      apiVersion: str('API version of the referent.'),
      kind: str('Kind of the referent.'),
      name: str('Name of the referent.'),
    },
    { required: ['kind', 'name'], atomic: true },
  );

const metricValue = (desc: string) =>
  obj(desc, {
    averageUtilization: int32(
      'Average of the resource over all pods, as a percentage of their requests.',
    ),
    averageValue: quantity('Average value over all pods.'),
    value: quantity('Value of the metric, as a quantity.'),
  });

const rules = obj('How the HPA scales in one direction.', {
  policies: atomic(ref(V2 + 'HPAScalingPolicy'), 'Policies; selectPolicy picks among them.'),
  selectPolicy: str('Which policy applies: Max (default), Min or Disabled.'),
  stabilizationWindowSeconds: int32('Past recommendations considered while scaling (0 to 3600).'),
});

export const autoscalingDefs: Record<string, Schema> = {
  [V2 + 'CrossVersionObjectReference']: crossRef('The object whose scale the HPA sets.'),
  [V2 + 'MetricTarget']: obj(
    'The target of a metric: a value, an average value or an average utilization.',
    {
      averageUtilization: int32(
        'Target average utilization, percent of request (Resource metrics).',
      ),
      averageValue: quantity('Target average value over all pods.'),
      type: str('Utilization, Value or AverageValue.'),
      value: quantity('Target value.'),
    },
    { required: ['type'] },
  ),
  [V2 + 'MetricValueStatus']: metricValue('The current value of a metric.'),
  [V2 + 'ResourceMetricSource']: obj(
    'A resource (cpu, memory) of the pods, as metrics.k8s.io reports it.',
    { name: str('Name of the resource.'), target: ref(V2 + 'MetricTarget', 'The target value.') },
    { required: ['name', 'target'] },
  ),
  [V2 + 'ContainerResourceMetricSource']: obj(
    'A resource of one container of each pod.',
    {
      container: str('Name of the container.'),
      name: str('Name of the resource.'),
      target: ref(V2 + 'MetricTarget', 'The target value.'),
    },
    { required: ['name', 'target', 'container'] },
  ),
  [V2 + 'MetricSpec']: obj(
    'One metric to scale on.',
    {
      containerResource: ref(V2 + 'ContainerResourceMetricSource', 'A container resource metric.'),
      external: any('An external metric (needs an external metrics API).'),
      object: any('A metric of another object (needs a custom metrics API).'),
      pods: any('A per-pod custom metric (needs a custom metrics API).'),
      resource: ref(V2 + 'ResourceMetricSource', 'A resource metric.'),
      type: str('Resource, ContainerResource, Pods, Object or External.'),
    },
    { required: ['type'] },
  ),
  [V2 + 'MetricStatus']: obj(
    'The last read state of one metric.',
    {
      containerResource: obj('Current value of a container resource metric.', {
        container: str('Name of the container.'),
        current: ref(V2 + 'MetricValueStatus'),
        name: str('Name of the resource.'),
      }),
      resource: obj('Current value of a resource metric.', {
        current: ref(V2 + 'MetricValueStatus'),
        name: str('Name of the resource.'),
      }),
      type: str('The metric source type.'),
    },
    { required: ['type'] },
  ),
  [V2 + 'HPAScalingPolicy']: obj(
    'One change allowed over a period.',
    {
      periodSeconds: int32('Window of the policy, 1 to 1800 seconds.'),
      type: str('Pods or Percent.'),
      value: int32('Amount of change allowed (greater than zero).'),
    },
    { required: ['type', 'value', 'periodSeconds'] },
  ),
  [V2 + 'HPAScalingRules']: rules,
  [V2 + 'HorizontalPodAutoscalerBehavior']: obj('Scaling behavior up and down.', {
    scaleDown: ref(V2 + 'HPAScalingRules', 'Rules for scaling down (window 300 s by default).'),
    scaleUp: ref(V2 + 'HPAScalingRules', 'Rules for scaling up.'),
  }),
  [V2 + 'HorizontalPodAutoscalerCondition']: obj(
    'A condition of the HPA.',
    {
      lastTransitionTime: time('Last time the condition changed status.'),
      message: str('Human-readable detail.'),
      reason: str('Machine-readable reason.'),
      status: str('True, False or Unknown.'),
      type: str('AbleToScale, ScalingActive or ScalingLimited.'),
    },
    { required: ['type', 'status'] },
  ),
  [V2 + 'HorizontalPodAutoscalerSpec']: obj(
    'What to scale, between which bounds, on which metrics.',
    {
      behavior: ref(V2 + 'HorizontalPodAutoscalerBehavior', 'Scaling behavior.'),
      maxReplicas: int32('Upper limit of replicas.'),
      metrics: atomic(ref(V2 + 'MetricSpec'), 'Metrics; the highest recommendation wins.'),
      minReplicas: int32('Lower limit of replicas (default 1).'),
      scaleTargetRef: ref(V2 + 'CrossVersionObjectReference', 'The object to scale.'),
    },
    { required: ['scaleTargetRef', 'maxReplicas'] },
  ),
  [V2 + 'HorizontalPodAutoscalerStatus']: obj('The last observed state of the HPA.', {
    conditions: list(ref(V2 + 'HorizontalPodAutoscalerCondition'), {
      desc: 'Conditions.',
      listType: 'map',
      mapKeys: ['type'],
      mergeKey: 'type',
      strategy: 'merge',
    }),
    currentMetrics: atomic(ref(V2 + 'MetricStatus'), 'Last read state of the metrics.'),
    currentReplicas: int32('Current number of replicas.'),
    desiredReplicas: int32('Desired number of replicas as last computed.'),
    lastScaleTime: time('Last time the HPA scaled.'),
    observedGeneration: int64('Most recent generation observed.'),
  }),
  [V2 + 'HorizontalPodAutoscaler']: kind(
    'Scales a workload between bounds on its pods\u2019 metrics.',
    gvk('autoscaling', 'v2', 'HorizontalPodAutoscaler'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(V2 + 'HorizontalPodAutoscalerSpec', 'The desired behavior.'),
      status: ref(V2 + 'HorizontalPodAutoscalerStatus', 'The current state.'),
    },
  ),
  [V1 + 'CrossVersionObjectReference']: crossRef('The object whose scale the HPA sets.'),
  [V1 + 'HorizontalPodAutoscalerSpec']: obj(
    'What to scale, between which bounds, at which CPU utilization.',
    {
      maxReplicas: int32('Upper limit of replicas.'),
      minReplicas: int32('Lower limit of replicas (default 1).'),
      scaleTargetRef: ref(V1 + 'CrossVersionObjectReference', 'The object to scale.'),
      targetCPUUtilizationPercentage: int32('Target average CPU utilization, percent of request.'),
    },
    { required: ['scaleTargetRef', 'maxReplicas'] },
  ),
  [V1 + 'HorizontalPodAutoscalerStatus']: obj(
    'The last observed state of the HPA.',
    {
      currentCPUUtilizationPercentage: int32(
        'Current average CPU utilization, percent of request.',
      ),
      currentReplicas: int32('Current number of replicas.'),
      desiredReplicas: int32('Desired number of replicas.'),
      lastScaleTime: time('Last time the HPA scaled.'),
      observedGeneration: int64('Most recent generation observed.'),
    },
    { required: ['currentReplicas', 'desiredReplicas'] },
  ),
  [V1 + 'HorizontalPodAutoscaler']: kind(
    'Scales a workload between bounds on its pods\u2019 CPU utilization.',
    gvk('autoscaling', 'v1', 'HorizontalPodAutoscaler'),
    {
      metadata: ref(META + 'ObjectMeta', 'Standard object metadata.'),
      spec: ref(V1 + 'HorizontalPodAutoscalerSpec', 'The desired behavior.'),
      status: ref(V1 + 'HorizontalPodAutoscalerStatus', 'The current state.'),
    },
  ),
};
