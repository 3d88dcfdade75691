// HorizontalPodAutoscaler rows; k8s: pkg/printers/internalversion/printers.go
// printHorizontalPodAutoscaler and formatHPAMetrics (release-1.32).
import type { MetricSpec, MetricStatus } from '../../api/autoscaling';
import { translateTimestampSince } from './age';
import { AGE_COLUMN, NAME_COLUMN, column, int, rec, type Printer } from './types';

const columns = [
  NAME_COLUMN,
  column('Reference', 'Reference to the object whose scale this HPA sets.'),
  column('Targets', 'Current and target value of each metric.'),
  column('MinPods', 'Lower limit for the number of pods.'),
  column('MaxPods', 'Upper limit for the number of pods.', { type: 'integer' }),
  column('Replicas', 'Current number of replicas of pods managed by this autoscaler.', {
    type: 'integer',
  }),
  AGE_COLUMN,
];

/** Up to two metrics, "cpu: 40%/80%" or "memory: 120Mi/200Mi", then "+ N more...". */
export function formatHPAMetrics(specs: MetricSpec[], statuses: MetricStatus[]): string {
  if (specs.length === 0) return '<none>';
  const list = specs.map((spec, i) => {
    const src =
      spec.type === 'Resource'
        ? spec.resource
        : spec.type === 'ContainerResource'
          ? spec.containerResource
          : undefined;
    if (!src) return '<unknown type>';
    const st = statuses[i]?.resource ?? statuses[i]?.containerResource;
    if (src.target.averageValue !== undefined)
      return `${src.name}: ${st?.current.averageValue ?? '<unknown>'}/${src.target.averageValue}`;
    const current =
      st?.current.averageUtilization !== undefined
        ? `${st.current.averageUtilization}%`
        : '<unknown>';
    const target =
      src.target.averageUtilization !== undefined ? `${src.target.averageUtilization}%` : '<auto>';
    return `${src.name}: ${current}/${target}`;
  });
  const shown = list.slice(0, 2).join(', ');
  return list.length > 2 ? `${shown} + ${list.length - 2} more...` : shown;
}

export const horizontalPodAutoscalerPrinter: Printer = {
  columns,
  cells(hpa, now) {
    const spec = rec(hpa.spec);
    const status = rec(hpa.status);
    const ref = rec(spec.scaleTargetRef);
    return [
      hpa.metadata.name ?? '',
      `${ref.kind ?? ''}/${ref.name ?? ''}`,
      formatHPAMetrics(
        (spec.metrics as MetricSpec[] | undefined) ?? [],
        (status.currentMetrics as MetricStatus[] | undefined) ?? [],
      ),
      spec.minReplicas !== undefined ? String(spec.minReplicas) : '<unset>',
      int(spec.maxReplicas),
      int(status.currentReplicas),
      translateTimestampSince(hpa.metadata.creationTimestamp, now),
    ];
  },
};
