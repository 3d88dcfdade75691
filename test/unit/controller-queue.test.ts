// The controllers' work queue, per-key rate limiter and expectations, and node-lifecycle zone states (pure).
import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../workers/shared/queue';
import { ControllerExpectations } from '../../workers/shared/expectations';
import { zoneState } from '../../workers/controllers/node-lifecycle';

describe('work queue', () => {
  it('holds each key once, at its earliest due time, and hands out due keys earliest first', () => {
    const q = new WorkQueue();
    q.addAfter('b', 100, 0);
    q.add('a', 50);
    q.addAfter('b', 20, 0);
    q.add('a', 60);
    expect(q.size).toBe(2);
    expect(q.nextDue()).toBe(20);
    expect(q.popDue(30)).toEqual(['b']);
    expect(q.popDue(100)).toEqual(['a']);
    expect(q.size).toBe(0);
    expect(q.nextDue()).toBeUndefined();
  });

  it('retries a failing key after 5 ms, doubling each time up to 1000 s, and starts over once it succeeds', () => {
    const q = new WorkQueue();
    const delays: number[] = [];
    let now = 0;
    for (let i = 0; i < 30; i++) {
      q.addRateLimited('k', now);
      const due = q.nextDue()!;
      delays.push(due - now);
      now = due;
      q.popDue(now);
    }
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    expect(Math.max(...delays)).toBe(1_000_000);
    q.forget('k');
    q.addRateLimited('k', now);
    expect(q.nextDue()! - now).toBe(5);
  });

  it('lets an event bring a backing-off key forward (as client-go Add does), without forgetting its failures', () => {
    const q = new WorkQueue();
    q.addRateLimited('k', 0);
    q.addRateLimited('k', 0);
    expect(q.nextDue()).toBe(5);
    expect(q.add('k', 1)).toBe(true);
    expect(q.popDue(1)).toEqual(['k']);
    expect(q.limiter.numRequeues('k')).toBe(2);
  });
});

describe('expectations', () => {
  it('hold the owner until every expected create and delete was observed', () => {
    const e = new ControllerExpectations(60_000, () => 0);
    expect(e.satisfied('ns/rs')).toBe(true);
    e.expect('ns/rs', 2, ['ns/p1']);
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(false);
    e.deletionObserved('ns/rs', 'ns/p1');
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('give up after the timeout, so a lost event cannot wedge the owner', () => {
    let now = 0;
    const e = new ControllerExpectations(1000, () => now);
    e.expect('ns/rs', 3);
    now = 1000;
    expect(e.satisfied('ns/rs')).toBe(false);
    now = 1001;
    expect(e.satisfied('ns/rs')).toBe(true);
  });
});

describe('zone states (node lifecycle)', () => {
  it('are a full disruption with no ready node, partial over the threshold with more than 2 down, else normal', () => {
    expect(zoneState(0, 1, 0.55)).toBe('FullDisruption');
    expect(zoneState(1, 2, 0.55)).toBe('Normal'); // 2 down is never a disruption
    expect(zoneState(1, 3, 0.55)).toBe('PartialDisruption');
    expect(zoneState(3, 3, 0.55)).toBe('Normal'); // 50% < 55%
    expect(zoneState(0, 0, 0.55)).toBe('Normal');
  });
});

describe('WorkQueue against a model that walks every key', () => {
  it('pops the same keys in the same order and answers the same next due time through random adds, delays and pops', () => {
    let seed = 11;
    const r = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const q = new WorkQueue();
    // The model: key -> [due, order queued]; earliest first, then first queued.
    const model = new Map<string, [number, number]>();
    let order = 0;
    let now = 1_000;
    for (let step = 0; step < 5_000; step++) {
      const key = `ns/k${Math.floor(r() * 200)}`;
      const x = r();
      if (x < 0.6) {
        const at = now + (r() < 0.3 ? 0 : Math.floor(r() * 500));
        q.addAfter(key, at - now, now);
        const cur = model.get(key);
        if (!cur || cur[0] > at) model.set(key, [at, order++]);
      } else if (x < 0.9) {
        now += Math.floor(r() * 100);
        const max = 1 + Math.floor(r() * 20);
        const want = [...model.entries()]
          .filter(([, [at]]) => at <= now)
          .sort((a, b) => a[1][0] - b[1][0] || a[1][1] - b[1][1])
          .slice(0, max)
          .map(([k]) => k);
        for (const k of want) model.delete(k);
        expect(q.popDue(now, max), `step ${step}`).toEqual(want);
      }
      const next = [...model.values()].reduce<number | undefined>(
        (m, [at]) => (m === undefined || at < m ? at : m),
        undefined,
      );
      expect(q.nextDue(), `step ${step}`).toBe(next);
      expect(q.size).toBe(model.size);
    }
  });
});

describe('WorkQueue stale entries', () => {
  it('does not answer a key at a time it has left: queued at 10, moved to 5, taken, queued again at 20', () => {
    const q = new WorkQueue();
    q.addAfter('a', 10, 0);
    q.addAfter('a', 5, 0);
    expect(q.popDue(5, 1)).toEqual(['a']);
    q.addAfter('a', 20, 0);
    expect(q.nextDue()).toBe(20);
    expect(q.popDue(10)).toEqual([]);
    expect(q.popDue(20)).toEqual(['a']);
    expect(q.size).toBe(0);
  });
});
