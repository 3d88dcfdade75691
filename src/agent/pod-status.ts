// A pod's status from what the runtime and the probes observe: phase, conditions, container statuses (pure).
// k8s: pkg/kubelet/kubelet_pods.go generateAPIPodStatus, getPhase, convertToAPIContainerStatuses;
// pkg/kubelet/status/generate.go (Initialized, ContainersReady, Ready conditions).
import type { ContainerInstance } from './runtime';
import {
  rfc3339,
  type Container,
  type ContainerState,
  type ContainerStatus,
  type Pod,
  type PodCondition,
  type PodStatus,
} from './types';

export interface ContainerView {
  /** The newest instance and the one before it (lastState). */
  latest?: ContainerInstance;
  previous?: ContainerInstance;
  /** The pod worker's reason for not running it now: CrashLoopBackOff, CreateContainerConfigError, ... */
  waiting?: { reason: string; message?: string };
  started: boolean;
  ready: boolean;
}

export interface PodView {
  pod: Pod;
  hostIP: string;
  podIP?: string;
  view(name: string, init: boolean): ContainerView;
  /** The pod is being deleted and its containers have all stopped: report a terminal phase. */
  terminated: boolean;
  now?: number;
}

function terminatedState(c: ContainerInstance): ContainerState {
  return {
    terminated: {
      exitCode: c.exitCode ?? 0,
      ...(c.signal ? { signal: c.signal } : {}),
      reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'),
      ...(c.message ? { message: c.message } : {}),
      startedAt: rfc3339(c.startedAt),
      finishedAt: rfc3339(c.finishedAt ?? c.startedAt),
      containerID: c.id,
    },
  };
}

function containerStatus(
  spec: Container,
  v: ContainerView,
  init: boolean,
  podInitializing: boolean,
): ContainerStatus {
  const { latest, previous } = v;
  let state: ContainerState;
  let lastState: ContainerState = {};
  if (v.waiting) {
    state = {
      waiting: {
        reason: v.waiting.reason,
        ...(v.waiting.message ? { message: v.waiting.message } : {}),
      },
    };
    if (latest?.state === 'exited') lastState = terminatedState(latest);
  } else if (!latest) {
    state = {
      waiting: { reason: init || podInitializing ? 'PodInitializing' : 'ContainerCreating' },
    };
  } else {
    state =
      latest.state === 'running'
        ? { running: { startedAt: rfc3339(latest.startedAt) } }
        : terminatedState(latest);
    if (previous?.state === 'exited') lastState = terminatedState(previous);
  }
  const running = !v.waiting && latest?.state === 'running';
  const sidecar = init && spec.restartPolicy === 'Always';
  // k8s: a finished regular init container counts as ready once it exited 0.
  const ready =
    init && !sidecar
      ? !v.waiting && latest?.state === 'exited' && latest.exitCode === 0
      : running && v.ready;
  return {
    name: spec.name,
    state,
    lastState,
    ready,
    restartCount: latest?.attempt ?? 0,
    image: spec.image ?? '',
    imageID: latest?.imageID ?? '',
    ...(latest ? { containerID: latest.id } : {}),
    started: running && v.started,
  };
}

type Phase = NonNullable<PodStatus['phase']>;

// k8s: pkg/kubelet/kubelet_pods.go getPhase.
function phaseOf(
  pod: Pod,
  init: ContainerStatus[],
  app: ContainerStatus[],
  terminated: boolean,
): Phase {
  const policy = pod.spec.restartPolicy ?? 'Always';
  const regularInit = init.filter((_, i) => pod.spec.initContainers![i].restartPolicy !== 'Always');
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of regularInit) {
    const t = s.state.terminated;
    if (t && t.exitCode === 0) continue;
    pendingInit++;
    if (t || s.lastState.terminated) failedInit++;
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of app) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState.terminated) stopped++;
    else waiting++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (terminated)
    return stopped === succeeded && waiting === 0 && pendingInit === 0 ? 'Succeeded' : 'Failed';
  if (pendingInit > 0 || waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  return {
    type,
    status: ok ? 'True' : 'False',
    ...(ok || !reason ? {} : { reason }),
    ...(ok || !message ? {} : { message }),
  };
}

