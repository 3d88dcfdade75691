// SchedulerLeader: the one scheduler instance (a Durable Object), running passes on wake-ups and alarms.
import { KubeClient } from '../../src/client/client';
import { createRecorder } from '../../src/client/events';
import { LoopLeader, type PassResult } from '../shared/leader';
import { runSchedulingPass, type Backoff, type SchedulerState } from './cycle';
import { profileFor } from './profile';
import type { SchedulerEnv } from './env';

export class SchedulerLeader extends LoopLeader<SchedulerEnv> {
  private state: SchedulerState = { backoff: new Map() };
  /** Totals since start, for the benchmark and tests. */
  stats = { bound: 0, failed: 0, requests: 0 };

  private loaded = false;

  protected override async runPass(dirty: Set<string>): Promise<PassResult> {
    // The backoff table outlives the instance: workerd evicts an idle leader, and a backoff that
    // restarted at 1 s after each eviction would wake the scheduler forever for an unplaceable pod.
    if (!this.loaded) {
      const saved = await this.ctx.storage.get<[string, Backoff][]>('backoff');
      if (saved) this.state.backoff = new Map(saved);
      this.loaded = true;
    }
    const client = new KubeClient({
      server: 'https://api.internal',
      userAgent: 'edgeplane-scheduler',
      transport: (req) => {
        this.stats.requests++;
        return this.env.API.fetch(req);
      },
    });
    const result = await runSchedulingPass(this.state, {
      client,
      recorder: createRecorder(client, { component: 'default-scheduler' }),
      profile: profileFor(this.env.SCHEDULER_STRATEGY),
      now: () => Date.now(),
      changed: dirty,
    });
    this.stats.bound += result.bound;
    this.stats.failed += result.failed;
    // Bounded, so the record stays small however many pods cannot be placed.
    await this.ctx.storage.put('backoff', [...this.state.backoff].slice(0, 2000));
    return result;
  }

  getStats(): { bound: number; failed: number; requests: number; passes: number } {
    return { ...this.stats, passes: this.passes };
  }
}
