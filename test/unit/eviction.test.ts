// The agent's eviction manager without a cluster: kubelet's threshold syntax, rankMemoryPressure's
// order, the eviction message, MemoryPressure with its transition period, and BestEffort admission.
import { describe, expect, it } from 'vitest';
import type { ContainerUsage } from '../../src/api/metrics';
import {
  EvictionManager,
  memoryAvailable,
  type PodEviction,
} from '../../src/agent/eviction/manager';
import {
  evictionMessage,
  podMemoryRequest,
  qosClass,
  rankMemoryPressure,
} from '../../src/agent/eviction/rank';
import {
  parseThresholds,
  thresholdBytes,
  thresholdMet,
  type EvictionConfig,
} from '../../src/agent/eviction/thresholds';
import type { UsageSample } from '../../src/agent/metrics/collector';
import type { Container, Pod } from '../../src/agent/types';
import { agentConfig } from '../../src/cli/agent';
import { parseArgs, UsageError } from '../../src/cli/args';

const Mi = 2 ** 20;
const Gi = 2 ** 30;

function pod(
  name: string,
  resources: Container['resources'] = {},
  extra: Record<string, unknown> = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: name },
    spec: { containers: [{ name: 'app', image: 'x', resources }], ...extra },
    status: { phase: 'Running' },
  } as Pod;
}

const usage = (entries: [string, number][]) =>
  new Map<string, ContainerUsage[]>(
    entries.map(([uid, memory]) => [uid, [{ name: 'app', cpu: 0, memory }]]),
  );

describe('eviction thresholds', () => {
  it('parses kubelet statements: quantities, percentages, soft ones with their grace', () => {
    const [hard] = parseThresholds('memory.available<100Mi');
    expect(hard).toMatchObject({ bytes: 100 * Mi, text: '100Mi', gracePeriodMs: 0 });
    const [pct] = parseThresholds('memory.available<10%');
    expect(thresholdBytes(pct, 1 * Gi)).toBe(Math.floor(0.1 * Gi));
    expect(parseThresholds('memory.available<0%')).toEqual([]);
    const [, soft] = parseThresholds(
      'memory.available<100Mi',
      'memory.available<300Mi',
      'memory.available=1m30s',
    );
    expect(soft).toMatchObject({ bytes: 300 * Mi, gracePeriodMs: 90_000 });
  });

  it('refuses what kubelet refuses, and signals this agent does not measure', () => {
    expect(() => parseThresholds('memory.available<-1Mi')).toThrow(/must be positive/);
    expect(() => parseThresholds('memory.available<120%')).toThrow(/<= 100%/);
    expect(() => parseThresholds('', 'memory.available<1Gi')).toThrow(
      'grace period must be specified for the soft eviction threshold memory.available',
    );
    expect(() => parseThresholds('nodefs.available<10%')).toThrow(/not measured by this agent/);
    expect(() => parseThresholds('bogus<1')).toThrow('unsupported eviction signal bogus');
    expect(() => parseThresholds('memory.available=1Gi')).toThrow(/SIGNAL<VALUE/);
  });

  it('is met when available falls under the threshold (strictly)', () => {
    const [t] = parseThresholds('memory.available<100Mi');
    expect(thresholdMet(t, Gi, 100 * Mi)).toBe(false);
    expect(thresholdMet(t, Gi, 100 * Mi - 1)).toBe(true);
  });
});

