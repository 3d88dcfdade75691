// The scheduler Worker: cron resyncs and wake-ups from the API both land on the one leader object.
import { WorkerEntrypoint } from 'cloudflare:workers';
import type { WakeKey } from '../../src/api/wake';
import type { SchedulerEnv } from './env';
import type { LeaderStats } from './leader';

export { SchedulerLeader } from './leader';

function leader(env: SchedulerEnv) {
  return env.LEADER.get(env.LEADER.idFromName('scheduler'));
}

export default class Scheduler extends WorkerEntrypoint<SchedulerEnv> {
  /**
   * Called by the API Worker after writes to pods or nodes, with the keys of the objects written
   * (`WakeKey[]`). The older form, resource names (`string[]`), is still taken while callers move over.
   */
  async wake(keys: WakeKey[] | string[] = []): Promise<void> {
    await leader(this.env).wake(keys);
  }

  override async scheduled(): Promise<void> {
    await leader(this.env).resync();
  }

  /** For tests and the benchmark: what the leader has done, and whether an alarm is pending. */
  async status(): Promise<LeaderStats & { nextAlarm: number | null }> {
    const l = leader(this.env);
    return { ...(await l.getStats()), nextAlarm: await l.nextAlarm() };
  }

  /** For the benchmark: hold scheduling (the queue still fills from the watch) or resume it. */
  async pause(paused: boolean): Promise<void> {
    await leader(this.env).setPaused(paused);
  }

  /** For the benchmark and tests: drop the leader's caches and list again, as after an eviction. */
  async rebuild(): Promise<{ ms: number; pods: number; nodes: number }> {
    return leader(this.env).rebuild();
  }

  override async fetch(): Promise<Response> {
    return new Response(
      'edgeplane scheduler: no HTTP interface; it is woken by the API Worker and by cron\n',
      { status: 404 },
    );
  }
}
