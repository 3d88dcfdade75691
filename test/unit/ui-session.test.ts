// The dashboard's sealed session cookie and its HTML escaping.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store';
import { newSession, seal, sessionCookie, unseal } from '../../src/ui/session';
import { html } from '../../src/ui/html';

/** A store whose settings live in a map (ensureSetting: the first value written wins). */
function fakeStore(): Store {
  const settings = new Map<string, string>();
  return {
    ensureSetting: (name: string, value: string) => {
      if (!settings.has(name)) settings.set(name, value);
      return Promise.resolve(settings.get(name)!);
    },
  } as unknown as Store;
}

describe('dashboard session', () => {
  const store = fakeStore();

  it('seals a session that only this key opens, without the token in clear', async () => {
    const s = newSession('secret-token-value-123');
    const sealed = await seal(store, s);
    expect(sealed).not.toContain('secret-token');
    expect(await unseal(store, sealed)).toEqual(s);
  });

  it('refuses an altered, truncated, made-up or expired cookie', async () => {
    const sealed = await seal(store, newSession('t'));
    const [iv, ct] = sealed.split('.');
    const flipped = ct.slice(0, -2) + (ct.at(-2) === 'A' ? 'B' : 'A') + ct.at(-1);
    expect(await unseal(store, `${iv}.${flipped}`)).toBeUndefined();
    expect(await unseal(store, iv)).toBeUndefined();
    expect(await unseal(store, 'AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
    expect(await unseal(store, undefined)).toBeUndefined();
    const old = await seal(store, newSession('t', Date.now() - 13 * 3600 * 1000));
    expect(await unseal(store, old)).toBeUndefined();
  });

  it('gives each session its own CSRF token, and a strict cookie', () => {
    expect(newSession('t').csrf).not.toBe(newSession('t').csrf);
    expect(sessionCookie('v')).toMatch(
      /^__Host-edgeplane-session=v; Path=\/; HttpOnly; Secure; SameSite=Strict/,
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
