// Which pods a scoped ResourceQuota tracks: spec.scopes and every scopeSelector operator.
// k8s: pkg/quota/v1/evaluator/core/pods.go (podMatchesScopeFunc), generic.Matches
import { describe, expect, it } from 'vitest';
import { matchesScopes, type ResourceQuotaSpec } from '../../src/api/quota';
import type { KObject } from '../../src/api/types';

const pod = (spec: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'c' }], ...spec },
});
const sel = (scopeName: string, operator: string, values?: string[]): ResourceQuotaSpec => ({
  scopeSelector: { matchExpressions: [{ scopeName, operator, ...(values ? { values } : {}) }] },
});
const m = (spec: ResourceQuotaSpec, p: KObject, resource = 'pods') =>
  matchesScopes(spec, resource, p);

describe('quota scopes', () => {
  const high = pod({ priorityClassName: 'high' });
  const none = pod();

  it('PriorityClass with In, NotIn, Exists and DoesNotExist', () => {
    expect(m(sel('PriorityClass', 'In', ['high', 'mid']), high)).toBe(true);
    expect(m(sel('PriorityClass', 'In', ['mid']), high)).toBe(false);
    expect(m(sel('PriorityClass', 'In', ['high']), none)).toBe(false);
    expect(m(sel('PriorityClass', 'NotIn', ['high']), high)).toBe(false);
    expect(m(sel('PriorityClass', 'NotIn', ['mid']), high)).toBe(true);
    expect(m(sel('PriorityClass', 'NotIn', ['high']), none)).toBe(true);
    expect(m(sel('PriorityClass', 'Exists'), high)).toBe(true);
    expect(m(sel('PriorityClass', 'Exists'), none)).toBe(false);
    expect(m(sel('PriorityClass', 'DoesNotExist'), none)).toBe(true);
    expect(m(sel('PriorityClass', 'DoesNotExist'), high)).toBe(false);
  });

  it('Terminating, BestEffort and their opposites, from scopes or the selector', () => {
    const deadline = pod({ activeDeadlineSeconds: 30 });
    expect(m({ scopes: ['Terminating'] }, deadline)).toBe(true);
    expect(m({ scopes: ['Terminating'] }, none)).toBe(false);
    expect(m(sel('NotTerminating', 'Exists'), none)).toBe(true);
    const burstable = pod({
      containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }],
    });
    // Only cpu and memory decide the QoS class.
    const scratch = pod({
      containers: [{ name: 'c', resources: { requests: { 'ephemeral-storage': '1Gi' } } }],
    });
    expect(m({ scopes: ['BestEffort'] }, none)).toBe(true);
    expect(m({ scopes: ['BestEffort'] }, scratch)).toBe(true);
    expect(m({ scopes: ['BestEffort'] }, burstable)).toBe(false);
    expect(m(sel('NotBestEffort', 'Exists'), burstable)).toBe(true);
    // scopes and selector are ANDed.
    expect(m({ scopes: ['NotBestEffort'], ...sel('PriorityClass', 'Exists') }, burstable)).toBe(
      false,
    );
  });

  it('CrossNamespacePodAffinity: a term naming or selecting other namespaces', () => {
    const term = (t: Record<string, unknown>) =>
      pod({
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 1, podAffinityTerm: { topologyKey: 'k', ...t } },
            ],
          },
        },
      });
    const q = sel('CrossNamespacePodAffinity', 'Exists');
    expect(m(q, term({ namespaces: ['other'] }))).toBe(true);
    expect(m(q, term({ namespaceSelector: {} }))).toBe(true);
    expect(m(q, term({}))).toBe(false);
    expect(m(q, none)).toBe(false);
  });

  it('a scoped quota tracks pods only; an unscoped one everything', () => {
    expect(m(sel('PriorityClass', 'DoesNotExist'), none, 'services')).toBe(false);
    expect(m({}, none, 'services')).toBe(true);
  });
});