describe('QoS and requests', () => {
  it('classes pods as GetPodQOS does', () => {
    expect(qosClass(pod('a'))).toBe('BestEffort');
    expect(qosClass(pod('b', { requests: { memory: '64Mi' } }))).toBe('Burstable');
    expect(qosClass(pod('c', { limits: { cpu: '1', memory: '1Gi' } }))).toBe('Guaranteed');
    expect(
      qosClass(
        pod('d', {
          requests: { cpu: '1000m', memory: '1Gi' },
          limits: { cpu: '1', memory: '1Gi' },
        }),
      ),
    ).toBe('Guaranteed');
    expect(
      qosClass(pod('e', { requests: { cpu: '500m' }, limits: { cpu: '1', memory: '1Gi' } })),
    ).toBe('Burstable');
  });

  it('sums app containers and sidecars, or takes a larger init container', () => {
    const p = pod(
      'p',
      { requests: { memory: '100Mi' } },
      {
        initContainers: [
          {
            name: 'side',
            image: 'x',
            restartPolicy: 'Always',
            resources: { requests: { memory: '50Mi' } },
          },
          { name: 'init', image: 'x', resources: { requests: { memory: '500Mi' } } },
        ],
      },
    );
    expect(podMemoryRequest(p)).toBe(550 * Mi);
    expect(podMemoryRequest(pod('q', { requests: { memory: '100Mi' } }))).toBe(100 * Mi);
  });
});

describe('rankMemoryPressure', () => {
  it('puts usage over requests first, then lower priority, then the larger use above the request', () => {
    const guaranteed = pod('guaranteed', {
      requests: { memory: '200Mi' },
      limits: { memory: '200Mi' },
    });
    const burstable = pod('burstable', { requests: { memory: '100Mi' } });
    const bestEffort = pod('besteffort');
    const important = pod('important', {}, { priority: 1000 });
    const stats = usage([
      ['guaranteed', 150 * Mi], // under its request
      ['burstable', 400 * Mi], // 300Mi over
      ['besteffort', 200 * Mi], // 200Mi over
      ['important', 900 * Mi], // over, but higher priority
    ]);
    const order = rankMemoryPressure([guaranteed, important, bestEffort, burstable], stats);
    expect(order.map((p) => p.metadata.name)).toEqual([
      'burstable',
      'besteffort',
      'important',
      'guaranteed',
    ]);
    // A pod with no figures yet goes first.
    const fresh = pod('fresh', { requests: { memory: '1Gi' } });
    expect(rankMemoryPressure([burstable, fresh], stats)[0].metadata.name).toBe('fresh');
  });

  it('writes kubelet message, naming each container over its request', () => {
    const p = pod('web', { requests: { memory: '100Mi' } });
    expect(
      evictionMessage(p, [{ name: 'app', cpu: 0, memory: 300 * Mi }], 100 * Mi, '100Mi', 18 * Mi),
    ).toBe(
      'The node was low on resource: memory. Threshold quantity: 100Mi, available: 18Mi. ' +
        'Container app was using 300Mi, request is 100Mi, has larger consumption of memory. ',
    );
    expect(
      evictionMessage(pod('be'), [{ name: 'app', cpu: 0, memory: 1000 }], 100 * Mi, '100Mi', 5000),
    ).toContain(
      // Go prints a BinarySI quantity under 1024 in decimal: 1000 bytes is "1k".
      'Container app was using 1k, request is 0, has larger consumption of memory. ',
    );
  });
});

