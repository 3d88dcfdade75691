// Pod status from runtime observations: phase, conditions and container statuses as kubelet reports them.
import { describe, expect, it } from 'vitest';
import { computePodStatus, sameStatus, type ContainerView } from '../../src/agent/pod-status';
import type { ContainerInstance } from '../../src/agent/runtime';
import type { Pod } from '../../src/agent/types';

const T0 = Date.parse('2026-11-28T10:00:00Z');

function pod(spec: Partial<Pod['spec']> = {}, status?: Pod['status']): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u' },
    spec: { containers: [{ name: 'app', image: 'img' }], ...spec },
    status,
  };
}

function inst(over: Partial<ContainerInstance>): ContainerInstance {
  return {
    id: 'fake://1',
    name: 'app',
    init: false,
    attempt: 0,
    state: 'running',
    startedAt: T0,
    image: 'img',
    imageID: 'fake://sha',
    ...over,
  };
}

function status(p: Pod, views: Record<string, Partial<ContainerView>>, terminated = false) {
  return computePodStatus({
    pod: p,
    hostIP: '127.0.0.2',
    podIP: '127.16.2.1',
    terminated,
    now: T0 + 5_000,
    view: (name) => ({ started: false, ready: false, ...views[name] }),
  });
}

const cond = (s: ReturnType<typeof status>, type: string) =>
  s.conditions!.find((c) => c.type === type);

describe('pod status', () => {
  it('reports a running, ready pod with every condition True and its addresses', () => {
    const s = status(pod(), { app: { latest: inst({}), started: true, ready: true } });
    expect(s).toMatchObject({
      phase: 'Running',
      podIP: '127.16.2.1',
      podIPs: [{ ip: '127.16.2.1' }],
      hostIP: '127.0.0.2',
      hostIPs: [{ ip: '127.0.0.2' }],
    });
    for (const t of [
      'PodReadyToStartContainers',
      'Initialized',
      'ContainersReady',
      'Ready',
      'PodScheduled',
    ])
      expect(cond(s, t)?.status).toBe('True');
    expect(s.containerStatuses![0]).toEqual({
      name: 'app',
      state: { running: { startedAt: '2026-11-28T10:00:00Z' } },
      lastState: {},
      ready: true,
      restartCount: 0,
      image: 'img',
      imageID: 'fake://sha',
      containerID: 'fake://1',
      started: true,
    });
  });

  it('says which containers are unready, and keeps transition times while a condition holds', () => {
    const first = status(pod(), { app: { latest: inst({}), started: true, ready: false } });
    expect(cond(first, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [app]',
    });
    const again = computePodStatus({
      pod: pod({}, first),
      hostIP: '127.0.0.2',
      podIP: '127.16.2.1',
      terminated: false,
      now: T0 + 60_000,
      view: () => ({ latest: inst({}), started: true, ready: false }),
    });
    expect(cond(again, 'Ready')!.lastTransitionTime).toBe(cond(first, 'Ready')!.lastTransitionTime);
    expect(sameStatus(first, again)).toBe(true);
  });

  it('reports CrashLoopBackOff as waiting, with the last termination and the restart count', () => {
    const s = status(pod(), {
      app: {
        latest: inst({
          state: 'exited',
          attempt: 3,
          exitCode: 1,
          reason: 'Error',
          finishedAt: T0 + 1_000,
        }),
        waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' },
      },
    });
    const c = s.containerStatuses![0];
    expect(c.state).toEqual({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } });
    expect(c.lastState.terminated).toMatchObject({
      exitCode: 1,
      reason: 'Error',
      finishedAt: '2026-11-28T10:00:01Z',
    });
    expect(c.restartCount).toBe(3);
    expect(s.phase).toBe('Running');
  });

  it('keeps a pod Pending with PodInitializing while its init containers run', () => {
    const p = pod({ initContainers: [{ name: 'init', image: 'i' }] });
    const s = computePodStatus({
      pod: p,
      hostIP: '127.0.0.2',
      podIP: '127.16.2.1',
      terminated: false,
      view: (name, init) =>
        init
          ? { latest: inst({ name, init: true }), started: true, ready: false }
          : { started: false, ready: false },
    });
    expect(s.phase).toBe('Pending');
    expect(cond(s, 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [init]',
    });
    expect(s.containerStatuses![0].state).toEqual({ waiting: { reason: 'PodInitializing' } });
  });

  it('fails a pod whose init container failed under restartPolicy Never', () => {
    const p = pod({ restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'i' }] });
    const s = computePodStatus({
      pod: p,
      hostIP: '127.0.0.2',
      terminated: false,
      view: (name, init) =>
        init
          ? {
              latest: inst({ name, init: true, state: 'exited', exitCode: 2 }),
              started: false,
              ready: false,
            }
          : { started: false, ready: false },
    });
    expect(s.phase).toBe('Failed');
  });

  it('decides Succeeded and Failed by restart policy when all containers exited', () => {
    const done = (code: number) => ({
      app: { latest: inst({ state: 'exited', exitCode: code, finishedAt: T0 }) },
    });
    expect(status(pod({ restartPolicy: 'Never' }), done(0)).phase).toBe('Succeeded');
    expect(status(pod({ restartPolicy: 'Never' }), done(1)).phase).toBe('Failed');
    expect(status(pod({ restartPolicy: 'OnFailure' }), done(0)).phase).toBe('Succeeded');
    expect(status(pod({ restartPolicy: 'Always' }), done(0)).phase).toBe('Running');
    const s = status(pod({ restartPolicy: 'Never' }), done(0));
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });

  it('gives a pod stopped for deletion a terminal phase', () => {
    const s = status(
      pod(),
      { app: { latest: inst({ state: 'exited', exitCode: 143, signal: 15, finishedAt: T0 }) } },
      true,
    );
    expect(s.phase).toBe('Failed');
  });

  it('keeps fields it does not own, and conditions of other writers', () => {
    const s = status(
      pod(
        {},
        { qosClass: 'BestEffort', conditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      ),
      { app: { latest: inst({}), started: true, ready: true } },
    );
    expect(s.qosClass).toBe('BestEffort');
    expect(cond(s, 'DisruptionTarget')?.status).toBe('True');
  });

  it('treats missing, null and empty fields alike when comparing', () => {
    expect(sameStatus({ a: {}, b: null, c: [1, { d: undefined }] }, { c: [1, {}] })).toBe(true);
    expect(sameStatus({ a: 1 }, { a: 2 })).toBe(false);
  });
});
