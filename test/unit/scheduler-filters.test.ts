// Filter plugins through whole scheduling cycles: where a pod may go, and the FailedScheduling text when it may not.
import { describe, expect, it } from 'vitest';
import {
  buildNodeInfos,
  fitErrorMessage,
  NO_NODES_MESSAGE,
  schedule,
} from '../../workers/scheduler/framework';
import { profileFor } from '../../workers/scheduler/profile';
import type { Toleration } from '../../workers/scheduler/types';
import { node, place, pod, whyNot } from './scheduler-fixtures';

const profile = profileFor('least-allocated');
const PREEMPT3 =
  ' preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
const only = (p: ReturnType<typeof pod>, nodes: ReturnType<typeof node>[]) =>
  place([p], nodes, profile)[0];

describe('FailedScheduling message', () => {
  it("counts each node's reason, sorted, with the preemption verdict", () => {
    const nodes = [
      node('n1', { cpu: '1' }),
      node('n2', { ready: 'Unknown' }),
      node('n3', { ready: 'Unknown' }),
    ];
    expect(whyNot(pod('big', { cpu: '1500m' }), nodes, profile)).toBe(
      '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.' +
        PREEMPT3,
    );
  });

  it('lists every resource a node lacks, and a full node as Too many pods', () => {
    const nodes = [
      node('n1', { cpu: '1', memory: '1Gi' }),
      node('n2', { pods: '1' }),
      node('n3', { cpu: '1' }),
    ];
    const bound = [pod('resident', { nodeName: 'n2' })];
    expect(whyNot(pod('big', { cpu: '1500m', memory: '2Gi' }), nodes, profile, bound)).toBe(
      '0/3 nodes are available: 1 Insufficient memory, 1 Too many pods, 2 Insufficient cpu.' +
        PREEMPT3,
    );
  });

  it('sorts the counts as strings, as upstream does', () => {
    const statuses = [
      ...Array.from({ length: 10 }, () => ({
        code: 'Unschedulable' as const,
        reasons: ['Insufficient cpu'],
      })),
      ...Array.from({ length: 2 }, () => ({
        code: 'UnschedulableAndUnresolvable' as const,
        reasons: ['node(s) were unschedulable'],
      })),
    ];
    expect(fitErrorMessage(12, statuses)).toBe(
      '0/12 nodes are available: 10 Insufficient cpu, 2 node(s) were unschedulable. preemption: 0/12 nodes are available: 12 Preemption is not helpful for scheduling.',
    );
  });

  it('says there are no nodes when the cluster has none', () => {
    expect(schedule(pod('p'), [], profile)).toEqual({
      scheduled: false,
      message: NO_NODES_MESSAGE,
      statuses: new Map(),
    });
  });

  it('records which plugin rejected each node', () => {
    const result = schedule(
      pod('p', { nodeSelector: { disk: 'ssd' } }),
      buildNodeInfos([node('n1'), node('n2', { unschedulable: true })], []),
      profile,
    );
    expect(result.scheduled).toBe(false);
    if (!result.scheduled)
      expect(Object.fromEntries([...result.statuses].map(([n, s]) => [n, s.plugin]))).toEqual({
        n1: 'NodeAffinity',
        n2: 'NodeUnschedulable',
      });
  });
});

describe('TaintToleration', () => {
  const dedicated = node('gpu', {
    taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
  });

  it('keeps pods off a NoSchedule or NoExecute taint they do not tolerate', () => {
    const evicting = node('bad', { taints: [{ key: 'broken', effect: 'NoExecute' }] });
    expect(whyNot(pod('p'), [dedicated, evicting], profile)).toBe(
      '0/2 nodes are available: 1 node(s) had untolerated taint {broken: }, 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
  });

  it.each<[string, Toleration, boolean]>([
    [
      'Equal with the value',
      { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
      true,
    ],
    ['Equal by default', { key: 'dedicated', value: 'gpu' }, true],
    ['Exists on the key', { key: 'dedicated', operator: 'Exists' }, true],
    ['Exists with no key (everything)', { operator: 'Exists' }, true],
    ['a different value', { key: 'dedicated', value: 'cpu' }, false],
    ['a different effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
  ])('a toleration by %s: fits=%s', (_name, toleration, fits) => {
    expect(only(pod('p', { tolerations: [toleration] }), [dedicated])).toBe(fits ? 'gpu' : null);
  });

  it('lets PreferNoSchedule through but prefers untainted nodes', () => {
    const soft = node('a-soft', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] });
    expect(only(pod('p'), [soft, node('b-plain')])).toBe('b-plain');
    expect(only(pod('p'), [soft])).toBe('a-soft');
    expect(
      only(
        pod('p', {
          tolerations: [{ key: 'spot', operator: 'Exists', effect: 'PreferNoSchedule' }],
        }),
        [soft, node('b-plain', { cpu: '1' })],
      ),
    ).toBe('a-soft');
  });
});

describe('NodeAffinity', () => {
  const nodes = [
    node('n1', { labels: { disk: 'hdd', cores: '4' } }),
    node('n2', { labels: { disk: 'ssd', cores: '8' } }),
    node('n3', { labels: { disk: 'ssd', cores: '16', zone: 'b' } }),
  ];

  it('honours nodeSelector', () => {
    expect(only(pod('p', { nodeSelector: { disk: 'hdd' } }), nodes)).toBe('n1');
    expect(whyNot(pod('p', { nodeSelector: { disk: 'nvme' } }), nodes, profile)).toBe(
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector." + PREEMPT3,
    );
  });

  it('ORs required terms and ANDs expressions within one', () => {
    const nodeAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: 'disk', operator: 'In' as const, values: ['ssd'] },
              { key: 'cores', operator: 'Gt' as const, values: ['10'] },
            ],
          },
          { matchFields: [{ key: 'metadata.name', operator: 'In' as const, values: ['n1'] }] },
        ],
      },
    };
    const placed = place(
      [pod('a', { nodeAffinity }), pod('b', { nodeAffinity }), pod('c', { nodeAffinity })],
      nodes,
      profile,
    );
    expect(new Set(placed)).toEqual(new Set(['n1', 'n3']));
  });

  it('treats NotIn and DoesNotExist as upstream does', () => {
    const notIn = {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'disk', operator: 'NotIn' as const, values: ['ssd'] }] },
        ],
      },
    };
    const noZone = {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' as const }] },
        ],
      },
    };
    expect(only(pod('p', { nodeAffinity: notIn }), nodes)).toBe('n1');
    expect(
      place(
        [pod('a', { nodeAffinity: noZone }), pod('b', { nodeAffinity: noZone })],
        nodes,
        profile,
      ),
    ).not.toContain('n3');
  });

  it('goes where preferred terms weigh most', () => {
    const nodeAffinity = {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 10,
          preference: {
            matchExpressions: [{ key: 'disk', operator: 'In' as const, values: ['ssd'] }],
          },
        },
        {
          weight: 50,
          preference: {
            matchExpressions: [{ key: 'cores', operator: 'Lt' as const, values: ['10'] }],
          },
        },
      ],
    };
    expect(only(pod('p', { nodeAffinity }), nodes)).toBe('n2');
  });
});