describe('EvictionManager', () => {
  const config = (transition = 10_000): EvictionConfig => ({
    thresholds: parseThresholds('memory.available<100Mi'),
    pressureTransitionMs: transition,
  });
  const sample = (nodeMemory: number, pods: Map<string, ContainerUsage[]>): UsageSample => ({
    node: { cpu: 0, memory: nodeMemory },
    pods,
  });

  function setup(cfg: EvictionConfig, pods: Pod[]) {
    const evicted: [string, PodEviction][] = [];
    let changes = 0;
    const m = new EvictionManager({
      config: cfg,
      capacityBytes: Gi,
      activePods: () => pods.filter((p) => !evicted.some(([n]) => n === p.metadata.name)),
      evict: (p, e) => (evicted.push([p.metadata.name!, e]), true),
      conditionsChanged: () => changes++,
      log: () => undefined,
    });
    return { m, evicted, changes: () => changes };
  }

  it('reports pressure, evicts one pod per sample by rank, refuses BestEffort pods until the transition period ends', () => {
    const burstable = pod('burstable', { requests: { memory: '100Mi' } });
    const bestEffort = pod('besteffort');
    const { m, evicted, changes } = setup(config(), [bestEffort, burstable]);
    const stats = usage([
      ['burstable', 500 * Mi],
      ['besteffort', 200 * Mi],
    ]);
    m.observe(sample(Gi - 150 * Mi, stats), 0);
    expect(m.underMemoryPressure).toBe(false);
    expect(evicted).toEqual([]);
    expect(m.admit(pod('new')).admit).toBe(true);

    m.observe(sample(Gi - 18 * Mi, stats), 1000);
    expect(m.underMemoryPressure).toBe(true);
    expect(changes()).toBe(1);
    expect(evicted.map(([n]) => n)).toEqual(['burstable']);
    const [, e] = evicted[0];
    expect(e).toMatchObject({ reason: 'Evicted', graceSeconds: 0 });
    expect(e.message).toBe(
      'The node was low on resource: memory. Threshold quantity: 100Mi, available: 18Mi. ' +
        'Container app was using 500Mi, request is 100Mi, has larger consumption of memory. ',
    );
    expect(e.condition).toEqual({
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'TerminationByKubelet',
      message: e.message,
    });

    // k8s Admit: BestEffort refused unless it tolerates the taint; other classes and critical pods admitted.
    expect(m.admit(pod('new'))).toEqual({
      admit: false,
      reason: 'Evicted',
      message: 'The node had condition: [MemoryPressure]. ',
    });
    expect(
      m.admit(
        pod(
          'tolerant',
          {},
          {
            tolerations: [
              {
                key: 'node.kubernetes.io/memory-pressure',
                operator: 'Exists',
                effect: 'NoSchedule',
              },
            ],
          },
        ),
      ).admit,
    ).toBe(true);
    expect(m.admit(pod('critical', {}, { priority: 2_000_001_000 })).admit).toBe(true);
    expect(m.admit(pod('burst', { requests: { memory: '1Mi' } })).admit).toBe(true);

    // Relieved: no more evictions, but the condition holds for the transition period.
    m.observe(sample(Gi - 600 * Mi, usage([['besteffort', 200 * Mi]])), 2000);
    expect(evicted.length).toBe(1);
    expect(m.underMemoryPressure).toBe(true);
    m.observe(sample(Gi - 600 * Mi, usage([['besteffort', 200 * Mi]])), 10_999);
    expect(m.underMemoryPressure).toBe(true);
    m.observe(sample(Gi - 600 * Mi, usage([['besteffort', 200 * Mi]])), 11_000);
    expect(m.underMemoryPressure).toBe(false);
    expect(changes()).toBe(2);
    expect(m.admit(pod('new')).admit).toBe(true);
  });

  it('waits out a soft threshold grace period and never evicts a critical pod', () => {
    const critical = pod('critical', {}, { priority: 2_000_000_000 });
    const plain = pod('plain', { requests: { memory: '1Gi' } });
    const cfg: EvictionConfig = {
      thresholds: parseThresholds('', 'memory.available<300Mi', 'memory.available=5s'),
      pressureTransitionMs: 1000,
    };
    const { m, evicted } = setup(cfg, [critical, plain]);
    const stats = usage([
      ['critical', 500 * Mi],
      ['plain', 100 * Mi],
    ]);
    m.observe(sample(Gi - 200 * Mi, stats), 0);
    expect(m.underMemoryPressure).toBe(true);
    m.observe(sample(Gi - 200 * Mi, stats), 4999);
    expect(evicted).toEqual([]);
    m.observe(sample(Gi - 200 * Mi, stats), 5000);
    expect(evicted.map(([n]) => n)).toEqual(['plain']);
  });

  it('ranks a pod whose CPU has no rate yet by its measured memory, not as one with no figures', () => {
    const hog = pod('hog');
    const fresh = pod('fresh', { requests: { memory: '64Mi' } });
    const { m, evicted } = setup(config(), [fresh, hog]);
    m.observe(
      {
        node: { memory: Gi - 10 * Mi },
        pods: usage([['hog', 700 * Mi]]),
        unrated: usage([['fresh', 10 * Mi]]),
      },
      0,
    );
    expect(evicted.map(([n]) => n)).toEqual(['hog']);
  });

  it('waits for an evicted pod to be gone before evicting another', () => {
    const a = pod('a');
    const b = pod('b');
    let pending = false;
    const evicted: string[] = [];
    const m = new EvictionManager({
      config: config(),
      capacityBytes: Gi,
      activePods: () => [a, b].filter((p) => !evicted.includes(p.metadata.name!)),
      evict: (p) => (evicted.push(p.metadata.name!), (pending = true)),
      evictionPending: () => pending,
      conditionsChanged: () => undefined,
      log: () => undefined,
    });
    const stats = usage([
      ['a', 600 * Mi],
      ['b', 300 * Mi],
    ]);
    m.observe(sample(Gi - 10 * Mi, stats), 0);
    m.observe(sample(Gi - 10 * Mi, stats), 1000);
    expect(evicted).toEqual(['a']);
    pending = false;
    m.observe(sample(Gi - 10 * Mi, stats), 2000);
    expect(evicted).toEqual(['a', 'b']);
  });

  it('measures a node declared smaller than its machine by its pods, and by the machine', () => {
    const s = sample(6 * Gi, usage([['a', 300 * Mi]]));
    // 1Gi declared on an 8Gi machine using 6Gi: the pods leave 724Mi of the declared 1Gi.
    expect(memoryAvailable(s, Gi, 8 * Gi)).toBe(Gi - 300 * Mi);
    // The machine itself nearly full: its shortage wins.
    expect(memoryAvailable(sample(8 * Gi - 50 * Mi, usage([])), Gi, 8 * Gi)).toBe(50 * Mi);
    // Pods with no CPU rate yet count too.
    const fresh = { ...sample(6 * Gi, usage([])), unrated: usage([['b', 100 * Mi]]) };
    expect(memoryAvailable(fresh, Gi, 8 * Gi)).toBe(Gi - 100 * Mi);
    // No declared slice: capacity − the node's working set.
    expect(memoryAvailable(s, 8 * Gi)).toBe(2 * Gi);
  });
});

