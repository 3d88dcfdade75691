// Nodes, pods and a pod-by-pod placement loop for the scheduler tests.
import {
  addPod,
  buildNodeInfos,
  schedule,
  type NodeInfo,
  type Profile,
} from '../../workers/scheduler/framework';
import type {
  Container,
  Node,
  NodeAffinity,
  Pod,
  Taint,
  Toleration,
} from '../../workers/scheduler/types';

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  /** null: the node has not reported a Ready condition yet. */
  ready?: 'True' | 'False' | 'Unknown' | null;
  extra?: Record<string, string>;
}

export function node(name: string, o: NodeOpts = {}): Node {
  const ready = o.ready === undefined ? 'True' : o.ready;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { unschedulable: o.unschedulable, taints: o.taints },
    status: {
      allocatable: {
        cpu: o.cpu ?? '2',
        memory: o.memory ?? '4Gi',
        pods: o.pods ?? '110',
        ...o.extra,
      },
      conditions: ready === null ? [] : [{ type: 'Ready', status: ready }],
    },
  };
}

export interface PodOpts {
  cpu?: string;
  memory?: string;
  owner?: string;
  nodeName?: string;
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
  nodeAffinity?: NodeAffinity;
  hostPorts?: { port: number; protocol?: 'TCP' | 'UDP'; hostIP?: string }[];
  labels?: Record<string, string>;
  containers?: Container[];
  initContainers?: Container[];
  overhead?: Record<string, string>;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: o.labels,
      ownerReferences: o.owner
        ? [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: o.owner,
              uid: `uid-${o.owner}`,
              controller: true,
            },
          ]
        : undefined,
    },
    spec: {
      nodeName: o.nodeName,
      nodeSelector: o.nodeSelector,
      tolerations: o.tolerations,
      affinity: o.nodeAffinity ? { nodeAffinity: o.nodeAffinity } : undefined,
      overhead: o.overhead,
      initContainers: o.initContainers,
      containers: o.containers ?? [
        {
          name: 'app',
          resources: { requests },
          ports: o.hostPorts?.map((p) => ({
            containerPort: p.port,
            hostPort: p.port,
            protocol: p.protocol,
            hostIP: p.hostIP,
          })),
        },
      ],
    },
  };
}

/** Schedules pods one after another, counting each placed pod on its node; null where a pod fits nowhere. */
export function place(
  pods: Pod[],
  nodes: Node[] | NodeInfo[],
  profile: Profile,
  rng?: () => number,
): Array<string | null> {
  const infos: NodeInfo[] =
    'node' in nodes[0] ? (nodes as NodeInfo[]) : buildNodeInfos(nodes as Node[], []);
  return pods.map((p) => {
    const result = schedule(p, infos, profile, { rng });
    if (!result.scheduled) return null;
    addPod(
      infos.find((n) => n.name === result.nodeName)!,
      { ...p, spec: { ...p.spec, nodeName: result.nodeName } },
    );
    return result.nodeName;
  });
}

/** The FailedScheduling message for a pod against these nodes (with these pods already bound). */
export function whyNot(p: Pod, nodes: Node[], profile: Profile, bound: Pod[] = []): string {
  const result = schedule(p, buildNodeInfos(nodes, bound), profile);
  if (result.scheduled)
    throw new Error(`expected ${p.metadata.name} not to fit, but it went to ${result.nodeName}`);
  return result.message;
}

export const replicas = (n: number, o: PodOpts, prefix = 'web') =>
  Array.from({ length: n }, (_, i) => pod(`${prefix}-${i}`, o));
