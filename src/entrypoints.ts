// Named entrypoints of the API Worker for the scheduler and controllers Workers. A service binding to
// an entrypoint is the identity: the internet cannot reach these, so the identity cannot be forged.
import { WorkerEntrypoint } from 'cloudflare:workers';
import type { Env } from './server/env';
import type { User } from './server/auth/authenticate';
import { CONTROLLERS, SCHEDULER } from './server/auth/identities';
import { createApp } from './server/app';
import { trackLoopWatch } from './server/loop-watches';

const app = createApp();

function as(user: User, env: Env): Env {
  return { ...env, IDENTITY: user };
}

/** Events per createEvents call, and how many of them are written at once. */
const EVENT_BATCH = 500;
const EVENT_PARALLEL = 16;

export class SchedulerApi extends WorkerEntrypoint<Env> {
  override fetch(request: Request): Promise<Response> {
    return trackLoopWatch('scheduler', request, () =>
      Promise.resolve(app.fetch(request, as(SCHEDULER, this.env), this.ctx)),
    );
  }

  /**
   * core/v1 Events in one call: the scheduler records a Scheduled event per binding, and a request
   * per event would double its requests per pod. Each event still takes the REST path (authz,
   * validation, storage) as the scheduler; answers each one's HTTP status, in order.
   */
  async createEvents(events: { metadata?: { namespace?: string } }[]): Promise<number[]> {
    const env = as(SCHEDULER, this.env);
    const batch = events.slice(0, EVENT_BATCH);
    const codes: number[] = new Array(batch.length).fill(0);
    for (let i = 0; i < batch.length; i += EVENT_PARALLEL) {
      await Promise.all(
        batch.slice(i, i + EVENT_PARALLEL).map(async (event, j) => {
          const ns = encodeURIComponent(event.metadata?.namespace ?? 'default');
          const req = new Request(`https://api.internal/api/v1/namespaces/${ns}/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(event),
          });
          const res = await app.fetch(req, env, this.ctx);
          await res.body?.cancel();
          codes[i + j] = res.status;
        }),
      );
    }
    return codes;
  }
}

export class ControllersApi extends WorkerEntrypoint<Env> {
  override fetch(request: Request): Promise<Response> {
    return trackLoopWatch('controllers', request, () =>
      Promise.resolve(app.fetch(request, as(CONTROLLERS, this.env), this.ctx)),
    );
  }
}
