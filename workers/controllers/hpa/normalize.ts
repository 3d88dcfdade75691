// From the metrics' recommendation to the replicas the HPA sets: stabilization windows, scaling
// policies, min/max, and the AbleToScale/ScalingLimited reasons that explain the result.
// k8s: pkg/controller/podautoscaler/horizontal.go (normalizeDesiredReplicas,
// normalizeDesiredReplicasWithBehaviors, stabilizeRecommendationWithBehaviors,
// convertDesiredReplicasWithBehaviorRate, calculateScaleUpLimitWithScalingRules,
// calculateScaleDownLimitWithBehaviors) and pkg/apis/autoscaling/v2/defaults.go.
import type {
  HPAScalingRules,
  HorizontalPodAutoscalerBehavior,
} from '../../../src/api/autoscaling';

/** --horizontal-pod-autoscaler-downscale-stabilization. */
export const DOWNSCALE_STABILIZATION_MS = 5 * 60_000;
/** Without behavior, one step may at most double the replicas, or reach 4. */
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

interface Sample {
  replicas: number;
  at: number;
}

interface ScaleEvent {
  change: number;
  at: number;
  outdated?: boolean;
}

/** What one HPA remembers between passes (kept by the leader, as upstream keeps it in memory). */
export interface HpaMemory {
  recommendations: Sample[];
  scaleUp: ScaleEvent[];
  scaleDown: ScaleEvent[];
}

export const newMemory = (): HpaMemory => ({ recommendations: [], scaleUp: [], scaleDown: [] });

export interface Decision {
  replicas: number;
  /** AbleToScale's reason and message: ReadyForNewScale, ScaleUpStabilized or ScaleDownStabilized. */
  able: { reason: string; message: string };
  /** ScalingLimited: whether the result was clamped, and why. */
  limited: { status: boolean; reason: string; message: string };
}

const READY = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const WITHIN = {
  reason: 'DesiredWithinRange',
  message: 'the desired count is within the acceptable range',
};
const TOO_FEW = {
  reason: 'TooFewReplicas',
  message: 'the desired replica count is less than the minimum replica count',
};
const TOO_MANY = {
  reason: 'TooManyReplicas',
  message: 'the desired replica count is more than the maximum replica count',
};
const UP_LIMIT = {
  reason: 'ScaleUpLimit',
  message: 'the desired replica count is increasing faster than the maximum scale rate',
};
const DOWN_LIMIT = {
  reason: 'ScaleDownLimit',
  message: 'the desired replica count is decreasing faster than the maximum scale rate',
};

