// The scheduling queue, the cache with assumed pods, and the bounded pass, driven by informer events against a fake API.
import { describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/client/client';
import { ASSUMED_POD_TTL_MS } from '../../workers/scheduler/cache';
import { profileFor } from '../../workers/scheduler/profile';
import {
  backoffDuration,
  POD_MAX_IN_UNSCHEDULABLE_PODS_MS,
  SchedulingQueue,
} from '../../workers/scheduler/queue';
import { Scheduler, WRITE_BUDGET, type EventSink } from '../../workers/scheduler/scheduler';
import type { Node, Pod } from '../../workers/scheduler/types';
import { node, pod } from './scheduler-fixtures';

interface Sent {
  method: string;
  path: string;
  body: unknown;
}

/** A fake API: answers bindings, status patches and events; any read fails the test (a pass must read nothing). */
function fakeApi(opts: { failBindings?: number } = {}) {
  const sent: Sent[] = [];
  let failBindings = opts.failBindings ?? 0;
  const client = new KubeClient({
    server: 'https://api.test',
    transport: async (req) => {
      const path = new URL(req.url).pathname;
      const body = req.body ? await req.json() : undefined;
      sent.push({ method: req.method, path, body });
      if (req.method === 'GET') throw new Error(`the scheduler read ${path} during a pass`);
      if (path.endsWith('/binding') && failBindings > 0) {
        failBindings--;
        return new Response(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'InternalError',
            code: 500,
            message: 'injected',
          }),
          { status: 500 },
        );
      }
      return new Response(JSON.stringify(body ?? {}), {
        status: req.method === 'POST' ? 201 : 200,
      });
    },
  });
  const events: { reason: string; message: string; name: string }[] = [];
  const sink: EventSink = {
    add: (regarding, _type, reason, message) =>
      events.push({ reason, message, name: regarding.metadata.name! }),
    flush: async () => 0,
  };
  return { client, sent, events, sink };
}

function setup(opts: { failBindings?: number; strategy?: string } = {}) {
  let t = 1_000_000;
  const api = fakeApi(opts);
  const s = new Scheduler({
    client: api.client,
    events: api.sink,
    profile: profileFor(opts.strategy),
    now: () => t,
  });
  return { s, api, advance: (ms: number) => (t += ms) };
}

const added = (object: Pod | Node) => ({ type: 'ADDED' as const, object });
const modified = <T>(oldObject: T, object: T) => ({ type: 'MODIFIED' as const, object, oldObject });
const bound = (p: Pod, nodeName: string): Pod => ({
  ...p,
  metadata: { ...p.metadata, resourceVersion: '2' },
  spec: { ...p.spec, nodeName },
});
const heartbeat = (n: Node, at: string): Node => ({
  ...n,
  status: {
    ...n.status,
    conditions: (n.status?.conditions ?? []).map((c) => ({ ...c, lastHeartbeatTime: at })),
  } as Node['status'],
});

describe('backoff (podInitialBackoffSeconds 1, podMaxBackoffSeconds 10)', () => {
  it('doubles from 1 s per attempt and stops at 10 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(backoffDuration)).toEqual([
      1000, 2000, 4000, 8000, 10000, 10000, 10000,
    ]);
  });
});

describe('activeQ order', () => {
  it('pops higher priority first, then the earlier arrival', () => {
    const q = new SchedulingQueue(() => 0);
    const withPriority = (name: string, priority: number) => ({
      ...pod(name),
      spec: { ...pod(name).spec, priority },
    });
    q.add(withPriority('low-1', 0));
    q.add(withPriority('high', 100));
    q.add(withPriority('low-2', 0));
    expect([q.pop(), q.pop(), q.pop()].map((i) => i?.pod.metadata.name)).toEqual([
      'high',
      'low-1',
      'low-2',
    ]);
  });
});

