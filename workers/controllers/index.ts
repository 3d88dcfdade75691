// The controllers Worker: cron resyncs and wake-ups from the API both land on the one leader object.
import { WorkerEntrypoint } from 'cloudflare:workers';
import type { WakeKey } from '../../src/api/wake';
import type { ControllersEnv } from './env';
import type { ControllerStats } from './leader';

export { ControllerLeader } from './leader';

function leader(env: ControllersEnv) {
  return env.LEADER.get(env.LEADER.idFromName('controller-manager'));
}

export default class Controllers extends WorkerEntrypoint<ControllersEnv> {
  /** Called by the API Worker after writes the controllers care about, naming the objects written. */
  async wake(keys: WakeKey[]): Promise<void> {
    await leader(this.env).wake(keys);
  }

  override async scheduled(): Promise<void> {
    await leader(this.env).resync();
  }

  async status(): Promise<ControllerStats & { nextAlarm: number | null }> {
    const l = leader(this.env);
    return { ...(await l.getStats()), nextAlarm: await l.nextAlarm() };
  }

  /** Resets the leader object, as an eviction does: caches, queues and expectations are lost (tests and the benchmark). */
  async evict(): Promise<void> {
    await leader(this.env)
      .evict()
      .catch(() => undefined);
  }

  override async fetch(): Promise<Response> {
    return new Response(
      'edgeplane controllers: no HTTP interface; they are woken by the API Worker and by cron\n',
      { status: 404 },
    );
  }
}
