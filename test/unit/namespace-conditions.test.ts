// The namespace deletion conditions: upstream's reasons and messages, and transitions kept stable.
import { describe, expect, it } from 'vitest';
import {
  conditionsAfter,
  type DeletionTally,
} from '../../workers/controllers/namespace-conditions';

const tally = (t: Partial<DeletionTally> = {}): DeletionTally => ({
  remaining: new Map(),
  finalizers: new Map(),
  contentErrors: [],
  discoveryErrors: [],
  ...t,
});
const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('namespace deletion conditions', () => {
  it('reports every failure with upstream reasons and messages, sorted', () => {
    const out = conditionsAfter(
      [{ type: 'Other', status: 'True' }],
      tally({
        remaining: new Map([
          ['pods.', 2],
          ['configmaps.', 0],
          ['widgets.example.com', 1],
        ]),
        finalizers: new Map([
          ['z.io/f', 1],
          ['a.io/f', 2],
        ]),
        contentErrors: ['boom', 'bang', 'boom'],
        discoveryErrors: ['example.com/v1: the server could not find the requested resource'],
      }),
      T0,
    )!;
    expect(out.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`)).toEqual([
      'Other=True undefined: undefined',
      'NamespaceDeletionDiscoveryFailure=True DiscoveryFailed: Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: example.com/v1: the server could not find the requested resource',
      'NamespaceDeletionGroupVersionParsingFailure=False ParsedGroupVersions: All legacy kube types successfully parsed',
      'NamespaceDeletionContentFailure=True ContentDeletionFailed: Failed to delete all resource types, 3 remaining: [boom, bang]',
      'NamespaceContentRemaining=True SomeResourcesRemain: Some resources are remaining: pods. has 2 resource instances, widgets.example.com has 1 resource instances',
      'NamespaceFinalizersRemaining=True SomeFinalizersRemain: Some content in the namespace has finalizers remaining: a.io/f in 2 resource instances, z.io/f in 1 resource instances',
    ]);
    expect(out[1].lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });

  it('answers nothing when nothing changed, and keeps the transition time of unchanged conditions', () => {
    const first = conditionsAfter([], tally({ remaining: new Map([['pods.', 1]]) }), T0)!;
    expect(first.every((c) => c.lastTransitionTime === '2026-01-01T00:00:00Z')).toBe(true);
    expect(conditionsAfter(first, tally({ remaining: new Map([['pods.', 1]]) }), T0 + 5000)).toBe(
      undefined,
    );
    const done = conditionsAfter(first, tally(), T0 + 5000)!;
    const remaining = done.find((c) => c.type === 'NamespaceContentRemaining')!;
    expect(remaining).toMatchObject({
      status: 'False',
      reason: 'ContentRemoved',
      message: 'All content successfully removed',
      lastTransitionTime: '2026-01-01T00:00:05Z',
    });
    expect(done.find((c) => c.type === 'NamespaceDeletionContentFailure')?.lastTransitionTime).toBe(
      '2026-01-01T00:00:00Z',
    );
  });
});
