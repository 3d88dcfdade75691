// HorizontalPodAutoscaler controller: every sync period, reads the target's scale and its pods' use
// from metrics.k8s.io, computes the replicas each metric asks for, stabilizes and rate-limits the
// result, scales the target and reports status, conditions and events.
// k8s: pkg/controller/podautoscaler/horizontal.go (reconcileAutoscaler, computeReplicasForMetrics)
import {
  HPA_V2,
  type HorizontalPodAutoscaler,
  type HorizontalPodAutoscalerCondition,
  type MetricSpec,
  type MetricStatus,
} from '../../../src/api/autoscaling';
import type { Pod } from '../../../src/api/core';
import { isConflict, isNotFound } from '../../../src/client/errors';
import { parseLabelSelector } from '../../../src/lib/labels';
import { formatCpuMilli, parseQuantity } from '../../../src/lib/quantity';
import { rfc3339 } from '../../../src/lib/time';
import { namespaceOf } from '../../shared/cache';
import { managerOf, type KeyedContext, type KeyedControllerDef } from '../framework';
import { setCondition } from './conditions';
import { podMetrics } from './metrics';
import { newMemory, normalize, recordScale, type HpaMemory } from './normalize';
import { resourceReplicas, type Recommendation } from './replica-calculator';
import { getScale, targetResource, updateScale } from './target';

const HPA = 'autoscaling/v2/horizontalpodautoscalers';
const NAME = 'horizontal-pod-autoscaler';
const MANAGER = managerOf({ name: NAME });

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

interface MetricResult {
  rec: Recommendation;
  name: string;
  status: MetricStatus;
}

/** One metric's recommendation; only resource metrics exist without a custom metrics API. */
async function computeMetric(
  ctx: KeyedContext,
  spec: MetricSpec,
  ns: string,
  selector: string,
  pods: Pod[],
  current: number,
): Promise<MetricResult> {
  const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
  if ((spec.type !== 'Resource' && spec.type !== 'ContainerResource') || !src)
    throw new Error(
      `${spec.type} metrics need a custom or external metrics API, which edgeplane does not serve`,
    );
  const container =
    spec.type === 'ContainerResource' ? spec.containerResource!.container : undefined;
  const what = `${src.name}${container ? ' container' : ''} resource`;
  let metrics;
  try {
    metrics = await podMetrics(ctx.client, ns, selector, src.name, container);
  } catch (e) {
    throw new Error(`failed to get ${src.name} utilization: ${message(e)}`);
  }
  const input = {
    resource: src.name,
    container,
    pods,
    metrics,
    currentReplicas: current,
    now: ctx.now(),
  };
  const utilization = src.target.averageUtilization;
  if (src.target.type === 'Utilization' && utilization !== undefined) {
    const rec = resourceReplicas(input, { utilization });
    const current = {
      averageUtilization: rec.utilization,
      averageValue: formatCpuMilli(rec.averageValue),
    };
    return {
      rec,
      name: `${what} utilization (percentage of request)`,
      status: container
        ? { type: spec.type, containerResource: { name: src.name, container, current } }
        : { type: spec.type, resource: { name: src.name, current } },
    };
  }
  const target = parseQuantity(src.target.averageValue ?? '0').milli();
  const rec = resourceReplicas(input, { averageValue: target });
  const cur = { averageValue: formatCpuMilli(rec.averageValue) };
  return {
    rec,
    name: what,
    status: container
      ? { type: spec.type, containerResource: { name: src.name, container, current: cur } }
      : { type: spec.type, resource: { name: src.name, current: cur } },
  };
}

