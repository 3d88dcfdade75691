// Strategies end to end on the framework: bin packing fills nodes in turn, the default spreads.
import { describe, expect, it } from 'vitest';
import { buildNodeInfos } from '../../workers/scheduler/framework';
import { profileFor } from '../../workers/scheduler/profile';
import { node, place, replicas, whyNot } from './scheduler-fixtures';

const three = () => [node('n1'), node('n2'), node('n3')];

describe('scheduler strategies', () => {
  it('most-allocated fills nodes in turn: 6 pods of 500m on 3 nodes of 2 CPU', () => {
    const placed = place(
      replicas(6, { cpu: '500m', owner: 'web-rs' }),
      three(),
      profileFor('most-allocated'),
    );
    expect(placed).toEqual(['n1', 'n1', 'n1', 'n1', 'n2', 'n2']);
  });

  it('most-allocated still fills one node first when ties are broken at random', () => {
    let seed = 7;
    const rng = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const placed = place(
      replicas(6, { cpu: '500m', owner: 'web-rs' }),
      three(),
      profileFor('most-allocated'),
      rng,
    );
    const counts = ['n1', 'n2', 'n3'].map((n) => placed.filter((p) => p === n).length).sort();
    expect(counts).toEqual([0, 2, 4]);
    expect(new Set(placed.slice(0, 4)).size).toBe(1);
  });

  it('the default (least-allocated plus spreading) puts two pods on each node', () => {
    const placed = place(
      replicas(6, { cpu: '500m', owner: 'web-rs' }),
      three(),
      profileFor('least-allocated'),
    );
    expect(placed).toEqual(['n1', 'n2', 'n3', 'n1', 'n2', 'n3']);
  });

  it('the default spreads one owner even onto a node busy with another owner', () => {
    // Only pods of the same owner count for spreading, so n1's two db pods do not keep web off it.
    const db = replicas(2, { cpu: '500m', owner: 'db-rs', nodeName: 'n1' }, 'db');
    const placed = place(
      replicas(3, { cpu: '100m', owner: 'web-rs' }),
      buildNodeInfos(three(), db),
      profileFor(undefined),
    );
    expect(placed).toEqual(['n2', 'n3', 'n1']);
  });

  it('a 13th pod of 500m fits nowhere once bin packing has filled all three nodes', () => {
    const pods = replicas(13, { cpu: '500m', owner: 'web-rs' });
    const placed = place(pods, three(), profileFor('most-allocated'));
    expect(placed.slice(0, 12).filter(Boolean)).toHaveLength(12);
    expect(placed[12]).toBeNull();
    const bound = pods
      .slice(0, 12)
      .map((p, i) => ({ ...p, spec: { ...p.spec, nodeName: placed[i]! } }));
    expect(whyNot(pods[12], three(), profileFor('most-allocated'), bound)).toBe(
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('rejects an unknown strategy name with the names it accepts', () => {
    expect(() => profileFor('round-robin')).toThrow(
      'unknown scheduler strategy "round-robin": use least-allocated or most-allocated',
    );
  });
});
