// The scheduler cache's owner-by-zone counts: always the sum over its known nodes, and the
// spreading score read from them equals the score from walking every node.
import { describe, expect, it } from 'vitest';
import { SchedulerCache } from '../../workers/scheduler/cache';
import {
  CycleState,
  ownerKey,
  type NodeInfo,
  type NodeInfoList,
} from '../../workers/scheduler/framework';
import { podTopologySpread } from '../../workers/scheduler/plugins/pod-topology-spread';
import type { Pod } from '../../workers/scheduler/types';
import { node, pod } from './scheduler-fixtures';

const ZONE = 'topology.kubernetes.io/zone';

/** Recomputes, from the cache's known nodes, what the index should hold for one owner and zone. */
function expected(list: NodeInfo[], owner: string, zone: string): number {
  let n = 0;
  for (const info of list)
    if ((info.node.metadata.labels?.[ZONE] ?? '') === zone) n += info.ownerCounts.get(owner) ?? 0;
  return n;
}

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe('OwnerZoneCounts in the scheduler cache', () => {
  it('matches the sum over known nodes through assumes, bindings, removals, node moves and node loss', () => {
    const cache = new SchedulerCache(() => 0);
    const r = rng(7);
    const zones = ['a', 'b', 'c', undefined];
    const owners = ['rs1', 'rs2', 'rs3'];
    const live: Pod[] = [];
    const zoneOfNode = new Map<string, string | undefined>();
    for (let step = 0; step < 3000; step++) {
      const x = r();
      if (x < 0.08) {
        // A node appears, or changes zone.
        const name = `n${Math.floor(r() * 12)}`;
        const zone = zones[Math.floor(r() * zones.length)];
        zoneOfNode.set(name, zone);
        cache.addNode(node(name, { labels: zone ? { [ZONE]: zone } : {} }));
      } else if (x < 0.11) {
        const name = `n${Math.floor(r() * 12)}`;
        cache.removeNode(node(name));
      } else if (x < 0.6) {
        const owner = owners[Math.floor(r() * owners.length)];
        const p = pod(`p${step}`, { owner });
        const target = `n${Math.floor(r() * 12)}`;
        if (r() < 0.5) cache.assumePod(p, target);
        else cache.addPod({ ...p, spec: { ...p.spec, nodeName: target } });
        live.push({ ...p, spec: { ...p.spec, nodeName: target } });
      } else if (live.length) {
        const i = Math.floor(r() * live.length);
        const [p] = live.splice(i, 1);
        if (r() < 0.5) cache.removePod(p);
        else cache.addPod(p); // a bound pod confirmed by the watch (replaces an assumed one)
        if (r() < 0.5) live.push(p);
      }
      if (step % 50 === 0) {
        const list = cache.nodeInfos();
        for (const o of owners)
          for (const z of ['a', 'b', 'c', '']) {
            const key = `default/uid-${o}`;
            expect(cache.ownerZones.get(key, z), `step ${step}, ${o} in zone '${z}'`).toBe(
              expected(list, key, z),
            );
          }
      }
    }
  });

  it('gives the spreading score the same counts as walking every node', () => {
    const cache = new SchedulerCache(() => 0);
    for (let i = 0; i < 30; i++)
      cache.addNode(node(`n${i}`, { labels: i % 7 === 6 ? {} : { [ZONE]: `z${i % 3}` } }));
    for (let i = 0; i < 200; i++)
      cache.assumePod(pod(`p${i}`, { owner: i % 3 === 0 ? 'other' : 'web' }), `n${(i * 7) % 30}`);
    const incoming = pod('new', { owner: 'web' });
    expect(ownerKey(incoming)).toBe('default/uid-web');
    const list = cache.nodeInfos();
    expect((list as NodeInfoList).ownerZones).toBeDefined();
    const feasible = list.filter((_, i) => i % 2 === 0);
    const scoresWith = (all: NodeInfo[]) => {
      const state = new CycleState();
      podTopologySpread.preScore!(state, incoming, feasible, all);
      const scores = feasible.map((n) => ({
        name: n.name,
        score: podTopologySpread.score(state, incoming, n),
      }));
      podTopologySpread.normalizeScore!(state, incoming, scores);
      return scores;
    };
    const fast = scoresWith(list);
    const walked = scoresWith([...list]); // a plain array: no index, every node walked
    expect(fast).toEqual(walked);
    expect(new Set(fast.map((s) => s.score)).size).toBeGreaterThan(1);
  });
});
