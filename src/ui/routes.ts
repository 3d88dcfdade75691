// The dashboard's routes under /ui, mounted on the API Worker before its bearer-token check: pages
// authenticate through the session cookie instead, and reach the API with the session's token.
import type { Context, Hono } from 'hono';
import { authenticateRequest } from '../server/auth/authenticate-request';
import type { AppEnv } from '../server/app';
import { safeEqual } from '../server/auth/authenticate';
import { CSS, JS } from './assets';
import type { UiContext, KindName } from './api';
import { ActionError, restart, scale, undo } from './actions';
import { page, signInPage, VIEWS } from './layout';
import {
  clearedCookie,
  cookieValue,
  newSession,
  seal,
  SESSION_COOKIE,
  sessionConfig,
  sessionCookie,
  shouldSlide,
  unseal,
  type Session,
} from './session';
import { eventStream, isKindName } from './stream';
import { nodesView } from './views/nodes';
import { WORKLOAD_KINDS, workloadsView } from './views/workloads';
import { servicesView } from './views/services';
import { eventsView } from './views/events';
import { followLogs, podView } from './views/pod';
import type { Html } from './html';

type C = Context<AppEnv>;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

function htmlResponse(body: string, status = 200, extra: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, ...extra },
  });
}

const redirect = (to: string, extra: Record<string, string> = {}) =>
  new Response(null, { status: 303, headers: { location: to, ...SECURITY_HEADERS, ...extra } });

/** A cross-site POST carries another Origin; browsers send Origin on every POST. */
function sameOrigin(c: C): boolean {
  const origin = c.req.header('origin');
  return !origin || origin === new URL(c.req.url).origin;
}

interface Got {
  s: Session;
  u: UiContext;
  /** The cookie that slides the idle deadline, when this request is activity and it is due. */
  slid?: string;
}

/**
 * The request's session. `active`: a page load or an action, which slides the idle deadline (a
 * live refresh of an open page, its stream or its log follow do not).
 */
async function session(c: C, active = false): Promise<Got | undefined> {
  const store = c.get('store');
  const cfg = sessionConfig(c.env);
  const now = Date.now();
  const s = await unseal(store, cookieValue(c.req.header('cookie'), SESSION_COOKIE), cfg, now);
  if (!s) return undefined;
  const probe = new Request(c.req.url, { headers: { authorization: `Bearer ${s.token}` } });
  const user = await authenticateRequest(probe, c.env, store);
  if (!user) return undefined;
  let slid: string | undefined;
  if (active && shouldSlide(s, cfg, now)) {
    const next = { ...s, seen: now };
    slid = sessionCookie(await seal(store, next, cfg, now), next, now);
  }
  return {
    s,
    slid,
    u: {
      app: appRef!,
      env: c.env,
      exec: c.executionCtx,
      origin: new URL(c.req.url).origin,
      token: s.token,
      user,
      store,
      csrf: s.csrf,
      now: Date.now(),
    },
  };
}

const slideHeader = (got: Got): Record<string, string> =>
  got.slid ? { 'set-cookie': got.slid } : {};

/** The CSRF token a POST carries (header from the script, or the form field) must be the session's. */
async function csrfOk(c: C, s: Session, form: FormData): Promise<boolean> {
  const sent = c.req.header('x-csrf-token') || String(form.get('csrf') ?? '');
  return sameOrigin(c) && sent.length > 0 && safeEqual(sent, s.csrf);
}

interface ViewDef {
  path: string;
  title: string;
  kinds: KindName[];
  render: (u: UiContext, q: URLSearchParams) => Promise<Html>;
}

const VIEW_DEFS: ViewDef[] = [
  { ...VIEWS[0], kinds: ['nodes', 'pods'], render: nodesView },
  { ...VIEWS[1], kinds: [...WORKLOAD_KINDS, 'pods'], render: workloadsView },
  { ...VIEWS[2], kinds: ['services', 'endpoints'], render: servicesView },
  { ...VIEWS[3], kinds: ['events'], render: eventsView },
];

let appRef: Hono<AppEnv> | undefined;