describe('edgeplane agent eviction flags', () => {
  const cfg = (...extra: string[]) =>
    agentConfig(
      parseArgs(['--server', 'https://127.0.0.1:1', '--name', 'n1', '--runtime', 'fake', ...extra]),
      () => undefined,
    ).eviction!;

  it('defaults to kubelet’s memory.available<100Mi and a 5m transition period', () => {
    const c = cfg();
    expect(c.thresholds).toEqual([
      { signal: 'memory.available', bytes: 100 * Mi, text: '100Mi', gracePeriodMs: 0 },
    ]);
    expect(c.pressureTransitionMs).toBe(300_000);
  });

  it('takes hard and soft thresholds, a transition period, and none', () => {
    const c = cfg(
      '--eviction-hard',
      'memory.available<5%',
      '--eviction-soft',
      'memory.available<1Gi',
      '--eviction-soft-grace-period',
      'memory.available=30s',
      '--eviction-pressure-transition-period',
      '10s',
    );
    expect(c.thresholds.map((t) => [t.text, t.gracePeriodMs])).toEqual([
      ['5%', 0],
      ['1Gi', 30_000],
    ]);
    expect(c.pressureTransitionMs).toBe(10_000);
    expect(cfg('--eviction-hard', 'none').thresholds).toEqual([]);
    expect(() => cfg('--eviction-hard', 'memory.available<lots')).toThrow(UsageError);
    expect(() => cfg('--eviction-soft', 'memory.available<1Gi')).toThrow(
      /grace period must be specified/,
    );
  });
});
