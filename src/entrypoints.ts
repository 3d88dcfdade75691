// Named entrypoints of the API Worker for the scheduler and controllers Workers. A service binding to
// an entrypoint is the identity: the internet cannot reach these, so the identity cannot be forged.
import { WorkerEntrypoint } from 'cloudflare:workers';
import type { Env } from './server/env';
import type { User } from './server/auth/authenticate';
import { CONTROLLERS, SCHEDULER } from './server/auth/identities';
import { createApp } from './server/app';

const app = createApp();

function as(user: User, env: Env): Env {
  return { ...env, IDENTITY: user };
}

export class SchedulerApi extends WorkerEntrypoint<Env> {
  override fetch(request: Request): Promise<Response> {
    return Promise.resolve(app.fetch(request, as(SCHEDULER, this.env), this.ctx));
  }
}

export class ControllersApi extends WorkerEntrypoint<Env> {
  override fetch(request: Request): Promise<Response> {
    return Promise.resolve(app.fetch(request, as(CONTROLLERS, this.env), this.ctx));
  }
}
