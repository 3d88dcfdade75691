// ResourceQuota admission through the real API Worker, with no quota controller running (so nothing
// recomputes status.used behind the test's back): a write that fails after admission holds no
// charge, scope selectors choose the pods a quota tracks, and updates are charged their growth.
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/api/types';
import type { KubeClient } from '../../src/client/client';
import { ApiStatusError as ApiError } from '../../src/client/errors';
import { apiClient, freshNamespace } from './api';

const QUOTAS = 'resourcequotas';

/** A quota whose status the (absent) controller would have initialised: hard as spec, used zero. */
async function quota(c: KubeClient, ns: string, name: string, spec: Record<string, unknown>) {
  const hard = spec.hard as Record<string, string>;
  const q = await c.create<KObject>(
    QUOTAS,
    { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: ns }, spec },
    { namespace: ns },
  );
  q.status = { hard, used: Object.fromEntries(Object.keys(hard).map((k) => [k, '0'])) };
  await c.updateStatus(QUOTAS, q, { namespace: ns });
}

const used = async (c: KubeClient, ns: string, name: string) =>
  (
    (await c.get<KObject>(QUOTAS, name, { namespace: ns })).status as {
      used: Record<string, string>;
    }
  ).used;

function pod(name: string, extra: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'app', image: 'app:1' }], ...extra },
  };
}

/** The API's error for a write expected to fail. */
async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('ResourceQuota admission', () => {
  it('charges a create only once it is valid, and gives back the charge of one that fails in storage', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await quota(c, ns, 'q', { hard: { pods: '3', 'count/pods': '3' } });
    await c.create('pods', pod('a'), { namespace: ns });
    expect(await used(c, ns, 'q')).toEqual({ pods: '1', 'count/pods': '1' });

    // Invalid: refused by validation before quota sees it.
    const bad = pod('b');
    (bad.spec as { containers: { name: string }[] }).containers[0].name = 'Not_A_Name';
    expect((await refusal(c.create('pods', bad, { namespace: ns }))).status.code).toBe(422);
    // Admitted and charged, then AlreadyExists in storage: the charge is given back.
    expect((await refusal(c.create('pods', pod('a'), { namespace: ns }))).status.code).toBe(409);
    expect(await used(c, ns, 'q')).toEqual({ pods: '1', 'count/pods': '1' });

    await c.create('pods', pod('b'), { namespace: ns });
    await c.create('pods', pod('c'), { namespace: ns });
    const over = await refusal(c.create('pods', pod('d'), { namespace: ns }));
    expect(over.status.code).toBe(403);
    expect(over.message).toBe(
      'pods "d" is forbidden: exceeded quota: q, requested: count/pods=1,pods=1, used: count/pods=3,pods=3, limited: count/pods=3,pods=3',
    );
  });

  it('tracks only the pods its scope selector matches', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await quota(c, ns, 'high', {
      hard: { pods: '1' },
      scopeSelector: {
        matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }],
      },
    });
    await quota(c, ns, 'best-effort', {
      hard: { pods: '2' },
      scopeSelector: { matchExpressions: [{ scopeName: 'BestEffort', operator: 'Exists' }] },
    });
    const requests = {
      containers: [{ name: 'app', image: 'app:1', resources: { requests: { cpu: '100m' } } }],
    };
    await c.create('pods', pod('h1', { priorityClassName: 'high', ...requests }), {
      namespace: ns,
    });
    const second = await refusal(
      c.create('pods', pod('h2', { priorityClassName: 'high', ...requests }), { namespace: ns }),
    );
    expect(second.status.code).toBe(403);
    expect(second.message).toBe(
      'pods "h2" is forbidden: exceeded quota: high, requested: pods=1, used: pods=1, limited: pods=1',
    );
    // Another class, or none, is not this quota's business; a BestEffort pod is the other's.
    await c.create('pods', pod('l1', { priorityClassName: 'low', ...requests }), { namespace: ns });
    await c.create('pods', pod('n1'), { namespace: ns });
    expect(await used(c, ns, 'high')).toEqual({ pods: '1' });
    expect(await used(c, ns, 'best-effort')).toEqual({ pods: '1' });

    // Upstream's validation of the selector, with the field named.
    const invalid = await refusal(
      c.create(
        QUOTAS,
        {
          apiVersion: 'v1',
          kind: 'ResourceQuota',
          metadata: { name: 'bad' },
          spec: {
            hard: { pods: '1' },
            scopeSelector: {
              matchExpressions: [
                { scopeName: 'Terminating', operator: 'In', values: ['x'] },
                { scopeName: 'PriorityClass', operator: 'NotIn' },
              ],
            },
          },
        },
        { namespace: ns },
      ),
    );
    expect(invalid.status.code).toBe(422);
    expect(invalid.status.details?.causes?.map((x) => x.field)).toEqual([
      'spec.scopeSelector.matchExpressions.operator',
      'spec.scopeSelector.matchExpressions.values',
    ]);
  });

  it('charges an update its growth: a Service turned NodePort, a claim resized', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await quota(c, ns, 'q', {
      hard: { services: '5', 'services.nodeports': '1', 'requests.storage': '2Gi' },
    });
    await c.create(
      'services',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: {
          selector: { app: 'web' },
          ports: [
            { name: 'http', port: 80 },
            { name: 'https', port: 443 },
          ],
        },
      },
      { namespace: ns },
    );
    const toNodePort = await refusal(
      c.patch('services', 'web', 'merge', { spec: { type: 'NodePort' } }, { namespace: ns }),
    );
    expect(toNodePort.status.code).toBe(403);
    expect(toNodePort.message).toBe(
      'services "web" is forbidden: exceeded quota: q, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1',
    );
    expect(await used(c, ns, 'q')).toEqual({
      services: '1',
      'services.nodeports': '0',
      'requests.storage': '0',
    });

    const claim = (storage: string) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
    });
    await c.create('persistentvolumeclaims', claim('1Gi'), { namespace: ns });
    const resize = (storage: string) =>
      c.patch(
        'persistentvolumeclaims',
        'data',
        'merge',
        { spec: { resources: { requests: { storage } } } },
        { namespace: ns },
      );
    const tooBig = await refusal(resize('3Gi'));
    expect(tooBig.status.code).toBe(403);
    expect(tooBig.message).toBe(
      'persistentvolumeclaims "data" is forbidden: exceeded quota: q, requested: requests.storage=2Gi, used: requests.storage=1Gi, limited: requests.storage=2Gi',
    );
    await resize('2Gi');
    expect((await used(c, ns, 'q'))['requests.storage']).toBe('2Gi');
  });
});