describe('NodePorts', () => {
  it('never puts two pods holding the same host port on one node', () => {
    const web = (name: string) => pod(name, { hostPorts: [{ port: 8080 }] });
    const nodes = [node('n1'), node('n2')];
    const placed = place([web('a'), web('b'), web('c')], nodes, profile);
    expect(placed.slice(0, 2).sort()).toEqual(['n1', 'n2']);
    expect(placed[2]).toBeNull();
    const bound = [
      pod('a', { hostPorts: [{ port: 8080 }], nodeName: 'n1' }),
      pod('b', { hostPorts: [{ port: 8080 }], nodeName: 'n2' }),
    ];
    expect(whyNot(web('c'), nodes, profile, bound)).toBe(
      "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
  });

  it('lets another protocol or another specific address share the port, but not 0.0.0.0', () => {
    const bound = [
      pod('a', { hostPorts: [{ port: 53, protocol: 'UDP', hostIP: '127.0.0.2' }], nodeName: 'n1' }),
    ];
    const infos = () => buildNodeInfos([node('n1')], bound);
    const fits = (p: ReturnType<typeof pod>) => schedule(p, infos(), profile).scheduled;
    expect(
      fits(pod('tcp', { hostPorts: [{ port: 53, protocol: 'TCP', hostIP: '127.0.0.2' }] })),
    ).toBe(true);
    expect(
      fits(pod('other-ip', { hostPorts: [{ port: 53, protocol: 'UDP', hostIP: '127.0.0.3' }] })),
    ).toBe(true);
    expect(
      fits(pod('same', { hostPorts: [{ port: 53, protocol: 'UDP', hostIP: '127.0.0.2' }] })),
    ).toBe(false);
    expect(fits(pod('any', { hostPorts: [{ port: 53, protocol: 'UDP' }] }))).toBe(false);
  });
});

describe('NodeUnschedulable and NodeName', () => {
  it('keeps new pods off a cordoned node unless they tolerate it', () => {
    const nodes = [node('n1', { unschedulable: true })];
    expect(whyNot(pod('p'), nodes, profile)).toBe(
      '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );
    expect(
      only(
        pod('ds', {
          tolerations: [
            { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
          ],
        }),
        nodes,
      ),
    ).toBe('n1');
  });

  it('sends a pod that names its node there and nowhere else', () => {
    expect(only(pod('p', { nodeName: 'n2' }), [node('n1'), node('n2')])).toBe('n2');
    expect(whyNot(pod('p', { nodeName: 'gone' }), [node('n1')], profile)).toBe(
      "0/1 nodes are available: 1 node(s) didn't match the requested node name. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    );
  });
});

describe('node readiness', () => {
  const notReady = [
    node('down', { ready: 'False' }),
    node('new', { ready: null }),
    node('lost', { ready: 'Unknown' }),
  ];

  it('filters nodes whose Ready condition is not True, naming the taint upstream would carry', () => {
    expect(whyNot(pod('p'), notReady, profile)).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.' +
        PREEMPT3,
    );
    expect(only(pod('p'), [...notReady, node('ok')])).toBe('ok');
  });

  it('does not let the default NoExecute tolerations (300 s) schedule onto them', () => {
    const defaults: Toleration[] = [
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ];
    expect(only(pod('p', { tolerations: defaults }), notReady)).toBeNull();
  });

  it('admits a pod that tolerates the taint', () => {
    expect(
      only(
        pod('p', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }] }),
        notReady,
      ),
    ).toBe('lost');
    expect(only(pod('p', { tolerations: [{ operator: 'Exists' }] }), [notReady[0]])).toBe('down');
  });
});