/** autoscaling/v2 SetDefaults_HorizontalPodAutoscalerBehavior: GenerateHPAScaleUpRules. */
export function scaleUpRules(r: HPAScalingRules | undefined): Required<HPAScalingRules> {
  return {
    stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? 0,
    selectPolicy: r?.selectPolicy ?? 'Max',
    policies: r?.policies?.length
      ? r.policies
      : [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
  };
}

/** GenerateHPAScaleDownRules; the window defaults to the controller's 300 s. */
export function scaleDownRules(r: HPAScalingRules | undefined): Required<HPAScalingRules> {
  return {
    stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? DOWNSCALE_STABILIZATION_MS / 1000,
    selectPolicy: r?.selectPolicy ?? 'Max',
    policies: r?.policies?.length
      ? r.policies
      : [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

function changeInPeriod(events: ScaleEvent[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.filter((e) => !e.outdated && e.at > cutoff).reduce((a, e) => a + e.change, 0);
}

function scaleUpLimit(
  current: number,
  m: HpaMemory,
  rules: Required<HPAScalingRules>,
  now: number,
) {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const p of rules.policies) {
    const start =
      current -
      changeInPeriod(m.scaleUp, p.periodSeconds, now) +
      changeInPeriod(m.scaleDown, p.periodSeconds, now);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

function scaleDownLimit(
  current: number,
  m: HpaMemory,
  rules: Required<HPAScalingRules>,
  now: number,
) {
  if (rules.selectPolicy === 'Disabled') return current;
  // Min picks the policy that removes the fewest pods: the highest floor.
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const p of rules.policies) {
    const start =
      current -
      changeInPeriod(m.scaleUp, p.periodSeconds, now) +
      changeInPeriod(m.scaleDown, p.periodSeconds, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

export interface NormalizeInput {
  behavior?: HorizontalPodAutoscalerBehavior;
  current: number;
  /** The metrics' recommendation. */
  desired: number;
  min: number;
  max: number;
  now: number;
}

/** Without behavior: a 5-minute downscale window and at most doubling (or 4) per step. */
function normalizePlain(m: HpaMemory, i: NormalizeInput): Decision {
  const cutoff = i.now - DOWNSCALE_STABILIZATION_MS;
  let stabilized = i.desired;
  let reused = -1;
  m.recommendations.forEach((r, idx) => {
    if (r.at > cutoff) stabilized = Math.max(stabilized, r.replicas);
    else reused = idx;
  });
  const sample = { replicas: i.desired, at: i.now };
  if (reused >= 0) m.recommendations[reused] = sample;
  else m.recommendations.push(sample);
  const able =
    stabilized !== i.desired
      ? {
          reason: 'ScaleDownStabilized',
          message:
            'recent recommendations were higher than current one, applying the highest recent recommendation',
        }
      : READY;
  const upLimit = Math.max(SCALE_UP_LIMIT_FACTOR * i.current, SCALE_UP_LIMIT_MINIMUM);
  const [maxAllowed, overMax] = i.max > upLimit ? [upLimit, UP_LIMIT] : [i.max, TOO_MANY];
  let replicas = stabilized;
  let why = WITHIN;
  if (stabilized < i.min) [replicas, why] = [i.min, TOO_FEW];
  else if (stabilized > maxAllowed) [replicas, why] = [maxAllowed, overMax];
  return { replicas, able, limited: { status: replicas !== stabilized, ...why } };
}

function normalizeWithBehavior(m: HpaMemory, i: NormalizeInput): Decision {
  const up = scaleUpRules(i.behavior!.scaleUp);
  const down = scaleDownRules(i.behavior!.scaleDown);
  // Stabilization: the lowest recent recommendation going up, the highest going down.
  const goingUp = i.desired >= i.current;
  const window = (goingUp ? up : down).stabilizationWindowSeconds * 1000;
  const longest = Math.max(up.stabilizationWindowSeconds, down.stabilizationWindowSeconds) * 1000;
  const better = goingUp ? Math.min : Math.max;
  let stabilized = i.desired;
  let reused = -1;
  m.recommendations.forEach((r, idx) => {
    if (r.at > i.now - window) stabilized = better(r.replicas, stabilized);
    if (r.at < i.now - longest) reused = idx;
  });
  const sample = { replicas: i.desired, at: i.now };
  if (reused >= 0) m.recommendations[reused] = sample;
  else m.recommendations.push(sample);
  const able =
    stabilized === i.desired
      ? READY
      : goingUp
        ? {
            reason: 'ScaleUpStabilized',
            message:
              'recent recommendations were lower than current one, applying the lowest recent recommendation',
          }
        : {
            reason: 'ScaleDownStabilized',
            message:
              'recent recommendations were higher than current one, applying the highest recent recommendation',
          };
  let replicas = stabilized;
  let why = WITHIN;
  if (stabilized > i.current) {
    const limit = Math.max(scaleUpLimit(i.current, m, up, i.now), i.current);
    const [maxAllowed, over] = i.max > limit ? [limit, UP_LIMIT] : [i.max, TOO_MANY];
    if (stabilized > maxAllowed) [replicas, why] = [maxAllowed, over];
  } else if (stabilized < i.current) {
    const limit = Math.min(scaleDownLimit(i.current, m, down, i.now), i.current);
    const [minAllowed, under] = i.min < limit ? [limit, DOWN_LIMIT] : [i.min, TOO_FEW];
    if (stabilized < minAllowed) [replicas, why] = [minAllowed, under];
  }
  return { replicas, able, limited: { status: replicas !== stabilized, ...why } };
}

export function normalize(m: HpaMemory, i: NormalizeInput): Decision {
  return i.behavior ? normalizeWithBehavior(m, i) : normalizePlain(m, i);
}

/** storeScaleEvent: with behavior, each rescale is remembered for the policies' periods. */
export function recordScale(
  m: HpaMemory,
  behavior: HorizontalPodAutoscalerBehavior | undefined,
  from: number,
  to: number,
  now: number,
): void {
  if (!behavior || from === to) return;
  const up = to > from;
  const rules = up ? scaleUpRules(behavior.scaleUp) : scaleDownRules(behavior.scaleDown);
  const longest = Math.max(...rules.policies.map((p) => p.periodSeconds)) * 1000;
  const list = up ? m.scaleUp : m.scaleDown;
  for (const e of list) if (e.at < now - longest) e.outdated = true;
  const event = { change: Math.abs(to - from), at: now };
  const slot = list.findIndex((e) => e.outdated);
  if (slot >= 0) list[slot] = event;
  else list.push(event);
}
