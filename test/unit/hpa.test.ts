// The HPA's arithmetic, as upstream's replica_calculator_test.go and horizontal_test.go pin it:
// ratio and tolerance, missing and unready pods, stabilization windows, policies and limits.
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/core';
import {
  normalize,
  newMemory,
  recordScale,
  DOWNSCALE_STABILIZATION_MS,
} from '../../workers/controllers/hpa/normalize';
import { resourceReplicas, type PodMetric } from '../../workers/controllers/hpa/replica-calculator';
import { formatHPAMetrics } from '../../src/registry/tables/horizontalpodautoscalers';
import { hpaFromV1, hpaToV1 } from '../../src/api/autoscaling';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const LONG_AGO = new Date(NOW - 10 * 60_000).toISOString();

function pod(name: string, opts: { phase?: string; ready?: boolean; request?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'd' },
    spec: {
      containers: [{ name: 'c', resources: { requests: { cpu: opts.request ?? '1' } } }],
    },
    status: {
      phase: opts.phase ?? 'Running',
      startTime: LONG_AGO,
      conditions: [
        {
          type: 'Ready',
          status: opts.ready === false ? 'False' : 'True',
          lastTransitionTime: LONG_AGO,
        },
      ],
    },
  } as Pod;
}

const metric = (milli: number): PodMetric => ({
  value: milli,
  timestamp: NOW - 1000,
  windowMs: 15_000,
});

function calc(pods: Pod[], usage: Record<string, number>, current: number, utilization = 50) {
  return resourceReplicas(
    {
      resource: 'cpu',
      pods,
      metrics: new Map(Object.entries(usage).map(([k, v]) => [k, metric(v)])),
      currentReplicas: current,
      now: NOW,
    },
    { utilization },
  );
}

describe('replica calculator', () => {
  it('scales by ceil(current utilization / target × ready pods)', () => {
    const r = calc([pod('a'), pod('b')], { a: 900, b: 900 }, 2);
    expect(r).toMatchObject({ replicas: 4, utilization: 90, averageValue: 900 });
  });

  it('stays within the 10% tolerance', () => {
    expect(calc([pod('a'), pod('b')], { a: 540, b: 540 }, 2).replicas).toBe(2);
    expect(calc([pod('a'), pod('b')], { a: 560, b: 560 }, 2).replicas).toBe(3);
  });

  it('refuses pods without a request for the resource', () => {
    const p = pod('a');
    delete (p.spec!.containers![0] as { resources?: unknown }).resources;
    expect(() => calc([p], { a: 100 }, 1)).toThrow(
      'missing request for cpu in container c of Pod a',
    );
  });

  it('assumes missing pods at 100% of their request when scaling down, and at 0 when scaling up', () => {
    // Down: a and b at 10% want 1 replica; c without metrics counts as fully used: 40% → ceil(0.8×3)=3.
    expect(calc([pod('a'), pod('b'), pod('c')], { a: 100, b: 100 }, 3).replicas).toBe(3);
    // Up: a at 200% wants more; b missing counts as 0: (200+0)/2 = 100% → ceil(2×2) = 4.
    expect(calc([pod('a'), pod('b')], { a: 2000 }, 2).replicas).toBe(4);
  });

  it('counts unready pods as 0 when scaling up, and ignores deleted and failed pods', () => {
    const pods = [pod('a'), pod('b', { ready: false }), pod('c', { phase: 'Failed' })];
    // a at 100% of request against 50%: ratio 2; b unready at 0 → 50% → no change.
    expect(calc(pods, { a: 1000, b: 1000, c: 5000 }, 3).replicas).toBe(3);
    expect(calc([pod('a'), pod('p', { phase: 'Pending' })], { a: 1500 }, 2).replicas).toBe(3);
  });

  it('ignores a starting pod sampled before a whole window after it became ready', () => {
    const p = pod('new');
    p.status!.startTime = new Date(NOW - 10_000).toISOString();
    p.status!.conditions![0].lastTransitionTime = new Date(NOW - 5_000).toISOString();
    // new's sample (NOW-1s) is within 15 s of its readiness: unready, counted as 0 while scaling up.
    expect(calc([pod('a'), p], { a: 1000, new: 5000 }, 2).replicas).toBe(2);
  });

  it('scales on an average value target', () => {
    const r = resourceReplicas(
      {
        resource: 'memory',
        pods: [pod('a'), pod('b')],
        metrics: new Map([
          ['a', metric(300e3)],
          ['b', metric(300e3)],
        ]),
        currentReplicas: 2,
        now: NOW,
      },
      { averageValue: 100e3 },
    );
    expect(r.replicas).toBe(6);
  });

  it('fails with no metrics, as upstream', () => {
    expect(() => calc([pod('a')], {}, 1)).toThrow(
      'did not receive metrics for targeted pods (pods might be unready)',
    );
  });
});

