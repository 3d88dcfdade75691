// The Hono app: health and version endpoints, then authentication, discovery, OpenAPI and the REST API.
import { Hono, type Context } from 'hono';
import type { Env } from './env';
import { VERSION_INFO } from './version';
import { ApiError, errors, statusResponse } from './errors';
import type { User } from './auth/authenticate';
import { authenticateRequest, forgetCachedIdentities } from './auth/authenticate-request';
import { impersonate } from './auth/impersonate';
import { authorizePath, handleAuthApi, requireAllowed } from './auth/gate';
import { JWKS_PATH, OPENID_CONFIG_PATH, jwks, openIdConfiguration } from './auth/issuer-discovery';
import { handleJoin } from './join';
import { withInflightLimit } from './inflight';
import { handleLogIngest } from './logs-ingest';
import { handleAgentTunnel } from '../tunnel/agent-route';
import { handleNodeRevoke } from './node-revoke';
import { apiGroupDoc, apiResourceList, discoveryResponse } from './discovery';
import { openApiV3Document, openApiV3Index } from '../registry/openapi';
import { openApiV2Response } from './openapi-v2';
import { parseRequestInfo } from './request-info';
import { boolParam } from './query-params';
import { handleResource } from './rest/handlers';
import { withAdmission } from './admission';
import { handleServiceAllocations } from './service-allocations';
import { Store } from '../storage/store';
import { bootstrap } from './bootstrap';
import { withCustomResources } from './custom-resources';
import type { ApiContext } from './context';
import { METRICS_INGEST_PATH } from '../api/metrics';
import { handleMetricsIngest } from './metrics/ingest';
import { mountMetricsApi } from './metrics/api';
import { mountUi } from '../ui/routes';
import { mountSigningKeyApi } from './auth/signing-key-api';

export type AppEnv = { Bindings: Env; Variables: { user: User; store: Store } };

/** Per-isolate: the cluster's partition check and bootstrap run once, and again after a failure. */
let ready: Promise<void> | undefined;

