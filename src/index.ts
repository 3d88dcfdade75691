// API Worker entry: the Hono app answers every request; the Durable Object classes live here too.
import { createApp } from './server/app';
import type { Env } from './server/env';

export { StorageShard } from './storage/shard';
export { WatchHub } from './watch/hub';
export { LogStore } from './storage/log-store';
export { NodeTunnel } from './tunnel/node-tunnel';
export { MetricsShard } from './server/metrics/shard';
export { UiHub } from './ui/hub/ui-hub';
export { SchedulerApi, ControllersApi } from './entrypoints';

const app = createApp();

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
