// ReplicationController and PodDisruptionBudget: validation wording and paths, defaults, table rows,
// and the disruption controller's arithmetic.
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/core';
import type { PodDisruptionBudget } from '../../src/api/policy';
import type { KObject } from '../../src/api/types';
import { defaultPodDisruptionBudget } from '../../src/registry/defaults/poddisruptionbudget';
import { defaultReplicationController } from '../../src/registry/defaults/replicationcontroller';
import { podDisruptionBudgetPrinter } from '../../src/registry/tables/poddisruptionbudgets';
import { replicationControllerPrinter } from '../../src/registry/tables/replicationcontrollers';
import {
  validatePodDisruptionBudget,
  validatePodDisruptionBudgetUpdate,
} from '../../src/registry/validate/poddisruptionbudget';
import {
  validateReplicationController,
  validateReplicationControllerUpdate,
} from '../../src/registry/validate/replicationcontroller';
import {
  awaitedDisruptions,
  budgetStatus,
  countHealthy,
  expectedCounts,
} from '../../workers/controllers/disruption/budget';

const byField = (errs: { field: string; message: string }[]) =>
  Object.fromEntries(errs.map((e) => [e.field, e.message]));

function rc(spec: Record<string, unknown>, labels?: Record<string, string>): KObject {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'web', namespace: 'default', labels },
    spec: {
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'busybox' }] },
      },
      ...spec,
    },
  };
}

describe('ReplicationController', () => {
  it('defaults the selector, its own labels and one replica from the template', () => {
    const obj = rc({});
    defaultReplicationController(obj);
    expect(obj.spec).toMatchObject({ selector: { app: 'web' }, replicas: 1 });
    expect(obj.metadata.labels).toEqual({ app: 'web' });
    expect(obj.status).toEqual({ replicas: 0 });
    expect(validateReplicationController(obj)).toEqual([]);
  });

  it('keeps a selector and labels that were given', () => {
    const obj = rc({ selector: { app: 'web' } }, { team: 'a' });
    defaultReplicationController(obj);
    expect(obj.metadata.labels).toEqual({ team: 'a' });
  });

  it('reports a selector the template does not match, negative counts and a bad restartPolicy at once', () => {
    const obj = rc({ selector: { app: 'db' }, replicas: -1, minReadySeconds: -2 });
    defaultReplicationController(obj);
    (obj.spec as { template: { spec: Record<string, unknown> } }).template.spec.restartPolicy =
      'Never';
    const errs = byField(validateReplicationController(obj));
    expect(errs['spec.template.metadata.labels']).toBe(
      'Invalid value: {"app":"web"}: selector does not match labels in spec.template',
    );
    expect(errs['spec.replicas']).toBe('Invalid value: -1: must be greater than or equal to 0');
    expect(errs['spec.minReadySeconds']).toBe(
      'Invalid value: -2: must be greater than or equal to 0',
    );
    expect(errs['spec.template.spec.restartPolicy']).toBe(
      'Unsupported value: "Never": supported values: "Always"',
    );
  });

  it('requires a selector and a template', () => {
    const obj: KObject = { metadata: { name: 'x', namespace: 'default' }, spec: {} };
    defaultReplicationController(obj);
    const errs = byField(validateReplicationController(obj));
    expect(errs['spec.selector']).toBe('Required value');
    expect(errs['spec.template']).toBe('Required value');
  });

  it('lets the selector change on update, unlike apps/v1', () => {
    const old = rc({ selector: { app: 'web' } });
    old.metadata.resourceVersion = '7';
    defaultReplicationController(old);
    const next = structuredClone(old);
    (next.spec as { selector: Record<string, string> }).selector = {};
    defaultReplicationController(next);
    expect(validateReplicationControllerUpdate(next, old)).toEqual([]);
  });

  it('prints Desired, Current, Ready, Age and the wide columns with the map selector', () => {
    const obj = rc({ selector: { app: 'web', tier: 'fe' }, replicas: 3 });
    obj.status = { replicas: 2, readyReplicas: 1 };
    obj.metadata.creationTimestamp = new Date(0).toISOString();
    expect(replicationControllerPrinter.columns.map((c) => c.name)).toEqual([
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ]);
    const cells = replicationControllerPrinter.cells(obj, 65_000);
    expect(cells.filter((_, i) => i !== 4)).toEqual([
      'web',
      3,
      2,
      1,
      'web',
      'busybox',
      'app=web,tier=fe',
    ]);
  });
});

function pdb(spec: Record<string, unknown>, status?: Record<string, unknown>): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web', namespace: 'default', generation: 1 },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
    status: status as PodDisruptionBudget['status'],
  };
}

