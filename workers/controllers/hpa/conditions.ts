// HPA status conditions: set one, keeping its lastTransitionTime while its status stays the same.
import type { HorizontalPodAutoscalerCondition } from '../../../src/api/autoscaling';
import { rfc3339 } from '../../../src/lib/time';

type Type = HorizontalPodAutoscalerCondition['type'];
const ORDER: Type[] = ['AbleToScale', 'ScalingActive', 'ScalingLimited'];

export function setCondition(
  list: HorizontalPodAutoscalerCondition[],
  type: Type,
  status: boolean,
  reason: string,
  message: string,
  now: number,
): void {
  const next: HorizontalPodAutoscalerCondition = {
    type,
    status: status ? 'True' : 'False',
    lastTransitionTime: rfc3339(now),
    reason,
    message,
  };
  const i = list.findIndex((c) => c.type === type);
  if (i < 0) {
    list.push(next);
    list.sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
    return;
  }
  if (list[i].status === next.status) next.lastTransitionTime = list[i].lastTransitionTime;
  list[i] = next;
}
