// Pod requests and score plugins: upstream's formulas give upstream's numbers.
import { describe, expect, it } from 'vitest';
import {
  buildNodeInfos,
  CycleState,
  newNodeInfo,
  schedule,
  type NodeInfo,
  type ScorePlugin,
} from '../../workers/scheduler/framework';
import { balancedAllocation } from '../../workers/scheduler/plugins/balanced-allocation';
import { nodeResourcesFitScore } from '../../workers/scheduler/plugins/node-resources-fit';
import { podTopologySpread } from '../../workers/scheduler/plugins/pod-topology-spread';
import { taintTolerationScore } from '../../workers/scheduler/plugins/taint-toleration';
import { profileFor } from '../../workers/scheduler/profile';
import {
  DEFAULT_MEMORY_REQUEST,
  nodeAllocatable,
  podRequests,
} from '../../workers/scheduler/resources';
import type { Pod } from '../../workers/scheduler/types';
import { node, pod, replicas } from './scheduler-fixtures';

/** Runs one score plugin's PreScore, Score and NormalizeScore over these nodes. */
function scores(
  plugin: ScorePlugin,
  p: Pod,
  infos: NodeInfo[],
): Record<string, number> | 'skipped' {
  const state = new CycleState();
  if (plugin.preScore?.(state, p, infos, infos)?.code === 'Skip') return 'skipped';
  const list = infos.map((n) => ({ name: n.name, score: plugin.score(state, p, n) }));
  plugin.normalizeScore?.(state, p, list);
  return Object.fromEntries(list.map((s) => [s.name, s.score]));
}

describe('pod requests', () => {
  it('sums app containers and sidecars, takes the larger init step, adds overhead', () => {
    const p = pod('p', {
      containers: [
        { name: 'a', resources: { requests: { cpu: '250m', memory: '64Mi' } } },
        { name: 'b', resources: { limits: { cpu: '250m', memory: '64Mi' } } },
      ],
      initContainers: [
        { name: 'sidecar', restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } },
        { name: 'migrate', resources: { requests: { cpu: '2', memory: '1Gi' } } },
      ],
      overhead: { cpu: '50m', memory: '10Mi' },
    });
    const r = podRequests(p);
    // The migration step (2 CPU beside the 100m sidecar) outweighs the running pod (600m).
    expect(r.milliCPU).toBe(2100 + 50);
    expect(r.memory).toBe(1024 * 2 ** 20 + 10 * 2 ** 20);
  });

  it('counts 100m and 200Mi for scoring where a container states no request', () => {
    const p = pod('p', {
      containers: [{ name: 'a' }, { name: 'b', resources: { requests: { cpu: '0' } } }],
    });
    expect(podRequests(p)).toMatchObject({ milliCPU: 0, memory: 0 });
    expect(podRequests(p, { nonZero: true })).toMatchObject({
      milliCPU: 100,
      memory: 2 * DEFAULT_MEMORY_REQUEST,
    });
  });

  it('reads allocatable, falling back to capacity as the apiserver defaults it', () => {
    const n = node('n', { cpu: '1500m', memory: '1Gi', extra: { 'example.com/gpu': '2' } });
    expect(nodeAllocatable(n)).toMatchObject({
      milliCPU: 1500,
      memory: 2 ** 30,
      allowedPodNumber: 110,
      scalar: { 'example.com/gpu': 2 },
    });
    const bare = { ...n, status: { capacity: { cpu: '3' } } };
    expect(nodeAllocatable(bare).milliCPU).toBe(3000);
  });
});