function partitions(env: Env): number {
  const n = Number(env.PARTITIONS ?? '1');
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

async function ensureReady(store: Store, env: Env): Promise<void> {
  ready ??= (async () => {
    const recorded = await store.ensureSetting('partitions', String(store.partitions));
    if (recorded !== String(store.partitions)) {
      throw errors.internal(
        `this cluster's storage was created with PARTITIONS=${recorded}, but the Worker is configured with ${store.partitions}; set PARTITIONS back to ${recorded}`,
      );
    }
    await bootstrap(store, env);
  })().catch((e) => {
    ready = undefined;
    throw e;
  });
  return ready;
}

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError((err) => {
    if (err instanceof ApiError) return statusResponse(err);
    console.error('unhandled error', err);
    return statusResponse(errors.internal((err as Error).message ?? String(err)));
  });
  app.notFound(() => statusResponse(errors.notFoundPath()));

  for (const path of ['/healthz', '/livez', '/readyz']) app.get(path, (c) => c.text('ok'));
  app.get('/version', (c) => c.json(VERSION_INFO));

  app.use('*', async (c, next) => {
    const store = new Store(c.env, partitions(c.env));
    await ensureReady(store, c.env);
    c.set('store', store);
    await next();
  });
  app.post('/edgeplane/v1/join', (c) => handleJoin(c.req.raw, c.get('store')));
  // The dashboard: its pages authenticate by session cookie, and call the API with its token.
  mountUi(app);

  app.use('*', async (c, next) => {
    const store = c.get('store');
    const caller = await authenticateRequest(c.req.raw, c.env, store);
    if (!caller) throw errors.unauthorized();
    const user = await impersonate(c.req.raw, caller, store);
    c.set('user', user);
    await authorizePath(user, c.req.method, new URL(c.req.url).pathname, store);
    await next();
  });

  // CRDs' kinds: routing, discovery and OpenAPI see what storage holds within a second.
  app.use('*', (c, next) =>
    withCustomResources(c.get('store'), c.req.method, new URL(c.req.url).pathname, next),
  );

  app.post('/edgeplane/v1/namespaces/:ns/pods/:name/logs', (c) =>
    handleLogIngest(
      c.req.raw,
      c.env,
      c.get('store'),
      c.get('user'),
      c.req.param('ns'),
      c.req.param('name'),
      false,
    ),
  );
  app.post('/edgeplane/v1/namespaces/:ns/pods/:name/logs/end', (c) =>
    handleLogIngest(
      c.req.raw,
      c.env,
      c.get('store'),
      c.get('user'),
      c.req.param('ns'),
      c.req.param('name'),
      true,
    ),
  );

  app.all('/edgeplane/v1/serviceallocations/:key?', (c) =>
    handleServiceAllocations(c.req.raw, c.get('store'), c.get('user'), c.req.param('key')),
  );
  app.get('/edgeplane/v1/nodes/:name/tunnel', (c) =>
    handleAgentTunnel(c.req.raw, c.env, c.get('store'), c.get('user'), c.req.param('name')),
  );
  app.post('/edgeplane/v1/nodes/:name/revoke', (c) => {
    // This isolate forgets the node's cached identity now; others within the cache's lifetime.
    forgetCachedIdentities((u) => u.node === c.req.param('name'));
    return handleNodeRevoke(c.env, c.get('store'), c.get('user'), c.req.param('name'));
  });

  mountSigningKeyApi(app);
  app.post(METRICS_INGEST_PATH, (c) => handleMetricsIngest(c.req.raw, c.env, c.get('user')));
  mountMetricsApi(app, async (c, info) => {
    await requireAllowed(c.get('user'), info, c.get('store'));
  });

  app.get('/api', (c) =>
    discoveryResponse(true, c.req.header('accept') ?? null, new URL(c.req.url).host),
  );
  app.get('/apis', (c) =>
    discoveryResponse(false, c.req.header('accept') ?? null, new URL(c.req.url).host),
  );
  app.get('/api/v1', (c) => c.json(apiResourceList('', 'v1')));
  app.get('/apis/:group', (c) => {
    const doc = apiGroupDoc(c.req.param('group'));
    return doc ? c.json(doc) : statusResponse(errors.notFoundPath());
  });
  app.get('/apis/:group/:version', (c) => {
    const doc = apiResourceList(c.req.param('group'), c.req.param('version'));
    return doc ? c.json(doc) : statusResponse(errors.notFoundPath());
  });

  app.get(OPENID_CONFIG_PATH, () => openIdConfiguration());
  app.get(JWKS_PATH, (c) => jwks(c.get('store')));

  app.get('/openapi/v2', (c) => openApiV2Response(c.req.raw));
  app.get('/openapi/v3', (c) => c.json(openApiV3Index()));
  app.get('/openapi/v3/*', (c) => {
    const doc = openApiV3Document(c.req.path.slice('/openapi/v3/'.length));
    if (!doc) return statusResponse(errors.notFoundPath());
    if (c.req.header('if-none-match') === doc.etag)
      return new Response(null, { status: 304, headers: { etag: doc.etag } });
    return new Response(doc.body, {
      headers: {
        'content-type': 'application/json',
        etag: doc.etag,
        'cache-control': 'public, max-age=31536000, immutable',
      },
    });
  });

  const resource = async (c: Context<AppEnv>) => {
    const url = new URL(c.req.url);
    const info = parseRequestInfo(c.req.method, url.pathname, url.searchParams);
    if (!info) throw errors.notFoundPath();
    const user = c.get('user');
    const store = c.get('store');
    await requireAllowed(user, info, store, url.pathname);
    const ctx: ApiContext = {
      env: c.env,
      store,
      user,
      info,
      query: url.searchParams,
      request: c.req.raw,
      warnings: [],
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    };
    const auth = handleAuthApi(info);
    if (auth) return auth(ctx);
    const longRunning =
      info.verb === 'watch' ||
      (info.subresource === 'log' && boolParam(url.searchParams, 'follow')) ||
      ['exec', 'attach', 'portforward'].includes(info.subresource);
    return withInflightLimit(longRunning, () => withAdmission(ctx, () => handleResource(ctx)));
  };
  app.all('/api/*', resource);
  app.all('/apis/*', resource);
  return app;
}
