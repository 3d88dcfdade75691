// DaemonSet decisions: placement by selector, affinity and taints; one pod per node; rolling update pacing.
import { describe, expect, it } from 'vitest';
import type { DaemonSet } from '../../src/api/apps-workloads';
import type { Node, Pod } from '../../src/api/core';
import { nodeStates, planDaemonSet } from '../../workers/controllers/daemonset/plan';
import {
  daemonPodFor,
  placement,
  targetNode,
} from '../../workers/controllers/daemonset/predicates';
import { daemonSetStatus } from '../../workers/controllers/daemonset/status';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const node = (
  name: string,
  extra: Partial<Node['spec']> = {},
  labels: Record<string, string> = {},
): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  spec: { ...extra },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});
const ds = (
  spec: Partial<DaemonSet['spec']> = {},
  podSpec: Record<string, unknown> = {},
): DaemonSet => ({
  metadata: { name: 'agent', namespace: 'ns', uid: 'ds-uid', generation: 2 },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: { containers: [{ name: 'c' }], ...podSpec },
    },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    ...spec,
  },
});
let n = 0;
const pod = (nodeName: string, hash: string, ready = true): Pod => ({
  metadata: {
    name: `agent-${++n}`,
    uid: `uid-${n}`,
    namespace: 'ns',
    labels: { app: 'agent', 'controller-revision-hash': hash },
    creationTimestamp: new Date(NOW - 600_000 + n * 1000).toISOString(),
  },
  spec: { nodeName },
  status: {
    phase: 'Running',
    conditions: [
      {
        type: 'Ready',
        status: ready ? 'True' : 'False',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ],
  },
});
const byNode = (pods: Pod[]) => {
  const m = new Map<string, Pod[]>();
  for (const p of pods) m.set(p.spec!.nodeName!, [...(m.get(p.spec!.nodeName!) ?? []), p]);
  return m;
};

describe('DaemonSet placement', () => {
  it('runs on every node, and not on one whose NoSchedule taint it does not tolerate', () => {
    const d = ds();
    expect(placement(d, node('a'))).toEqual({ shouldRun: true, shouldContinueRunning: true });
    const tainted = node('b', {
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
    });
    expect(placement(d, tainted)).toEqual({ shouldRun: false, shouldContinueRunning: true });
    const evicting = node('c', { taints: [{ key: 'dedicated', effect: 'NoExecute' }] });
    expect(placement(d, evicting).shouldContinueRunning).toBe(false);
    const tolerant = ds({}, { tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
    expect(placement(tolerant, tainted).shouldRun).toBe(true);
  });

  it('tolerates the node problems upstream tolerates for daemon pods, and honours nodeSelector', () => {
    const d = ds({}, { nodeSelector: { role: 'edge' } });
    const cordoned = node(
      'a',
      {
        unschedulable: true,
        taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
      },
      { role: 'edge' },
    );
    expect(placement(d, cordoned).shouldRun).toBe(true);
    expect(placement(d, node('b')).shouldRun).toBe(false);
    const notReady = node(
      'c',
      { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] },
      { role: 'edge' },
    );
    expect(placement(d, notReady).shouldRun).toBe(false);
  });

  it('pins its pod to the node by matchFields affinity and adds the daemon tolerations', () => {
    const p = daemonPodFor(ds({}, { hostNetwork: true }), 'node-7', 'abc');
    expect(p.metadata.labels).toMatchObject({
      app: 'agent',
      'controller-revision-hash': 'abc',
      'pod-template-generation': '2',
    });
    expect(p.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'DaemonSet',
      name: 'agent',
      controller: true,
    });
    expect(targetNode(p)).toBe('node-7');
    const keys = (p.spec!.tolerations ?? []).map((t) => `${t.key}:${t.effect}`);
    expect(keys).toContain('node.kubernetes.io/not-ready:NoExecute');
    expect(keys).toContain('node.kubernetes.io/unschedulable:NoSchedule');
    expect(keys).toContain('node.kubernetes.io/network-unavailable:NoSchedule');
  });
});

describe('DaemonSet plan', () => {
  it('creates a pod on each node without one and deletes extras and pods of vanished nodes', () => {
    const d = ds();
    const extra = [pod('a', 'h1'), pod('a', 'h1')];
    const gone = pod('zz', 'h1');
    const states = nodeStates(d, [node('a'), node('b'), node('c')], byNode(extra));
    const plan = planDaemonSet(d, states, [gone], 'h1', NOW);
    expect(plan.create.sort()).toEqual(['b', 'c']);
    expect(plan.delete.map((p) => p.metadata.name).sort()).toEqual(
      [extra[1].metadata.name, gone.metadata.name].sort(),
    );
  });

  it('rolls one node at a time with maxUnavailable 1, and waits while a new pod is unavailable', () => {
    const d = ds();
    const old = ['a', 'b', 'c'].map((x) => pod(x, 'old'));
    let plan = planDaemonSet(
      d,
      nodeStates(
        d,
        ['a', 'b', 'c'].map((x) => node(x)),
        byNode(old),
      ),
      [],
      'new',
      NOW,
    );
    expect(plan.delete.map((p) => p.spec!.nodeName)).toEqual(['a']);
    expect(plan.create).toEqual([]);
    // Node a runs a new pod that is not ready yet: nothing else may go.
    const mid = [pod('a', 'new', false), old[1], old[2]];
    plan = planDaemonSet(
      d,
      nodeStates(
        d,
        ['a', 'b', 'c'].map((x) => node(x)),
        byNode(mid),
      ),
      [],
      'new',
      NOW,
    );
    expect(plan.delete).toEqual([]);
    const next = [pod('a', 'new', true), old[1], old[2]];
    plan = planDaemonSet(
      d,
      nodeStates(
        d,
        ['a', 'b', 'c'].map((x) => node(x)),
        byNode(next),
      ),
      [],
      'new',
      NOW,
    );
    expect(plan.delete.map((p) => p.spec!.nodeName)).toEqual(['b']);
  });

  it('surges: creates a new pod beside the old one, then deletes the old once the new is available', () => {
    const d = ds({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    });
    const old = ['a', 'b'].map((x) => pod(x, 'old'));
    const nodes = ['a', 'b'].map((x) => node(x));
    let plan = planDaemonSet(d, nodeStates(d, nodes, byNode(old)), [], 'new', NOW);
    expect(plan).toEqual({ create: ['a'], delete: [] });
    const fresh = pod('a', 'new', true);
    plan = planDaemonSet(d, nodeStates(d, nodes, byNode([...old, fresh])), [], 'new', NOW);
    expect(plan.delete.map((p) => p.metadata.name)).toEqual([old[0].metadata.name]);
  });

  it('leaves old pods alone with OnDelete', () => {
    const d = ds({ updateStrategy: { type: 'OnDelete' } });
    const old = ['a', 'b'].map((x) => pod(x, 'old'));
    const plan = planDaemonSet(
      d,
      nodeStates(
        d,
        ['a', 'b'].map((x) => node(x)),
        byNode(old),
      ),
      [],
      'new',
      NOW,
    );
    expect(plan).toEqual({ create: [], delete: [] });
  });

  it('counts desired, current, ready, updated and misscheduled nodes', () => {
    const d = ds();
    const tainted = node('c', { taints: [{ key: 'x', effect: 'NoSchedule' }] });
    const pods = [pod('a', 'new'), pod('b', 'old', false), pod('c', 'old')];
    const { status } = daemonSetStatus(
      d,
      nodeStates(d, [node('a'), node('b'), tainted], byNode(pods)),
      'new',
      NOW,
    );
    expect(status).toMatchObject({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberReady: 1,
      numberAvailable: 1,
      numberUnavailable: 1,
      updatedNumberScheduled: 1,
      numberMisscheduled: 1,
      observedGeneration: 2,
    });
  });
});
