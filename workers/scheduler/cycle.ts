// One scheduling pass: pending pods, a snapshot of nodes and bound pods, filter/score, bind through the API.
import type { KubeClient } from '../../src/client/client';
import type { EventRecorder } from '../../src/client/events';
import { isConflict, isNotFound } from '../../src/client/errors';
import { addPod, buildNodeInfos, schedule, type Profile } from './framework';
import type { Node, Pod } from './types';
import type { PassResult } from '../shared/leader';

/** Pods bound per pass; the rest waits for the next pass (a bounded batch per invocation). */
const BATCH = 200;
/** Bindings in flight at once. */
const PARALLEL = 16;
/** k8s: podInitialBackoffDuration 1 s, doubling; we stop retrying on our own after 32 s and wait for a change or cron. */
const BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 32000];

export interface Backoff {
  attempts: number;
  nextAt: number;
  message: string;
}

export interface SchedulerState {
  /** Unschedulable pods by UID: when to try again, and the last reason told to the user. */
  backoff: Map<string, Backoff>;
}

export interface CycleDeps {
  client: KubeClient;
  recorder: EventRecorder;
  profile: Profile;
  now(): number;
  /** Resources changed since the last pass: a node or pod change makes backed-off pods eligible again. */
  changed: Set<string>;
}

interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

const priority = (p: Pod) => (p.spec as { priority?: number } | undefined)?.priority ?? 0;
const conditionsOf = (p: Pod) => ((p.status as { conditions?: PodCondition[] } | undefined)?.conditions ?? []);

const isActive = (p: Pod) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

export async function runSchedulingPass(state: SchedulerState, deps: CycleDeps): Promise<PassResult & { bound: number; failed: number }> {
  const { client, now } = deps;
  // List items carry no kind; events about them need it.
  const pending = (await client.list<Pod>('pods', { fieldSelector: 'spec.nodeName=', all: true })).items.map((p) => ({ ...p, apiVersion: 'v1', kind: 'Pod' })).filter(
    (p) => isActive(p) && (p.spec?.schedulerName ?? 'default-scheduler') === 'default-scheduler',
  );
  // k8s: the SchedulingGates PreEnqueue plugin: a gated pod never enters the queue; it only says why.
  const gated = pending.filter((p) => ((p.spec as { schedulingGates?: unknown[] } | undefined)?.schedulingGates ?? []).length > 0);
  for (const pod of gated) await markGated(deps, pod);
  const ungated = pending.filter((p) => !gated.includes(p));
  const live = new Set(ungated.map((p) => p.metadata.uid!));
  for (const uid of state.backoff.keys()) if (!live.has(uid)) state.backoff.delete(uid);
  if (ungated.length === 0) return { bound: 0, failed: 0 };

  // A cluster change (a node or a pod leaving) may make room: retry every backed-off pod now.
  if (deps.changed.has('*') || deps.changed.has('nodes') || deps.changed.has('pods')) {
    for (const b of state.backoff.values()) b.nextAt = 0;
  }
  const t = now();
  const due = ungated
    .filter((p) => (state.backoff.get(p.metadata.uid!)?.nextAt ?? 0) <= t)
    .sort((a, b) => priority(b) - priority(a) || String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
  const batch = due.slice(0, BATCH);
  let bound = 0;
  let failed = 0;
  if (batch.length > 0) {
    const [nodes, pods] = await Promise.all([
      client.list<Node>('nodes', { all: true }),
      client.list<Pod>('pods', { fieldSelector: 'spec.nodeName!=', all: true }),
    ]);
    const infos = buildNodeInfos(nodes.items, pods.items.filter(isActive));
    const byName = new Map(infos.map((i) => [i.name, i]));
    // Decisions are made one pod at a time against the snapshot, assuming earlier decisions (the
    // scheduler cache's "assumed pods"); bindings then go out in parallel.
    const decisions: { pod: Pod; node: string }[] = [];
    for (const pod of batch) {
      const result = schedule(pod, infos, deps.profile);
      if (result.scheduled) {
        addPod(byName.get(result.nodeName)!, pod);
        decisions.push({ pod, node: result.nodeName });
      } else {
        failed++;
        await recordUnschedulable(state, deps, pod, result.message);
      }
    }
    for (let i = 0; i < decisions.length; i += PARALLEL) {
      const results = await Promise.all(decisions.slice(i, i + PARALLEL).map((d) => bind(deps, d.pod, d.node)));
      bound += results.filter(Boolean).length;
    }
    for (const d of decisions) state.backoff.delete(d.pod.metadata.uid!);
  }
  const more = due.length > batch.length;
  const next = [...state.backoff.values()].filter((b) => b.attempts <= BACKOFF_MS.length).map((b) => b.nextAt);
  const requeueAfterMs = next.length ? Math.max(0, Math.min(...next) - now()) : undefined;
  return { bound, failed, more, requeueAfterMs };
}

async function bind(deps: CycleDeps, pod: Pod, node: string): Promise<boolean> {
  const ns = pod.metadata.namespace!;
  try {
    await deps.client.createSubresource('pods', pod.metadata.name!, 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod.metadata.name, namespace: ns, uid: pod.metadata.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    }, { namespace: ns });
  } catch (e) {
    // Bound by someone else, or gone: either way, not ours to retry.
    if (isConflict(e) || isNotFound(e)) return false;
    throw e;
  }
  await deps.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${pod.metadata.name} to ${node}`).catch(() => undefined);
  return true;
}

const GATED_MESSAGE = 'Scheduling is blocked due to non-empty scheduling gates';

async function markGated(deps: CycleDeps, pod: Pod): Promise<void> {
  const cond = conditionsOf(pod).find((c) => c.type === 'PodScheduled');
  if (cond?.status === 'False' && cond.reason === 'SchedulingGated') return;
  const conditions: PodCondition[] = conditionsOf(pod).filter((c) => c.type !== 'PodScheduled');
  conditions.push({ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: GATED_MESSAGE, lastProbeTime: null, lastTransitionTime: new Date(deps.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') });
  try {
    await deps.client.patch('pods', pod.metadata.name!, 'merge', { status: { conditions } }, { namespace: pod.metadata.namespace, subresource: 'status', fieldManager: 'default-scheduler' });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** PodScheduled=False with reason Unschedulable, and a FailedScheduling event, only when the reason changes. */
async function recordUnschedulable(state: SchedulerState, deps: CycleDeps, pod: Pod, message: string): Promise<void> {
  const uid = pod.metadata.uid!;
  const prev = state.backoff.get(uid);
  const attempts = (prev?.attempts ?? 0) + 1;
  const delay = BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)];
  state.backoff.set(uid, { attempts, nextAt: deps.now() + delay, message });
  const cond = conditionsOf(pod).find((c) => c.type === 'PodScheduled');
  if (cond?.status === 'False' && cond.message === message && prev?.message === message) return;
  const ns = pod.metadata.namespace!;
  const conditions: PodCondition[] = conditionsOf(pod).filter((c) => c.type !== 'PodScheduled');
  conditions.push({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: new Date(deps.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') });
  try {
    await deps.client.patch('pods', pod.metadata.name!, 'merge', { status: { conditions } }, { namespace: ns, subresource: 'status', fieldManager: 'default-scheduler' });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    return;
  }
  await deps.recorder.event(pod, 'Warning', 'FailedScheduling', message).catch(() => undefined);
}