export function mountUi(app: Hono<AppEnv>): void {
  appRef = app;
  // The service-binding entrypoints carry a fixed identity that any token would inherit: no UI there.
  const internalEntry = async (c: C, next: () => Promise<void>) => {
    if (c.env.IDENTITY) return c.text('404 page not found', 404);
    await next();
  };
  app.use('/ui', internalEntry);
  app.use('/ui/*', internalEntry);
  app.get('/ui', () => redirect('/ui/nodes'));
  app.get('/ui/', () => redirect('/ui/nodes'));
  app.get(
    '/ui/assets/app.css',
    () => new Response(CSS, { headers: { 'content-type': 'text/css' } }),
  );
  app.get(
    '/ui/assets/app.js',
    () => new Response(JS, { headers: { 'content-type': 'text/javascript' } }),
  );

  app.get('/ui/signin', () => htmlResponse(signInPage()));
  app.post('/ui/signin', async (c) => {
    if (!sameOrigin(c)) return htmlResponse(signInPage('cross-site sign-in refused'), 403);
    const form = await c.req.formData();
    const token = String(form.get('token') ?? '').trim();
    const probe = new Request(c.req.url, { headers: { authorization: `Bearer ${token}` } });
    const user = token ? await authenticateRequest(probe, c.env, c.get('store')) : undefined;
    if (!user) return htmlResponse(signInPage('That token is not valid for this cluster.'), 401);
    const cfg = sessionConfig(c.env);
    const now = Date.now();
    const s = newSession(token, cfg, now);
    const sealed = await seal(c.get('store'), s, cfg, now);
    return redirect('/ui/nodes', { 'set-cookie': sessionCookie(sealed, s, now) });
  });
  app.post('/ui/signout', async (c) => {
    const got = await session(c);
    const form = await c.req.formData();
    if (got && !(await csrfOk(c, got.s, form))) return c.text('CSRF token mismatch', 403);
    return redirect('/ui/signin', { 'set-cookie': clearedCookie });
  });

  for (const v of VIEW_DEFS) {
    app.get(v.path, async (c) => {
      const fragment = c.req.header('x-fragment') === '1';
      const got = await session(c, !fragment);
      if (!got) return fragment ? c.text('sign in', 401) : redirect('/ui/signin');
      const body = await v.render(got.u, new URL(c.req.url).searchParams);
      if (fragment) return htmlResponse(body.value);
      return htmlResponse(
        page({
          title: v.title,
          current: v.path,
          user: got.u.user.name,
          csrf: got.s.csrf,
          kinds: v.kinds,
          body,
        }),
        200,
        slideHeader(got),
      );
    });
  }

  app.get('/ui/pods/:ns/:name', async (c) => {
    const fragment = c.req.header('x-fragment') === '1';
    const got = await session(c, !fragment);
    if (!got) return fragment ? c.text('sign in', 401) : redirect('/ui/signin');
    const ns = c.req.param('ns');
    const name = c.req.param('name');
    const body = await podView(got.u, ns, name, new URL(c.req.url).searchParams);
    if (fragment) return htmlResponse(body.value);
    return htmlResponse(
      page({
        title: `Pod ${ns}/${name}`,
        current: '',
        user: got.u.user.name,
        csrf: got.s.csrf,
        kinds: ['pods'],
        query: new URLSearchParams({ namespace: ns, name }).toString(),
        body,
      }),
      200,
      slideHeader(got),
    );
  });
  app.get('/ui/logs/:ns/:name', async (c) => {
    const got = await session(c);
    if (!got) return c.text('sign in', 401);
    return followLogs(
      got.u,
      c.req.param('ns'),
      c.req.param('name'),
      c.req.query('container') ?? '',
    );
  });

  app.get('/ui/stream', async (c) => {
    const got = await session(c);
    if (!got) return c.text('sign in', 401);
    const kinds = (c.req.query('kinds') ?? '').split(',').filter(isKindName);
    return eventStream(got.u, [...new Set(kinds)], {
      namespace: c.req.query('namespace') || undefined,
      name: c.req.query('name') || undefined,
    });
  });

  app.post('/ui/actions/:action', async (c) => {
    const got = await session(c, true);
    if (!got) return c.text('sign in', 401);
    const form = await c.req.formData();
    if (!(await csrfOk(c, got.s, form))) return c.text('CSRF token mismatch', 403);
    const kind = String(form.get('kind') ?? '');
    const ns = String(form.get('namespace') ?? '');
    const name = String(form.get('name') ?? '');
    let note: string | undefined;
    try {
      switch (c.req.param('action')) {
        case 'scale':
          await scale(got.u, kind, ns, name, Number(form.get('replicas')));
          break;
        case 'restart':
          await restart(got.u, kind, ns, name);
          break;
        case 'undo':
          note = await undo(got.u, kind, ns, name);
          break;
        default:
          return c.text('unknown action', 404);
      }
    } catch (e) {
      if (e instanceof ActionError) return c.text(e.message, e.status as 400);
      throw e;
    }
    // Without the script, a plain form post comes back to the view it came from.
    if (c.req.header('x-csrf-token')) return c.text(note ?? 'ok', 200, slideHeader(got));
    return redirect(
      new URL(c.req.header('referer') ?? '/ui/workloads', c.req.url).pathname,
      slideHeader(got),
    );
  });
}
