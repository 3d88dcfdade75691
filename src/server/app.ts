// The Hono app: health and version endpoints first; the Kubernetes API routes mount under it.
import { Hono } from 'hono';
import type { Env } from './env';
import { VERSION_INFO } from './version';

export type AppEnv = { Bindings: Env };

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const path of ['/healthz', '/livez', '/readyz']) {
    app.get(path, (c) => c.text('ok'));
  }
  app.get('/version', (c) => c.json(VERSION_INFO));
  return app;
}
