// The HorizontalPodAutoscaler controller in workerd against the real API Worker: a StatefulSet target
// (through its /scale), memory use reported to metrics.k8s.io, and the configurable sync period.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { NodeUsage } from '../../src/api/metrics';
import type { KObject } from '../../src/api/types';
import { hpaController } from '../../workers/controllers/hpa';
import { apiClient, freshNamespace } from './api';
import { keyedHarness } from './controller-harness';
import { testEnv } from './helpers';

const HPA = 'autoscaling/v2/horizontalpodautoscalers';
const STS = 'apps/v1/statefulsets';
const PERIOD_MS = 1500;

/** What a node agent reports: each pod of `ns` using `memoryMi`. */
async function report(ns: string, pods: string[], memoryMi: number) {
  const nodes: NodeUsage[] = [
    {
      node: `hpa-node-${ns}`,
      labels: {},
      timestamp: Date.now(),
      windowSeconds: 15,
      cpu: 1e9,
      memory: 2 ** 30,
      pods: pods.map((name) => ({
        namespace: ns,
        name,
        uid: `${ns}-${name}`,
        labels: { app: 'db' },
        containers: [{ name: 'db', cpu: 1e6, memory: memoryMi * 2 ** 20 }],
      })),
    },
  ];
  const res = await SELF.fetch('https://edgeplane.test/edgeplane/v1/metrics', {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${testEnv.ADMIN_TOKEN}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ nodes }),
  });
  expect(res.status).toBe(204);
}

const template = {
  metadata: { labels: { app: 'db' } },
  spec: {
    containers: [{ name: 'db', image: 'db:1', resources: { requests: { memory: '100Mi' } } }],
  },
};

describe('HorizontalPodAutoscaler controller', () => {
  it('scales a StatefulSet through its scale subresource, evaluating once per sync period', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(
      STS,
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db', namespace: ns },
        spec: {
          replicas: 2,
          serviceName: 'db',
          selector: { matchLabels: { app: 'db' } },
          template,
        },
      },
      { namespace: ns },
    );
    // The StatefulSet's pods, running (no StatefulSet controller here).
    const started = new Date(Date.now() - 600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    for (const name of ['db-0', 'db-1']) {
      const pod = await c.create<KObject>(
        'pods',
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: ns, ...template.metadata },
          spec: template.spec,
        },
        { namespace: ns },
      );
      pod.status = {
        phase: 'Running',
        startTime: started,
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: started }],
      };
      await c.updateStatus('pods', pod, { namespace: ns });
    }
    // 300Mi against a request of 100Mi: 300% of request against a 100% target asks for 6, capped at 5.
    await report(ns, ['db-0', 'db-1'], 300);
    await c.create(
      HPA,
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'db', namespace: ns },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' },
          minReplicas: 2,
          maxReplicas: 5,
          metrics: [
            {
              type: 'Resource',
              resource: {
                name: 'memory',
                target: { type: 'Utilization', averageUtilization: 100 },
              },
            },
          ],
          behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
        },
      },
      { namespace: ns },
    );

    const h = await keyedHarness(ns, () => [hpaController()], {
      config: { hpaSyncPeriodMs: PERIOD_MS },
    });
    try {
      const out = await h.settle();
      const sts = await c.get<KObject>(STS, 'db', { namespace: ns });
      expect((sts.spec as { replicas: number }).replicas).toBe(5);
      // The next evaluation is due one sync period after the last, not the default 15 s.
      expect(out.requeueAfterMs).toBeGreaterThan(0);
      expect(out.requeueAfterMs).toBeLessThanOrEqual(PERIOD_MS);
      const hpa = await c.get<any>(HPA, 'db', { namespace: ns });
      expect(hpa.status).toMatchObject({
        desiredReplicas: 5,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'memory', current: { averageUtilization: 300 } } },
        ],
      });
      const conds = Object.fromEntries(
        hpa.status.conditions.map((k: any) => [k.type, `${k.status}/${k.reason}`]),
      );
      // SucceededRescale, or ReadyForNewScale if a loaded box let a period pass within settle().
      expect(conds.AbleToScale).toMatch(/^True\/(SucceededRescale|ReadyForNewScale)$/);
      expect(conds).toMatchObject({
        ScalingActive: 'True/ValidMetricFound',
        ScalingLimited: 'True/TooManyReplicas',
      });

      // The load goes: within one sync period the StatefulSet is back at its minimum.
      await report(ns, ['db-0', 'db-1'], 20);
      const lowered = Date.now();
      await new Promise((r) => setTimeout(r, PERIOD_MS));
      await h.settle();
      const after = await c.get<KObject>(STS, 'db', { namespace: ns });
      expect((after.spec as { replicas: number }).replicas).toBe(2);
      // Well inside the default 15 s period, even on a loaded box.
      expect(Date.now() - lowered).toBeLessThan(12_000);

      const events = await c.list<KObject & { reason: string; message: string }>('events', {
        namespace: ns,
      });
      expect(events.items.map((e) => `${e.reason}: ${e.message}`).sort()).toEqual([
        'SuccessfulRescale: New size: 2; reason: All metrics below target',
        'SuccessfulRescale: New size: 5; reason: memory resource utilization (percentage of request) above target',
      ]);
    } finally {
      h.stop();
    }
  });
});