describe('PodDisruptionBudget validation and printing', () => {
  it('accepts either field as an int or a percentage', () => {
    for (const spec of [{ minAvailable: 2 }, { maxUnavailable: '25%' }, {}]) {
      const obj = pdb(spec);
      defaultPodDisruptionBudget(obj);
      expect(validatePodDisruptionBudget(obj)).toEqual([]);
    }
  });

  it('rejects both set, a bad percentage, over 100% and an unknown eviction policy', () => {
    const errs = byField(
      validatePodDisruptionBudget(
        pdb({ minAvailable: '150%', maxUnavailable: 'x', unhealthyPodEvictionPolicy: 'Never' }),
      ),
    );
    expect(errs.spec).toMatch(/minAvailable and maxUnavailable cannot be both set$/);
    expect(errs['spec.minAvailable']).toBe('Invalid value: "150%": must not be greater than 100%');
    expect(errs['spec.maxUnavailable']).toMatch(/^Invalid value: "x": a valid percent string/);
    expect(errs['spec.unhealthyPodEvictionPolicy']).toBe(
      'Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
    );
  });

  it('rejects negative status counters', () => {
    const old = pdb({ minAvailable: 1 });
    old.metadata.resourceVersion = '7';
    defaultPodDisruptionBudget(old);
    const next = structuredClone(old);
    next.status!.disruptionsAllowed = -1;
    expect(byField(validatePodDisruptionBudgetUpdate(next, old))).toEqual({
      'status.disruptionsAllowed': 'Invalid value: -1: must be greater than or equal to 0',
    });
  });

  it('prints Min Available, Max Unavailable and Allowed Disruptions as kubectl does', () => {
    const obj = pdb({ minAvailable: 2 }, { disruptionsAllowed: 1 });
    expect(podDisruptionBudgetPrinter.columns.map((c) => c.name)).toEqual([
      'Name',
      'Min Available',
      'Max Unavailable',
      'Allowed Disruptions',
      'Age',
    ]);
    expect(podDisruptionBudgetPrinter.cells(obj, 0).slice(0, 4)).toEqual(['web', '2', 'N/A', 1]);
  });
});

function pod(name: string, ready: boolean, extra: Partial<Pod['metadata']> = {}): Pod {
  return {
    metadata: { name, namespace: 'default', labels: { app: 'web' }, ...extra },
    spec: { containers: [] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  } as Pod;
}

describe('disruption controller arithmetic', () => {
  const noScale = () => {
    throw new Error('scale not expected');
  };

  it('minAvailable 2 of 3 ready pods allows one disruption', () => {
    const b = pdb({ minAvailable: 2 });
    const pods = [pod('a', true), pod('b', true), pod('c', true)];
    const counts = expectedCounts(b, pods, noScale);
    const healthy = countHealthy(pods, {}, 0);
    expect(budgetStatus(b, healthy, counts, {})).toMatchObject({
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      disruptionsAllowed: 1,
      observedGeneration: 1,
    });
  });

  it("maxUnavailable and percentages count against the controllers' scale, rounding up", () => {
    const pods = [pod('a', true), pod('b', true)];
    const scale = () => ({ expected: 4, unmanaged: [] });
    expect(expectedCounts(pdb({ maxUnavailable: '30%' }), pods, scale)).toMatchObject({
      expected: 4,
      desiredHealthy: 2,
    });
    expect(expectedCounts(pdb({ minAvailable: '30%' }), pods, scale)).toMatchObject({
      expected: 4,
      desiredHealthy: 2,
    });
  });

  it('a pod the API allowed to be evicted is not healthy until the deletion timeout passes', () => {
    const at = '2026-01-01T00:00:00Z';
    const t0 = Date.parse(at);
    const b = pdb({ minAvailable: 2 }, { disruptedPods: { a: at } });
    const pods = [pod('a', true), pod('b', true), pod('c', true)];
    const soon = awaitedDisruptions(b, pods, t0 + 1000);
    expect(soon.disrupted).toEqual({ a: at });
    expect(soon.recheckAt).toBe(t0 + 120_000);
    expect(countHealthy(pods, soon.disrupted, t0 + 1000)).toBe(2);
    const late = awaitedDisruptions(b, pods, t0 + 121_000);
    expect(late.disrupted).toEqual({});
    expect(late.notDeleted.map((p) => p.metadata.name)).toEqual(['a']);
  });

  it('terminating and unready pods are not healthy, and nothing is allowed with no pods expected', () => {
    const pods = [pod('a', false), pod('b', true, { deletionTimestamp: 'x' })];
    expect(countHealthy(pods, {}, 0)).toBe(0);
    const b = pdb({ maxUnavailable: 1 });
    expect(
      budgetStatus(b, 5, { expected: 0, desiredHealthy: 0, unmanaged: [] }, {}).disruptionsAllowed,
    ).toBe(0);
  });
});