describe('resource scores', () => {
  // 4 CPU and 10000 bytes; 1 CPU and 2000 bytes already requested; the pod asks 2 CPU and 3000 bytes.
  const info = () =>
    newNodeInfo(node('n', { cpu: '4', memory: '10000' }), [
      pod('old', { cpu: '1', memory: '2000', nodeName: 'n' }),
    ]);
  const incoming = pod('new', { cpu: '2', memory: '3000' });

  it('LeastAllocated: mean of free fractions ×100, in integers', () => {
    // cpu (4000-3000)·100/4000 = 25, memory (10000-5000)·100/10000 = 50, (25+50)/2 = 37
    expect(scores(nodeResourcesFitScore('LeastAllocated'), incoming, [info()])).toEqual({ n: 37 });
  });

  it('MostAllocated: mean of used fractions ×100, in integers', () => {
    expect(scores(nodeResourcesFitScore('MostAllocated'), incoming, [info()])).toEqual({ n: 62 });
  });

  it('BalancedAllocation: (1 - std of used fractions) ×100', () => {
    // fractions 0.75 and 0.5: std 0.125, score 87
    expect(scores(balancedAllocation(), incoming, [info()])).toEqual({ n: 87 });
  });

  it('BalancedAllocation leaves out a pod that requests nothing', () => {
    expect(scores(balancedAllocation(), pod('empty'), [info()])).toBe('skipped');
  });

  it('TaintToleration: fewer untolerated PreferNoSchedule taints score higher', () => {
    const taint = (key: string) => ({ key, effect: 'PreferNoSchedule' as const });
    const infos = buildNodeInfos(
      [
        node('clean'),
        node('one', { taints: [taint('a')] }),
        node('two', { taints: [taint('a'), taint('b')] }),
      ],
      [],
    );
    expect(scores(taintTolerationScore, pod('p'), infos)).toEqual({ clean: 100, one: 50, two: 0 });
    expect(
      scores(
        taintTolerationScore,
        pod('p', { tolerations: [{ key: 'b', operator: 'Exists' }] }),
        infos,
      ),
    ).toEqual({ clean: 100, one: 0, two: 0 });
  });
});

describe('PodTopologySpread (system defaults)', () => {
  const infos = () =>
    buildNodeInfos(
      [node('n1'), node('n2'), node('n3')],
      [
        ...replicas(2, { owner: 'rs', nodeName: 'n1' }, 'a'),
        ...replicas(1, { owner: 'rs', nodeName: 'n2' }, 'b'),
        ...replicas(3, { owner: 'other', nodeName: 'n3' }, 'c'),
      ],
    );

  it('scores nodes by how few pods of the same owner they hold', () => {
    // weight ln(3+2); raw = count·1.609 + 2 → n1 5, n2 4, n3 2; normalized 100·(5+2-raw)/5
    expect(scores(podTopologySpread, pod('p', { owner: 'rs' }), infos())).toEqual({
      n1: 40,
      n2: 60,
      n3: 100,
    });
  });

  it('does nothing for a pod without an owner', () => {
    expect(scores(podTopologySpread, pod('p'), infos())).toBe('skipped');
  });

  it('ignores terminating pods of the owner', () => {
    const dying = {
      ...pod('d', { owner: 'rs', nodeName: 'n3' }),
      metadata: {
        ...pod('d', { owner: 'rs' }).metadata,
        deletionTimestamp: '2024-01-01T00:00:00Z',
      },
    };
    const withDying = buildNodeInfos([node('n1'), node('n2')], [dying as Pod]);
    expect(scores(podTopologySpread, pod('p', { owner: 'rs' }), withDying)).toEqual({
      n1: 100,
      n2: 100,
    });
  });

  it('spreads over zones as well as hosts when nodes carry zone labels', () => {
    const zone = (z: string) => ({ 'topology.kubernetes.io/zone': z });
    const nodes = [
      node('a1', { labels: zone('a') }),
      node('a2', { labels: zone('a') }),
      node('b1', { labels: zone('b') }),
    ];
    const placed: string[] = [];
    const bound: Pod[] = [];
    for (const p of replicas(6, { cpu: '100m', owner: 'rs' })) {
      const r = schedule(p, buildNodeInfos(nodes, bound), profileFor('least-allocated'));
      if (!r.scheduled) throw new Error(r.message);
      placed.push(r.nodeName);
      bound.push({ ...p, spec: { ...p.spec, nodeName: r.nodeName } });
    }
    const perZone = {
      a: placed.filter((n) => n.startsWith('a')).length,
      b: placed.filter((n) => n.startsWith('b')).length,
    };
    expect(perZone.b).toBeGreaterThanOrEqual(2);
    expect(new Set(placed)).toEqual(new Set(['a1', 'a2', 'b1']));
  });
});
