// Which nodes a DaemonSet's pod belongs on, and the pod it puts there (node affinity to that node, its tolerations).
// k8s: pkg/controller/daemon/daemon_controller.go NodeShouldRunDaemonPod, predicates;
//      pkg/controller/daemon/util/daemonset_util.go AddOrUpdateDaemonPodTolerations, ReplaceDaemonSetPodNodeNameNodeAffinity
import type { DaemonSet } from '../../../src/api/apps-workloads';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  DAEMONSET_TEMPLATE_GENERATION_KEY,
} from '../../../src/api/apps-workloads';
import type { Node, Pod, Toleration } from '../../../src/api/core';
import { taintsOf, tolerates } from '../../../src/api/node';
import { controllerRef } from '../../../src/api/owner';
import type { ObjectMeta } from '../../../src/api/types';
import { podRequiredAffinityMatches } from '../../../src/lib/node-selector';

/** The tolerations every daemon pod gets, so node problems neither block nor evict it. */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork)
    t.push({
      key: 'node.kubernetes.io/network-unavailable',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
  return t;
}

/** Adds each automatic toleration the pod does not already have (same key, operator and effect). */
export function withDaemonTolerations(
  own: Toleration[] | undefined,
  hostNetwork: boolean,
): Toleration[] {
  const out = [...(own ?? [])];
  for (const t of daemonTolerations(hostNetwork))
    if (!out.some((o) => o.key === t.key && o.operator === t.operator && o.effect === t.effect))
      out.push(t);
  return out;
}

export interface Placement {
  /** A daemon pod should be created here if none runs. */
  shouldRun: boolean;
  /** A daemon pod already here may stay (no untolerated NoExecute taint). */
  shouldContinueRunning: boolean;
}

/** k8s: NodeShouldRunDaemonPod: the node name, node affinity and taints, with the daemon tolerations. */
export function placement(ds: DaemonSet, node: Node): Placement {
  const spec = (ds.spec.template?.spec ?? {}) as Pod['spec'] & {
    nodeName?: string;
    hostNetwork?: boolean;
  };
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (spec?.nodeName && spec.nodeName !== node.metadata.name) return no;
  if (!podRequiredAffinityMatches(spec as never, node)) return no;
  const tolerations = withDaemonTolerations(spec?.tolerations, !!spec?.hostNetwork);
  const untolerated = taintsOf(node).filter(
    (taint) =>
      (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') &&
      !tolerations.some((t) => tolerates(t, taint)),
  );
  if (untolerated.some((t) => t.effect === 'NoExecute')) return no;
  if (untolerated.length) return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The node a daemon pod is for: its nodeName, or before binding the node its affinity names. */
export function targetNode(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const affinity = (pod.spec as { affinity?: Record<string, never> } | undefined)?.affinity as
    | {
        nodeAffinity?: {
          requiredDuringSchedulingIgnoredDuringExecution?: {
            nodeSelectorTerms?: {
              matchFields?: { key: string; operator: string; values?: string[] }[];
            }[];
          };
        };
      }
    | undefined;
  for (const term of affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ?.nodeSelectorTerms ?? [])
    for (const f of term.matchFields ?? [])
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1)
        return f.values[0];
  return undefined;
}

/**
 * A daemon pod for one node: the template with the revision hash label, the daemon tolerations, and
 * required node affinity to exactly that node (the scheduler still binds it, as upstream since 1.12).
 */
export function daemonPodFor(ds: DaemonSet, node: string, hash: string): Pod {
  const t = ds.spec.template ?? {};
  const spec = structuredClone(t.spec ?? {}) as Record<string, unknown>;
  const affinity = { ...((spec.affinity as Record<string, unknown> | undefined) ?? {}) };
  const nodeAffinity = {
    ...((affinity.nodeAffinity as Record<string, unknown> | undefined) ?? {}),
  };
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] },
    ],
  };
  affinity.nodeAffinity = nodeAffinity;
  spec.affinity = affinity;
  spec.tolerations = withDaemonTolerations(
    spec.tolerations as Toleration[] | undefined,
    spec.hostNetwork === true,
  );
  const labels: Record<string, string> = { ...(t.metadata?.labels ?? {}) };
  labels[CONTROLLER_REVISION_HASH_LABEL] = hash;
  labels[DAEMONSET_TEMPLATE_GENERATION_KEY] = String(ds.metadata.generation ?? 1);
  const metadata: ObjectMeta = {
    generateName: `${ds.metadata.name}-`,
    namespace: ds.metadata.namespace,
    labels,
    ownerReferences: [controllerRef(ds, 'apps/v1', 'DaemonSet')],
  };
  if (t.metadata?.annotations) metadata.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers?.length) metadata.finalizers = [...t.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}
