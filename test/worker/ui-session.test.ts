// The dashboard's sign-in inside workerd, against the real API Worker: a wrong token gets the form
// again, the admin token a sealed session cookie that opens the node view; a made-up cookie or none
// serves no data; the service-binding entrypoints (a fixed identity) serve no dashboard at all.
import { createExecutionContext, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app';
import { SCHEDULER } from '../../src/server/auth/identities';
import { testEnv } from './helpers';

const BASE = 'https://edgeplane.test';

function signIn(token: string): Promise<Response> {
  return SELF.fetch(`${BASE}/ui/signin`, {
    method: 'POST',
    body: new URLSearchParams({ token }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE },
    redirect: 'manual',
  });
}

describe('dashboard sign-in', () => {
  it('a wrong token gets the form again and no cookie', async () => {
    const r = await signIn('not-a-token-of-this-cluster-at-all');
    expect(r.status).toBe(401);
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(await r.text()).toContain('not valid');
  });

  it('the admin token gets a sealed cookie that opens the node view; none or a made-up one does not', async () => {
    const r = await signIn(testEnv.ADMIN_TOKEN!);
    expect(r.status).toBe(303);
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; Secure; SameSite=Strict/);
    expect(cookie).not.toContain(testEnv.ADMIN_TOKEN!);
    const pair = cookie.split(';')[0];
    const page = await SELF.fetch(`${BASE}/ui/nodes`, { headers: { cookie: pair } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('meta name="csrf-token"');
    const none = await SELF.fetch(`${BASE}/ui/nodes`, { redirect: 'manual' });
    expect(none.status).toBe(303);
    expect(none.headers.get('location')).toBe('/ui/signin');
    const made = await SELF.fetch(`${BASE}/ui/nodes`, {
      headers: {
        cookie: `${pair.split('=')[0]}=${pair.split('=')[1].slice(0, -4)}AAAA`,
        'x-fragment': '1',
      },
    });
    expect(made.status).toBe(401);
    // An action without the session's CSRF token is refused before any API call.
    const post = await SELF.fetch(`${BASE}/ui/actions/scale`, {
      method: 'POST',
      body: new URLSearchParams({
        kind: 'deployments',
        namespace: 'default',
        name: 'x',
        replicas: '1',
      }),
      headers: { cookie: pair, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(post.status).toBe(403);
  });

  it('a session ends after its idle time unless a page load slides it; live refreshes do not', async () => {
    // An app with a one-second idle timeout (UI_SESSION_IDLE_SECONDS), as a Worker var would set it.
    const app = createApp();
    const env = { ...testEnv, UI_SESSION_IDLE_SECONDS: '1' };
    const call = (path: string, init: RequestInit = {}) =>
      app.fetch(
        new Request(`${BASE}${path}`, { redirect: 'manual', ...init }),
        env,
        createExecutionContext(),
      );
    const r = await call('/ui/signin', {
      method: 'POST',
      body: new URLSearchParams({ token: testEnv.ADMIN_TOKEN! }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE },
    });
    expect(r.headers.get('set-cookie')).toMatch(/Max-Age=4320\d/);
    const first = r.headers.get('set-cookie')!.split(';')[0];
    await new Promise((res) => setTimeout(res, 600));
    // A live refresh (fragment) is served but is not activity: no new cookie.
    const frag = await call('/ui/nodes', { headers: { cookie: first, 'x-fragment': '1' } });
    expect(frag.status).toBe(200);
    expect(frag.headers.get('set-cookie')).toBeNull();
    // A page load is: the session comes back sealed again, its absolute end unchanged.
    const load = await call('/ui/nodes', { headers: { cookie: first } });
    expect(load.status).toBe(200);
    const slid = load.headers.get('set-cookie')!;
    expect(slid).toMatch(
      /^__Host-edgeplane-session=.*; Path=\/; HttpOnly; Secure; SameSite=Strict; Max-Age=4319\d$/,
    );
    const second = slid.split(';')[0];
    expect(second).not.toBe(first);
    await new Promise((res) => setTimeout(res, 600));
    const stale = await call('/ui/nodes', { headers: { cookie: first } });
    expect(stale.status).toBe(303);
    expect(stale.headers.get('location')).toBe('/ui/signin');
    expect(
      (await call('/ui/nodes', { headers: { cookie: second, 'x-fragment': '1' } })).status,
    ).toBe(200);
    await new Promise((res) => setTimeout(res, 500));
    expect(
      (await call('/ui/nodes', { headers: { cookie: second, 'x-fragment': '1' } })).status,
    ).toBe(401);
  });

  it('a service-binding entrypoint (fixed identity) serves no dashboard, whatever the token', async () => {
    const app = createApp();
    const req = new Request(`${BASE}/ui/signin`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'anything' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const r = await app.fetch(req, { ...testEnv, IDENTITY: SCHEDULER }, createExecutionContext());
    expect(r.status).toBe(404);
    expect(r.headers.get('set-cookie')).toBeNull();
  });
});
