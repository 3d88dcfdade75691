// Restart backoff: immediate first restart, then 10 s doubling to 5 min, forgotten after 10 min without a restart.
import { describe, expect, it } from 'vitest';
import { RestartBackoff } from '../../src/agent/backoff';

describe('restart backoff', () => {
  it('restarts at once the first time, then waits 10 s, 20 s, 40 s ... up to 5 min from each exit', () => {
    let now = 0;
    const b = new RestartBackoff({ now: () => now });
    expect(b.waitUntil('k', now)).toBeUndefined();
    b.next('k');
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      now += 1_000; // the container ran one second and exited
      const exit = now;
      const until = b.waitUntil('k', exit)!;
      delays.push(until - exit);
      now = until;
      expect(b.waitUntil('k', exit)).toBeUndefined();
      b.next('k');
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('starts over after 10 minutes of clean running', () => {
    let now = 0;
    const b = new RestartBackoff({ now: () => now });
    for (let i = 0; i < 5; i++) b.next('k');
    expect(b.delayMs('k')).toBe(160_000);
    now += 10 * 60_000 + 1;
    expect(b.waitUntil('k', now)).toBeUndefined();
    b.next('k');
    expect(b.delayMs('k')).toBe(10_000);
  });

  it("forgets a pod's containers together", () => {
    const b = new RestartBackoff();
    b.next('uid-1/a');
    b.next('uid-1/a');
    b.next('uid-2/a');
    b.forgetPrefix('uid-1/');
    expect(b.delayMs('uid-1/a')).toBe(0);
    expect(b.delayMs('uid-2/a')).toBe(10_000);
  });
});
