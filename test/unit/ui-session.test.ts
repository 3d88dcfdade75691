// The dashboard's sealed session cookie (idle and absolute timeouts, the sealing key ring and its
// rotation) and its HTML escaping.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../../src/storage/store';
import { html } from '../../src/ui/html';

type SessionModule = typeof import('../../src/ui/session');

/** A store whose settings live in a map, with the shard's set-once and compare-and-set semantics. */
function fakeStore(): Store & { settings: Map<string, string> } {
  const settings = new Map<string, string>();
  return {
    settings,
    ensureSetting: (name: string, value: string) => {
      if (!settings.has(name)) settings.set(name, value);
      return Promise.resolve(settings.get(name)!);
    },
    getSetting: (name: string) => Promise.resolve(settings.get(name)),
    replaceSetting: (name: string, expected: string, value: string) => {
      if (settings.get(name) !== expected) return Promise.resolve(settings.get(name) ?? '');
      settings.set(name, value);
      return Promise.resolve(value);
    },
  } as unknown as Store & { settings: Map<string, string> };
}

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('dashboard session', () => {
  let m: SessionModule;
  let store: ReturnType<typeof fakeStore>;
  // A fresh module per test: each isolate caches the ring it read.
  beforeEach(async () => {
    vi.resetModules();
    m = await import('../../src/ui/session');
    store = fakeStore();
  });

  it('seals a session that only this key opens, without the token in clear', async () => {
    const s = m.newSession('secret-token-value-123');
    const sealed = await m.seal(store, s);
    expect(sealed).not.toContain('secret-token');
    expect(await m.unseal(store, sealed)).toEqual(s);
  });

  it('refuses an altered, truncated or made-up cookie', async () => {
    const sealed = await m.seal(store, m.newSession('t'));
    const [id, iv, ct] = sealed.split('.');
    const flipped = ct.slice(0, -2) + (ct.at(-2) === 'A' ? 'B' : 'A') + ct.at(-1);
    expect(await m.unseal(store, `${id}.${iv}.${flipped}`)).toBeUndefined();
    expect(await m.unseal(store, `${id}.${iv}`)).toBeUndefined();
    expect(await m.unseal(store, `${iv}.${ct}`)).toBeUndefined();
    expect(
      await m.unseal(store, `${id}.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAA`),
    ).toBeUndefined();
    expect(await m.unseal(store, undefined)).toBeUndefined();
  });

  it('ends after 30 idle minutes, slides on activity, and ends 12 h after sign-in regardless', async () => {
    const cfg = m.DEFAULT_SESSION_CONFIG;
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const s = m.newSession('t', cfg, t0);
    const sealed = await m.seal(store, s, cfg, t0);
    expect(await m.unseal(store, sealed, cfg, t0 + 29 * MIN)).toBeDefined();
    expect(await m.unseal(store, sealed, cfg, t0 + 30 * MIN)).toBeUndefined();
    // Activity every 20 minutes keeps it open, until the absolute end.
    let cur = s;
    let cookie = sealed;
    let t = t0;
    for (t = t0 + 20 * MIN; t < t0 + 12 * HOUR; t += 20 * MIN) {
      const opened = await m.unseal(store, cookie, cfg, t);
      expect(opened, `open at +${(t - t0) / MIN} min`).toBeDefined();
      expect(m.shouldSlide(opened!, cfg, t)).toBe(true);
      cur = { ...opened!, seen: t };
      cookie = await m.seal(store, cur, cfg, t);
    }
    expect(cur.expires).toBe(t0 + 12 * HOUR);
    expect(await m.unseal(store, cookie, cfg, t0 + 12 * HOUR)).toBeUndefined();
    // Not re-sealed on every request: only once a minute has passed.
    expect(m.shouldSlide(s, cfg, t0 + 30_000)).toBe(false);
    // The cookie's Max-Age is the time left to the absolute end.
    expect(m.sessionCookie('v', s, t0 + HOUR)).toMatch(/Max-Age=39600$/);
  });

  it('rotates the sealing key on schedule: the previous key still opens, a retired one does not', async () => {
    const cfg = m.DEFAULT_SESSION_CONFIG;
    // Sessions made to outlive their key (100 h), so only the key decides below.
    const long = { ...cfg, idleMs: 100 * HOUR, maxMs: 100 * HOUR };
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const a = await m.seal(store, m.newSession('a', long, t0), cfg, t0);
    const ring0 = JSON.parse(store.settings.get('ui-session-keys')!) as { keys: { id: string }[] };
    expect(ring0.keys).toHaveLength(1);
    // Sealed ten minutes before the key is due for rotation.
    const tb = t0 + 24 * HOUR - 10 * MIN;
    const b = await m.seal(store, m.newSession('b', long, tb), cfg, tb);
    expect(b.split('.')[0]).toBe(a.split('.')[0]);
    // 24 h: the next request rotates; new cookies carry the new key, b still opens.
    const t1 = t0 + 24 * HOUR;
    const c = await m.seal(store, m.newSession('c', long, t1), cfg, t1);
    const ring1 = JSON.parse(store.settings.get('ui-session-keys')!) as { keys: { id: string }[] };
    expect(ring1.keys.map((k) => k.id)).toEqual([c.split('.')[0], ring0.keys[0].id]);
    expect(c.split('.')[0]).not.toBe(a.split('.')[0]);
    const bAt = { ...(await m.unseal(store, b, cfg, tb))!, seen: t1 };
    const b2 = await m.seal(store, bAt, cfg, t1);
    expect((await m.unseal(store, b, cfg, t1 + 10 * MIN))?.token).toBe('b');
    expect((await m.unseal(store, b2, cfg, t1 + 10 * MIN))?.token).toBe('b');
    expect((await m.unseal(store, c, cfg, t1 + 10 * MIN))?.token).toBe('c');
    // 48 h: another rotation retires the first key; cookies it sealed are refused though their own
    // times would let them live.
    const t2 = t0 + 48 * HOUR;
    const d = await m.seal(store, m.newSession('d', cfg, t2), cfg, t2);
    const ring2 = JSON.parse(store.settings.get('ui-session-keys')!) as { keys: { id: string }[] };
    expect(ring2.keys.map((k) => k.id)).toEqual([d.split('.')[0], c.split('.')[0]]);
    expect(await m.unseal(store, a, long, t2 + MIN)).toBeUndefined();
    expect(await m.unseal(store, b, long, t2 + MIN)).toBeUndefined();
    // b's session was sealed again by activity after the first rotation, under the key now previous.
    expect(b2.split('.')[0]).toBe(c.split('.')[0]);
    expect((await m.unseal(store, b2, long, t2 + MIN))?.token).toBe('b');
    expect((await m.unseal(store, c, long, t2 + MIN))?.token).toBe('c');
  });

  it('an isolate that did not rotate opens the new key at once', async () => {
    const cfg = m.DEFAULT_SESSION_CONFIG;
    const t0 = Date.now();
    await m.seal(store, m.newSession('x', cfg, t0), cfg, t0);
    vi.resetModules();
    const other = await import('../../src/ui/session');
    // The other isolate rotates (its clock says the key is due).
    const later = t0 + 24 * HOUR + 2_000;
    const fresh = await other.seal(store, other.newSession('y', cfg, later), cfg, later);
    // This one still caches the old ring, and re-reads it for the unknown key.
    const s = await m.unseal(store, fresh, { ...cfg, rotateMs: 100 * HOUR }, t0 + 2_000);
    expect(s?.token).toBe('y');
  });

  it('reads its settings from the Worker vars; rotation is never faster than a session lives', () => {
    expect(m.sessionConfig({})).toEqual(m.DEFAULT_SESSION_CONFIG);
    expect(
      m.sessionConfig({
        UI_SESSION_IDLE_SECONDS: '60',
        UI_SESSION_MAX_SECONDS: '3600',
        UI_SESSION_KEY_ROTATION_SECONDS: '600',
      }),
    ).toEqual({ idleMs: 60_000, maxMs: 3600_000, rotateMs: 3600_000 });
    expect(m.sessionConfig({ UI_SESSION_IDLE_SECONDS: 'x' }).idleMs).toBe(30 * MIN);
  });

  it('gives each session its own CSRF token, and a strict cookie', () => {
    const s = m.newSession('t');
    expect(m.newSession('t').csrf).not.toBe(s.csrf);
    expect(m.sessionCookie('v', s, s.seen)).toMatch(
      /^__Host-edgeplane-session=v; Path=\/; HttpOnly; Secure; SameSite=Strict; Max-Age=43200$/,
    );
  });
});

describe('dashboard templates', () => {
  it('escape interpolated names, and keep nested templates as markup', () => {
    const name = '<img src=x onerror=alert(1)>"\'&';
    expect(html`<b title="${name}">${name}</b>`.value).toBe(
      '<b title="&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;">&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;</b>',
    );
    expect(html`<p>${[html`<i>${'a<'}</i>`, 'b>']}</p>`.value).toBe('<p><i>a&lt;</i>b&gt;</p>');
  });
});