/** The status to report; fields kubelet does not own (qosClass, nominatedNodeName, ...) are kept. */
export function computePodStatus(v: PodView): PodStatus {
  const { pod } = v;
  const now = rfc3339(v.now ?? Date.now());
  const old = pod.status ?? {};
  const initSpecs = pod.spec.initContainers ?? [];
  const initViews = initSpecs.map((c) => v.view(c.name, true));
  const initDone = initSpecs.every((c, i) => {
    const iv = initViews[i];
    if (c.restartPolicy === 'Always') return iv.latest?.state === 'running' && iv.started;
    return !iv.waiting && iv.latest?.state === 'exited' && iv.latest.exitCode === 0;
  });
  const init = initSpecs.map((c, i) => containerStatus(c, initViews[i], true, false));
  const app = pod.spec.containers.map((c) =>
    containerStatus(c, v.view(c.name, false), false, !initDone),
  );
  const phase =
    old.phase === 'Succeeded' || old.phase === 'Failed'
      ? old.phase
      : phaseOf(pod, init, app, v.terminated);
  const terminal = phase === 'Succeeded' || phase === 'Failed';

  const incomplete = initSpecs.filter(
    (_, i) =>
      !(
        init[i].state.terminated?.exitCode === 0 ||
        (initSpecs[i].restartPolicy === 'Always' && init[i].started)
      ),
  );
  const unready = app.filter((s) => !s.ready).map((s) => s.name);
  const containersReady = unready.length === 0;
  const gates = (pod.spec.readinessGates ?? []).filter(
    (g) => old.conditions?.find((c) => c.type === g.conditionType)?.status !== 'True',
  );
  const mine: PodCondition[] = [
    condition('PodReadyToStartContainers', Boolean(v.podIP) && !v.terminated),
    condition(
      'Initialized',
      initDone || terminal,
      'ContainersNotInitialized',
      `containers with incomplete status: [${incomplete.map((c) => c.name).join(' ')}]`,
    ),
    terminal
      ? condition('Ready', false, 'PodCompleted')
      : !containersReady
        ? condition(
            'Ready',
            false,
            'ContainersNotReady',
            `containers with unready status: [${unready.join(' ')}]`,
          )
        : condition(
            'Ready',
            gates.length === 0,
            'ReadinessGatesNotReady',
            `corresponding condition of pod readiness gate "${gates[0]?.conditionType}" does not exist.`,
          ),
    terminal
      ? condition('ContainersReady', false, 'PodCompleted')
      : condition(
          'ContainersReady',
          containersReady,
          'ContainersNotReady',
          `containers with unready status: [${unready.join(' ')}]`,
        ),
  ];
  const scheduled = old.conditions?.find((c) => c.type === 'PodScheduled');
  mine.push(scheduled?.status === 'True' ? scheduled : { type: 'PodScheduled', status: 'True' });
  const ownTypes = new Set(mine.map((c) => c.type));
  const conditions = [
    ...mine.map((c) => {
      const before = old.conditions?.find((o) => o.type === c.type);
      // A condition keeps its transition time until its status changes.
      return {
        ...c,
        lastTransitionTime:
          before && before.status === c.status && before.lastTransitionTime
            ? before.lastTransitionTime
            : now,
      };
    }),
    ...(old.conditions ?? []).filter((c) => !ownTypes.has(c.type)),
  ];

  const byName = (a: ContainerStatus, b: ContainerStatus) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  const status: PodStatus = {
    ...old,
    phase,
    conditions,
    hostIP: v.hostIP,
    hostIPs: [{ ip: v.hostIP }],
    startTime: old.startTime ?? now,
    containerStatuses: [...app].sort(byName),
  };
  if (v.podIP) Object.assign(status, { podIP: v.podIP, podIPs: [{ ip: v.podIP }] });
  if (init.length) status.initContainerStatuses = init;
  else delete status.initContainerStatuses;
  return status;
}

// Missing, null, undefined and {} are alike: the server may drop any of them.
function prune(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.map(prune);
  if (typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const p = prune(x);
    if (p !== undefined) out[k] = p;
  }
  return Object.keys(out).length ? out : undefined;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  return keys.length === Object.keys(bo).length && keys.every((k) => deepEqual(ao[k], bo[k]));
}

/** Whether writing `b` over `a` would change nothing a reader can see. */
export function sameStatus(a: unknown, b: unknown): boolean {
  return deepEqual(prune(a), prune(b));
}