async function reconcileAutoscaler(ctx: KeyedContext, hpa: HorizontalPodAutoscaler, m: HpaMemory) {
  const now = ctx.now();
  const ns = hpa.metadata.namespace ?? '';
  const spec = hpa.spec!;
  const obj = { ...hpa, apiVersion: HPA_V2, kind: 'HorizontalPodAutoscaler' };
  const conditions: HorizontalPodAutoscalerCondition[] = structuredClone(
    hpa.status?.conditions ?? [],
  );
  const cond = (t: HorizontalPodAutoscalerCondition['type'], s: boolean, r: string, msg: string) =>
    setCondition(conditions, t, s, r, msg, now);
  const event = (type: 'Normal' | 'Warning', reason: string, msg: string) =>
    ctx.recorder.event(obj, type, reason, msg).catch(() => undefined);
  const status: NonNullable<HorizontalPodAutoscaler['status']> = {
    ...(hpa.status ?? {}),
    observedGeneration: hpa.metadata.generation,
    currentReplicas: hpa.status?.currentReplicas ?? 0,
    desiredReplicas: hpa.status?.desiredReplicas ?? 0,
  };
  const write = async () => {
    status.conditions = conditions;
    if (JSON.stringify(status) === JSON.stringify(hpa.status)) return;
    await ctx.client.updateStatus(
      HPA,
      { ...obj, status },
      { namespace: ns, fieldManager: MANAGER },
    );
  };

  const ref = spec.scaleTargetRef;
  let info;
  let scale;
  try {
    info = await targetResource(ctx.client, ref);
    scale = await getScale(ctx.client, info, ns, ref.name);
  } catch (e) {
    const why = `the HPA controller was unable to get the target's current scale: ${message(e)}`;
    cond('AbleToScale', false, 'FailedGetScale', why);
    await event('Warning', 'FailedGetScale', message(e));
    await write();
    return;
  }
  cond(
    'AbleToScale',
    true,
    'SucceededGetScale',
    "the HPA controller was able to get the target's current scale",
  );
  const current = scale.spec?.replicas ?? 0;
  status.currentReplicas = scale.status?.replicas ?? current;
  const min = spec.minReplicas ?? 1;
  const max = spec.maxReplicas;
  let desired = current;
  let reason = '';
  if (current === 0 && min !== 0) {
    desired = 0;
    cond(
      'ScalingActive',
      false,
      'ScalingDisabled',
      'scaling is disabled since the replica count of the target is zero',
    );
  } else if (current > max) {
    reason = 'Current number of replicas above Spec.MaxReplicas';
    desired = max;
  } else if (current < min) {
    reason = 'Current number of replicas below Spec.MinReplicas';
    desired = min;
  } else {
    const selector = scale.status?.selector ?? '';
    let pods: Pod[];
    try {
      const sel = parseLabelSelector(selector);
      pods = ctx.cache
        .kind<Pod>('pods')
        .byIndex('namespace', ns)
        .filter((p) => sel.matches(p.metadata.labels));
    } catch (e) {
      cond(
        'ScalingActive',
        false,
        'InvalidSelector',
        `the HPA target's scale has an invalid selector: ${message(e)}`,
      );
      await event('Warning', 'InvalidSelector', message(e));
      await write();
      return;
    }
    const metrics = spec.metrics ?? [];
    const statuses: MetricStatus[] = [];
    let best: MetricResult | undefined;
    let firstError: string | undefined;
    let invalid = 0;
    for (const metric of metrics) {
      try {
        const r = await computeMetric(ctx, metric, ns, selector, pods, current);
        statuses.push(r.status);
        if (!best || r.rec.replicas > best.rec.replicas) best = r;
      } catch (e) {
        invalid++;
        statuses.push({ type: metric.type });
        firstError ??= message(e);
      }
    }
    status.currentMetrics = statuses;
    if (!best || (invalid > 0 && best.rec.replicas < current)) {
      const err = `invalid metrics (${invalid} invalid out of ${metrics.length}), first error is: ${firstError}`;
      cond(
        'ScalingActive',
        false,
        'FailedGetResourceMetric',
        `the HPA was unable to compute the replica count: ${firstError}`,
      );
      await event('Warning', 'FailedGetResourceMetric', firstError ?? err);
      await event('Warning', 'FailedComputeMetricsReplicas', err);
      status.desiredReplicas = current;
      await write();
      return;
    }
    cond(
      'ScalingActive',
      true,
      'ValidMetricFound',
      `the HPA was able to successfully calculate a replica count from ${best.name}`,
    );
    const d = normalize(m, {
      behavior: spec.behavior,
      current,
      desired: best.rec.replicas,
      min,
      max,
      now,
    });
    cond('AbleToScale', true, d.able.reason, d.able.message);
    cond('ScalingLimited', d.limited.status, d.limited.reason, d.limited.message);
    desired = d.replicas;
    reason = desired > current ? `${best.name} above target` : 'All metrics below target';
  }
  status.desiredReplicas = desired;
  if (desired !== current && !(current === 0 && min !== 0)) {
    try {
      await updateScale(ctx.client, info, scale, desired);
    } catch (e) {
      cond(
        'AbleToScale',
        false,
        'FailedUpdateScale',
        `the HPA controller was unable to update the target scale: ${message(e)}`,
      );
      await event(
        'Warning',
        'FailedRescale',
        `New size: ${desired}; reason: ${reason}; error: ${message(e)}`,
      );
      await write();
      return;
    }
    await event('Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
    cond(
      'AbleToScale',
      true,
      'SucceededRescale',
      `the HPA controller was able to update the target scale to ${desired}`,
    );
    recordScale(m, spec.behavior, current, desired, now);
    status.lastScaleTime = rfc3339(now);
  }
  await write();
}

/** One per leader: the recommendations and scale events it remembers live as long as it does, as upstream's. */
export function hpaController(): KeyedControllerDef {
  const memory = new Map<string, HpaMemory>();
  // Its own status writes (and any other change) enqueue the key again: it still runs only once per
  // sync period, unless the spec changed.
  const lastSync = new Map<string, { at: number; generation?: number }>();
  return {
    name: NAME,
    reconciles: HPA,
    reads: [HPA, 'pods'],
    indexes: [{ resource: 'pods', name: 'namespace', fn: namespaceOf }],
    async reconcile(ctx, key) {
      const hpa = ctx.cache.kind<HorizontalPodAutoscaler>(HPA).get(key);
      if (!hpa || hpa.metadata.deletionTimestamp || !hpa.spec) {
        memory.delete(key);
        lastSync.delete(key);
        return;
      }
      const last = lastSync.get(key);
      const now = ctx.now();
      // --horizontal-pod-autoscaler-sync-period (the controllers Worker's HPA_SYNC_PERIOD).
      const period = ctx.config.hpaSyncPeriodMs;
      if (last && last.generation === hpa.metadata.generation && now - last.at < period)
        return { requeueAfterMs: last.at + period - now };
      lastSync.set(key, { at: now, generation: hpa.metadata.generation });
      const m = memory.get(key) ?? newMemory();
      memory.set(key, m);
      try {
        await reconcileAutoscaler(ctx, hpa, m);
      } catch (e) {
        if (isNotFound(e) || isConflict(e)) return { requeueAfterMs: 1000 };
        throw e;
      }
      return { requeueAfterMs: period };
    },
  };
}
