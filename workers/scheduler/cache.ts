// The scheduler cache: nodes with the pods bound to them, and the pods the scheduler assumed before their bindings were seen.
// k8s: pkg/scheduler/backend/cache/cache.go (AssumePod, FinishBinding, ForgetPod, AddPod, UpdatePod, RemovePod, cleanupAssumedPods)
import {
  addPod,
  newNodeInfo,
  OwnerZoneCounts,
  ownerKey,
  removePod,
  type NodeInfo,
  type NodeInfoList,
} from './framework';
import { nodeAllocatable } from './resources';
import type { Node, Pod } from './types';

/**
 * How long an assumed pod whose binding call returned may wait for the watch to show it bound
 * before the cache stops counting it. k8s: the cache's ttl, 30 s (scheduler.go, before 1.28 made it 0, never).
 */
export const ASSUMED_POD_TTL_MS = 30_000;

interface PodState {
  pod: Pod;
  node: string;
  assumed: boolean;
  /** Set when the binding call returned; an assumed pod past it is expired. */
  deadline?: number;
}

const keyOf = (pod: Pod) => `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;

/** Pods the cache counts: bound, not finished, not terminating (a terminating pod's room is about to be free). */
export function countsOnNode(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return (
    !!pod.spec?.nodeName &&
    phase !== 'Succeeded' &&
    phase !== 'Failed' &&
    !pod.metadata.deletionTimestamp
  );
}

export class SchedulerCache {
  /** Every node name any pod or Node refers to; `node` is unset until the Node itself is known. */
  private readonly infos = new Map<string, NodeInfo & { known: boolean }>();
  private readonly pods = new Map<string, PodState>();
  /** Keys of the assumed pods, so expiring them never walks every cached pod. */
  private readonly assumed = new Set<string>();
  private list: NodeInfoList | null = null;
  /** Pods by owner and zone over the known nodes (PodTopologySpread's defaults read it). */
  readonly ownerZones = new OwnerZoneCounts();
  /** Assumed pods expired since start (bindings the watch never showed). */
  expired = 0;

  constructor(private readonly now: () => number) {}

  /** The known nodes, in a stable order, for one scheduling cycle. */
  nodeInfos(): NodeInfoList {
    if (!this.list) {
      this.list = [...this.infos.values()].filter((i) => i.known);
      this.list.ownerZones = this.ownerZones;
    }
    return this.list;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    const i = this.infos.get(name);
    return i?.known ? i : undefined;
  }

  get podCount(): number {
    return this.pods.size;
  }

  /** The same pod (by UID: a pod deleted and created again under its name is another pod) is assumed. */
  isAssumed(pod: Pod): boolean {
    const state = this.pods.get(keyOf(pod));
    return !!state?.assumed && state.pod.metadata.uid === pod.metadata.uid;
  }

  addNode(node: Node): NodeInfo {
    const name = node.metadata.name ?? '';
    const info = this.infos.get(name);
    if (info) {
      // Its pods move to the zone the node now names (or start counting once the node is known).
      if (info.known) this.countZone(info, -1);
      info.node = node;
      info.allocatable = nodeAllocatable(node);
      if (!info.known) this.list = null;
      info.known = true;
      this.countZone(info, 1);
      return info;
    }
    const fresh = Object.assign(newNodeInfo(node), { known: true });
    this.infos.set(name, fresh);
    this.list = null;
    return fresh;
  }

  updateNode(node: Node): NodeInfo {
    return this.addNode(node);
  }

  /** The node goes; its pods stay counted under its name in case it comes back before they go. */
  removeNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const info = this.infos.get(name);
    if (!info) return;
    if (info.known) this.countZone(info, -1);
    if (info.pods.length === 0) this.infos.delete(name);
    else info.known = false;
    this.list = null;
  }

  /** The scheduler decided: count the pod on the node now, before its binding lands. */
  assumePod(pod: Pod, nodeName: string): void {
    const key = keyOf(pod);
    if (this.pods.has(key)) throw new Error(`pod ${key} is already in the scheduler cache`);
    const bound: Pod = { ...pod, spec: { ...pod.spec, nodeName } };
    this.pods.set(key, { pod: bound, node: nodeName, assumed: true });
    this.assumed.add(key);
    this.place(this.entry(nodeName), bound);
  }

  /** The binding call returned: the watch now has ASSUMED_POD_TTL_MS to show the pod bound. */
  finishBinding(pod: Pod): void {
    const state = this.pods.get(keyOf(pod));
    if (state?.assumed) state.deadline = this.now() + ASSUMED_POD_TTL_MS;
  }

  /** The binding failed: stop counting the assumed pod. */
  forgetPod(pod: Pod): void {
    const state = this.pods.get(keyOf(pod));
    if (!state?.assumed) return;
    this.drop(keyOf(pod), state);
  }

  /** A bound pod from the watch: confirms an assumed pod, or counts a new one. */
  addPod(pod: Pod): void {
    if (!countsOnNode(pod)) return;
    const key = keyOf(pod);
    const state = this.pods.get(key);
    if (state) this.drop(key, state);
    const node = pod.spec.nodeName!;
    this.pods.set(key, { pod, node, assumed: false });
    this.place(this.entry(node), pod);
  }

  updatePod(pod: Pod): void {
    if (countsOnNode(pod)) this.addPod(pod);
    else this.removePod(pod);
  }

  removePod(pod: Pod): void {
    const key = keyOf(pod);
    const state = this.pods.get(key);
    if (state) this.drop(key, state);
  }

  /** Drops assumed pods whose binding returned long ago yet never showed up bound. Answers how many. */
  cleanupAssumedPods(): number {
    const t = this.now();
    let n = 0;
    for (const key of this.assumed) {
      const state = this.pods.get(key)!;
      if (state.deadline !== undefined && state.deadline <= t) {
        this.drop(key, state);
        this.expired++;
        n++;
      }
    }
    return n;
  }

  /** When the first assumed pod whose binding returned expires, or undefined. */
  nextExpiry(): number | undefined {
    let first: number | undefined;
    for (const key of this.assumed) {
      const d = this.pods.get(key)!.deadline;
      if (d !== undefined && (first === undefined || d < first)) first = d;
    }
    return first;
  }

  /** Forgets everything (before a relist rebuilds it). */
  clear(): void {
    this.infos.clear();
    this.pods.clear();
    this.assumed.clear();
    this.ownerZones.clear();
    this.list = null;
  }

  private entry(name: string): NodeInfo & { known: boolean } {
    let info = this.infos.get(name);
    if (!info) {
      // A pod seen before its node: an empty placeholder keeps its requests until the Node arrives.
      info = Object.assign(newNodeInfo({ apiVersion: 'v1', kind: 'Node', metadata: { name } }), {
        known: false,
      });
      this.infos.set(name, info);
    }
    return info;
  }

  private drop(key: string, state: PodState): void {
    this.pods.delete(key);
    this.assumed.delete(key);
    const info = this.infos.get(state.node);
    if (!info) return;
    if (removePod(info, state.pod) && info.known) {
      const owner = ownerKey(state.pod);
      if (owner) this.ownerZones.add(owner, zoneOf(info), -1);
    }
    if (!info.known && info.pods.length === 0) this.infos.delete(state.node);
  }

  private place(info: NodeInfo & { known: boolean }, pod: Pod): void {
    addPod(info, pod);
    const owner = ownerKey(pod);
    if (owner && info.known) this.ownerZones.add(owner, zoneOf(info), 1);
  }

  /** Adds (1) or takes away (-1) every pod of a known node under its zone. */
  private countZone(info: NodeInfo, sign: 1 | -1): void {
    const zone = zoneOf(info);
    for (const [owner, n] of info.ownerCounts) this.ownerZones.add(owner, zone, sign * n);
  }
}

/** The zone a node's pods count under in OwnerZoneCounts ('' for none, as the spreading score reads it). */
const zoneOf = (info: NodeInfo) => info.node.metadata.labels?.[ZONE_LABEL] ?? '';
const ZONE_LABEL = 'topology.kubernetes.io/zone';
