// HorizontalPodAutoscaler defaults (applied to the stored autoscaling/v2 shape).
// k8s: pkg/apis/autoscaling/v2/defaults.go SetDefaults_HorizontalPodAutoscaler (minReplicas 1, CPU at
// 80% when no metric is given, behavior rules filled in only when behavior is set).
import type { KObject } from '../../api/types';
import { isSet, objOf, type Obj } from '../validate/fields';

const DEFAULT_CPU_UTILIZATION = 80;

function fillRules(rules: Obj | undefined, up: boolean): Obj {
  const r = rules ?? {};
  if (!isSet(r.stabilizationWindowSeconds) && up) r.stabilizationWindowSeconds = 0;
  if (!isSet(r.selectPolicy)) r.selectPolicy = 'Max';
  if (!Array.isArray(r.policies) || r.policies.length === 0)
    r.policies = up
      ? [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ]
      : [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  return r;
}

export function defaultHorizontalPodAutoscaler(hpa: KObject): void {
  const spec = objOf(hpa.spec);
  hpa.spec = spec;
  if (!isSet(spec.minReplicas)) spec.minReplicas = 1;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0)
    spec.metrics = [
      {
        type: 'Resource',
        resource: {
          name: 'cpu',
          target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION },
        },
      },
    ];
  if (isSet(spec.behavior)) {
    const b = objOf(spec.behavior);
    // The scale-down window stays unset: the controller applies its own default (300 s).
    b.scaleUp = fillRules(isSet(b.scaleUp) ? objOf(b.scaleUp) : undefined, true);
    b.scaleDown = fillRules(isSet(b.scaleDown) ? objOf(b.scaleDown) : undefined, false);
    spec.behavior = b;
  }
}