describe('an unschedulable pod waits for an event that could help it', () => {
  it('is not retried on node heartbeats, but is on the addition of a node it fits', async () => {
    const { s, api } = setup();
    const small = node('small', { cpu: '2' });
    s.onNode(added(small));
    s.onPod(added(pod('huge', { cpu: '5' })));
    const first = await s.runPass();
    expect(first).toMatchObject({ attempts: 1, failed: 1, bound: 0 });
    expect(s.queue.where('default/huge')).toBe('unschedulable');
    // The condition was written once, with upstream's message.
    expect(api.sent.filter((r) => r.path.endsWith('/status'))).toHaveLength(1);
    expect(api.events.map((e) => e.reason)).toEqual(['FailedScheduling']);

    // Node status heartbeats change only timestamps: nothing moves, nothing is tried.
    let current = small;
    for (let i = 0; i < 5; i++) {
      const next = heartbeat(current, `2026-01-01T00:00:0${i}Z`);
      s.onNode(modified(current, next));
      current = next;
    }
    expect(s.queue.where('default/huge')).toBe('unschedulable');
    expect(s.hasWork()).toBe(false);
    // A node the pod still does not fit on does not move it either.
    s.onNode(added(node('also-small', { cpu: '4' })));
    expect(s.queue.where('default/huge')).toBe('unschedulable');

    s.onNode(added(node('big', { cpu: '8' })));
    expect(s.queue.where('default/huge')).not.toBe('unschedulable');
    expect(s.stats.moved).toBe(1);
  });

  it('goes back to activeQ when a bound pod leaves the node it would then fit on, or its allocatable grows', async () => {
    const { s, advance } = setup();
    const n = node('n1', { cpu: '2' });
    s.onNode(added(n));
    const hog = bound(pod('hog', { cpu: '1500m' }), 'n1');
    s.onPod(added(hog));
    s.onPod(added(pod('wants-1', { cpu: '1' })));
    s.onPod(added(pod('wants-4', { cpu: '4' })));
    await s.runPass();
    expect(s.queue.where('default/wants-1')).toBe('unschedulable');
    expect(s.queue.where('default/wants-4')).toBe('unschedulable');
    advance(2000);
    s.onPod({ type: 'DELETED', object: hog, oldObject: hog });
    expect(s.queue.where('default/wants-1')).toBe('active');
    expect(s.queue.where('default/wants-4')).toBe('unschedulable');
    // Allocatable raised: now the big one fits too.
    s.onNode(modified(n, node('n1', { cpu: '8' })));
    expect(s.queue.where('default/wants-4')).toBe('active');
  });

  it('is moved by taints removed and by uncordon, not by a label change that leaves it unfit', async () => {
    const { s } = setup();
    const tainted = node('t', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
    s.onNode(added(tainted));
    s.onPod(added(pod('p')));
    await s.runPass();
    expect(s.queue.where('default/p')).toBe('unschedulable');
    const relabelled = node('t', { taints: tainted.spec!.taints, labels: { team: 'a' } });
    s.onNode(modified(tainted, relabelled));
    expect(s.queue.where('default/p')).toBe('unschedulable');
    const cordoned = node('t', { unschedulable: true });
    s.onNode(modified(relabelled, cordoned));
    expect(s.queue.where('default/p')).toBe('unschedulable');
    s.onNode(modified(cordoned, node('t')));
    // Moved on; it sits out the rest of its 1 s backoff first.
    expect(s.queue.where('default/p')).toBe('backoff');
  });

  it('is tried again after 5 minutes in the pool even with no event (the leftover flush)', async () => {
    const { s, advance } = setup();
    s.onNode(added(node('n', { cpu: '1' })));
    s.onPod(added(pod('p', { cpu: '2' })));
    await s.runPass();
    advance(POD_MAX_IN_UNSCHEDULABLE_PODS_MS - 1000);
    s.resync();
    expect(s.queue.where('default/p')).toBe('unschedulable');
    advance(2000);
    s.resync();
    expect(s.queue.where('default/p')).toBe('active');
  });
});

describe('the cache with assumed pods', () => {
  it('counts a pod from the moment it is assumed, so one pass never overcommits a node, and binds without reading any pod', async () => {
    const { s, api } = setup();
    s.onNode(added(node('n', { cpu: '2' })));
    for (let i = 0; i < 5; i++) s.onPod(added(pod(`p${i}`, { cpu: '500m' })));
    const pass = await s.runPass();
    expect(pass).toMatchObject({ attempts: 5, bound: 4, failed: 1 });
    expect(api.sent.filter((r) => r.method === 'GET')).toHaveLength(0);
    expect(api.sent.filter((r) => r.path.endsWith('/binding'))).toHaveLength(4);
    expect(api.events.filter((e) => e.reason === 'Scheduled').map((e) => e.message)).toContain(
      'Successfully assigned default/p0 to n',
    );
  });

  it('confirms an assumed pod when the watch shows it bound, and expires one the watch never shows', async () => {
    const { s, advance } = setup();
    s.onNode(added(node('n', { cpu: '2' })));
    const a = pod('a', { cpu: '1' });
    const b = pod('b', { cpu: '1' });
    s.onPod(added(a));
    s.onPod(added(b));
    await s.runPass();
    expect(s.cache.isAssumed(a)).toBe(true);
    s.onPod(modified(a, bound(a, 'n')));
    expect(s.cache.isAssumed(a)).toBe(false);
    expect(s.cache.nodeInfo('n')!.requested.milliCPU).toBe(2000);
    // b's binding answered but never showed up: after the TTL the cache stops counting it.
    advance(ASSUMED_POD_TTL_MS + 1);
    await s.runPass();
    expect(s.cache.isAssumed(b)).toBe(false);
    expect(s.cache.nodeInfo('n')!.requested.milliCPU).toBe(1000);
    expect(s.cache.expired).toBe(1);
  });

  it('forgets the assumed pod when its binding fails and retries it after its backoff', async () => {
    const { s, advance } = setup({ failBindings: 1 });
    s.onNode(added(node('n', { cpu: '1' })));
    const p = pod('p', { cpu: '1' });
    s.onPod(added(p));
    expect((await s.runPass()).bound).toBe(0);
    expect(s.cache.nodeInfo('n')!.requested.milliCPU).toBe(0);
    expect(s.queue.where('default/p')).toBe('backoff');
    advance(999);
    expect((await s.runPass()).attempts).toBe(0);
    advance(2);
    expect((await s.runPass()).bound).toBe(1);
  });
});

describe('no pass writes without a bound', () => {
  it('marks 500 gated pods SchedulingGated over several passes, at most WRITE_BUDGET writes each', async () => {
    const { s, api } = setup();
    s.onNode(added(node('n')));
    for (let i = 0; i < 500; i++)
      s.onPod(
        added({
          ...pod(`g${i}`),
          spec: { ...pod(`g${i}`).spec, schedulingGates: [{ name: 'wait' }] } as Pod['spec'],
        }),
      );
    const writes: number[] = [];
    while (s.hasWork()) {
      const before = api.sent.length;
      await s.runPass();
      writes.push(api.sent.length - before);
    }
    expect(Math.max(...writes)).toBeLessThanOrEqual(WRITE_BUDGET);
    expect(writes.reduce((a, b) => a + b, 0)).toBe(500);
    expect(api.sent.every((r) => r.path.endsWith('/status'))).toBe(true);
    expect(s.stats.attempts).toBe(0);
  });
});

describe('pods that change while queued', () => {
  it('moves a pooled pod on when its own spec changes (a toleration added), not on its status', async () => {
    const { s } = setup();
    const tainted = node('t', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
    s.onNode(added(tainted));
    const p = pod('p');
    s.onPod(added(p));
    await s.runPass();
    const statusOnly: Pod = {
      ...p,
      metadata: { ...p.metadata, resourceVersion: '3' },
      status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
    };
    s.onPod(modified(p, statusOnly));
    expect(s.queue.where('default/p')).toBe('unschedulable');
    const tolerant: Pod = {
      ...statusOnly,
      spec: { ...p.spec, tolerations: [{ key: 'dedicated', operator: 'Exists' }] },
    };
    s.onPod(modified(statusOnly, tolerant));
    expect(s.queue.where('default/p')).not.toBe('unschedulable');
  });

  it('schedules a pod created again under the name of one deleted while its binding was unconfirmed', async () => {
    const { s } = setup();
    s.onNode(added(node('n', { cpu: '1' })));
    const first = pod('p', { cpu: '1' });
    s.onPod(added(first));
    await s.runPass();
    expect(s.cache.isAssumed(first)).toBe(true);
    s.onPod({ type: 'DELETED', object: first, oldObject: first });
    expect(s.cache.nodeInfo('n')!.requested.milliCPU).toBe(0);
    const again: Pod = {
      ...pod('p', { cpu: '1' }),
      metadata: { ...pod('p').metadata, uid: 'uid-p-2' },
    };
    s.onPod(added(again));
    expect((await s.runPass()).bound).toBe(1);
  });
});
