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