describe('normalization', () => {
  it('without behavior: a 5-minute scale-down window, and at most double (or 4) per step', () => {
    const m = newMemory();
    const up = normalize(m, { current: 2, desired: 20, min: 1, max: 10, now: NOW });
    expect(up).toMatchObject({ replicas: 4, limited: { status: true, reason: 'ScaleUpLimit' } });
    // A lower recommendation within the window is held up by the recent 20 (then the rate limit).
    const down = normalize(m, { current: 4, desired: 1, min: 1, max: 10, now: NOW + 60_000 });
    expect(down).toMatchObject({ replicas: 8, able: { reason: 'ScaleDownStabilized' } });
    expect(down.limited).toMatchObject({ status: true, reason: 'ScaleUpLimit' });
    const later = normalize(m, {
      current: 4,
      desired: 1,
      min: 1,
      max: 10,
      now: NOW + DOWNSCALE_STABILIZATION_MS + 120_000,
    });
    expect(later).toMatchObject({ replicas: 1, able: { reason: 'ReadyForNewScale' } });
  });

  it('with behavior: scale-up policies per period and a short scale-down window', () => {
    const behavior = {
      scaleUp: { policies: [{ type: 'Pods' as const, value: 2, periodSeconds: 60 }] },
      scaleDown: { stabilizationWindowSeconds: 10 },
    };
    const m = newMemory();
    const first = normalize(m, { behavior, current: 2, desired: 8, min: 2, max: 10, now: NOW });
    expect(first).toMatchObject({ replicas: 4, limited: { status: true, reason: 'ScaleUpLimit' } });
    recordScale(m, behavior, 2, 4, NOW);
    // Within the same 60 s period the 2 pods are spent: no further step.
    const second = normalize(m, {
      behavior,
      current: 4,
      desired: 8,
      min: 2,
      max: 10,
      now: NOW + 15_000,
    });
    expect(second.replicas).toBe(4);
    const third = normalize(m, {
      behavior,
      current: 4,
      desired: 8,
      min: 2,
      max: 10,
      now: NOW + 61_000,
    });
    expect(third.replicas).toBe(6);
    // Down: recommendations in the last 10 s hold it up; after the window it goes to min.
    const m2 = newMemory();
    normalize(m2, { behavior, current: 6, desired: 6, min: 2, max: 10, now: NOW });
    const held = normalize(m2, {
      behavior,
      current: 6,
      desired: 1,
      min: 2,
      max: 10,
      now: NOW + 5_000,
    });
    expect(held).toMatchObject({ replicas: 6, able: { reason: 'ScaleDownStabilized' } });
    const down = normalize(m2, {
      behavior,
      current: 6,
      desired: 1,
      min: 2,
      max: 10,
      now: NOW + 16_000,
    });
    expect(down).toMatchObject({
      replicas: 2,
      limited: { status: true, reason: 'TooFewReplicas' },
    });
  });

  it('a Percent scale-down policy limits each period; Disabled never scales that way', () => {
    const behavior = {
      scaleDown: {
        stabilizationWindowSeconds: 0,
        policies: [{ type: 'Percent' as const, value: 50, periodSeconds: 60 }],
      },
    };
    const m = newMemory();
    const d = normalize(m, { behavior, current: 10, desired: 1, min: 1, max: 10, now: NOW });
    expect(d).toMatchObject({ replicas: 5, limited: { reason: 'ScaleDownLimit' } });
    const off = { scaleUp: { selectPolicy: 'Disabled' as const } };
    expect(
      normalize(newMemory(), { behavior: off, current: 2, desired: 5, min: 1, max: 9, now: NOW })
        .replicas,
    ).toBe(2);
  });
});

describe('kubectl get hpa and autoscaling/v1', () => {
  it('prints targets as upstream', () => {
    const spec = [
      {
        type: 'Resource' as const,
        resource: { name: 'cpu', target: { type: 'Utilization' as const, averageUtilization: 50 } },
      },
      {
        type: 'Resource' as const,
        resource: {
          name: 'memory',
          target: { type: 'AverageValue' as const, averageValue: '100Mi' },
        },
      },
      { type: 'Pods' as const },
    ];
    expect(formatHPAMetrics(spec, [])).toBe(
      'cpu: <unknown>/50%, memory: <unknown>/100Mi + 1 more...',
    );
    expect(
      formatHPAMetrics(spec.slice(0, 1), [
        { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 180 } } },
      ]),
    ).toBe('cpu: 180%/50%');
  });

  it('round-trips v2 through the v1 view', () => {
    const v2 = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h', namespace: 'd' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
          },
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } },
          },
        ],
      },
    };
    const v1 = hpaToV1(v2);
    expect(v1.spec).toMatchObject({ targetCPUUtilizationPercentage: 60, maxReplicas: 5 });
    expect(hpaFromV1(v1).spec).toEqual(v2.spec);
  });
});
