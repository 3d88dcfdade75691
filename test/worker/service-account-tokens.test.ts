// ServiceAccount tokens through the real API Worker: TokenRequest, the 10-minute minimum, expiry
// (a token minted as of an earlier moment, with the cluster's own key: no clock is faked), audience,
// a tampered signature, and the ServiceAccount's deletion or re-creation.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import { storeWith, testEnv } from './helpers';
import type { KObject } from '../../src/api/types';
import {
  API_AUDIENCES,
  mintServiceAccountToken,
} from '../../src/server/auth/service-account-tokens';

const URL_BASE = 'https://edgeplane.test';
const admin = () => ({ Authorization: `Bearer ${testEnv.ADMIN_TOKEN}` });

async function whoami(token: string): Promise<{ status: number; user?: Record<string, unknown> }> {
  const res = await SELF.fetch(`${URL_BASE}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });
  const body = (await res.json()) as { status?: { userInfo?: Record<string, unknown> } };
  return { status: res.status, user: body.status?.userInfo };
}

async function tokenRequest(ns: string, sa: string, spec: Record<string, unknown>) {
  return SELF.fetch(`${URL_BASE}/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, {
    method: 'POST',
    headers: { ...admin(), 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec }),
  });
}

async function serviceAccount(ns: string, name: string): Promise<KObject> {
  return apiClient().create(
    'serviceaccounts',
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } },
    { namespace: ns },
  );
}

describe('ServiceAccount tokens', () => {
  it('TokenRequest signs a token for the account that the API accepts', async () => {
    const ns = await freshNamespace(apiClient());
    const sa = await serviceAccount(ns, 'bot');
    const res = await tokenRequest(ns, 'bot', { expirationSeconds: 600 });
    expect(res.status).toBe(201);
    const tr = (await res.json()) as {
      spec: { audiences: string[] };
      status: { token: string; expirationTimestamp: string };
    };
    expect(tr.spec.audiences).toEqual(API_AUDIENCES);
    const [, payload] = tr.status.token.split('.');
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    expect(claims.exp - claims.iat).toBe(600);
    expect(claims.sub).toBe(`system:serviceaccount:${ns}:bot`);
    expect(claims['kubernetes.io'].serviceaccount).toEqual({ name: 'bot', uid: sa.metadata.uid });
    expect(Date.parse(tr.status.expirationTimestamp)).toBe(claims.exp * 1000);
    const me = await whoami(tr.status.token);
    expect(me.status).toBe(201);
    expect(me.user).toMatchObject({
      username: `system:serviceaccount:${ns}:bot`,
      uid: sa.metadata.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
    });
  });

  it('refuses a duration under ten minutes, and a missing account', async () => {
    const ns = await freshNamespace(apiClient());
    await serviceAccount(ns, 'bot');
    const short = await tokenRequest(ns, 'bot', { expirationSeconds: 599 });
    expect(short.status).toBe(422);
    expect(((await short.json()) as { message: string }).message).toBe(
      'TokenRequest.authentication.k8s.io "bot" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
    );
    const missing = await tokenRequest(ns, 'nobody', {});
    expect(missing.status).toBe(404);
  });

  it('a token works until it expires, then is 401', async () => {
    const ns = await freshNamespace(apiClient());
    const sa = await serviceAccount(ns, 'bot');
    const store = storeWith(Number(testEnv.PARTITIONS ?? '1'));
    const mint = (ageMs: number) =>
      mintServiceAccountToken(store, {
        serviceAccount: sa,
        audiences: API_AUDIENCES,
        expirationSeconds: 600,
        now: Date.now() - ageMs,
      });
    // Issued 9 min 50 s ago: 10 s left.
    const live = await mint(590_000);
    expect((await whoami(live.token)).status).toBe(201);
    // Issued 10 min 1 s ago: expired a second ago.
    const expired = await mint(601_000);
    expect((await whoami(expired.token)).status).toBe(401);
  });

  it('only this API audience is accepted; TokenReview checks others', async () => {
    const ns = await freshNamespace(apiClient());
    await serviceAccount(ns, 'bot');
    const res = await tokenRequest(ns, 'bot', { audiences: ['vault'], expirationSeconds: 3600 });
    const token = ((await res.json()) as { status: { token: string } }).status.token;
    expect((await whoami(token)).status).toBe(401);
    const review = async (audiences: string[]) => {
      const r = await SELF.fetch(`${URL_BASE}/apis/authentication.k8s.io/v1/tokenreviews`, {
        method: 'POST',
        headers: { ...admin(), 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'TokenReview', spec: { token, audiences } }),
      });
      expect(r.status).toBe(201);
      return ((await r.json()) as { status: Record<string, unknown> }).status;
    };
    expect(await review(['vault'])).toMatchObject({
      authenticated: true,
      audiences: ['vault'],
      user: { username: `system:serviceaccount:${ns}:bot` },
    });
    expect((await review([])).authenticated).toBe(false);
  });

  it('a tampered token, or one whose account is gone or re-created, is 401', async () => {
    const ns = await freshNamespace(apiClient());
    await serviceAccount(ns, 'bot');
    const issue = async () =>
      ((await (await tokenRequest(ns, 'bot', {})).json()) as { status: { token: string } }).status
        .token;
    const t1 = await issue();
    const t2 = await issue();
    const [h, p, s] = t1.split('.');
    const other = JSON.parse(atob(p.replace(/-/g, '+').replace(/_/g, '/')));
    other.sub = `system:serviceaccount:${ns}:admin`;
    const forged = `${h}.${btoa(JSON.stringify(other)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.${s}`;
    expect((await whoami(forged)).status).toBe(401);
    expect((await whoami(t1)).status).toBe(201);
    await apiClient().delete('serviceaccounts', 'bot', { namespace: ns });
    // t2 was never used, so no cached identity stands in for the deleted account.
    expect((await whoami(t2)).status).toBe(401);
    await serviceAccount(ns, 'bot');
    expect((await whoami(t2)).status).toBe(401);
  });

  it('publishes the issuer and the key that verifies its tokens', async () => {
    const ns = await freshNamespace(apiClient());
    await serviceAccount(ns, 'bot');
    const res = await tokenRequest(ns, 'bot', {});
    const token = ((await res.json()) as { status: { token: string } }).status.token;
    // Any ServiceAccount may read them (system:service-account-issuer-discovery).
    const get = (p: string, t: string | null) =>
      SELF.fetch(`${URL_BASE}${p}`, t ? { headers: { Authorization: `Bearer ${t}` } } : {});
    const config = await get('/.well-known/openid-configuration', token);
    expect(config.status).toBe(200);
    expect(await config.json()).toMatchObject({
      issuer: 'https://kubernetes.default.svc.cluster.local',
      jwks_uri: 'https://kubernetes.default.svc.cluster.local/openid/v1/jwks',
      id_token_signing_alg_values_supported: ['ES256'],
    });
    expect((await get('/openid/v1/jwks', null)).status).toBe(401);
    const set = (await (await get('/openid/v1/jwks', token)).json()) as {
      keys: (JsonWebKey & { kid: string })[];
    };
    expect(set.keys).toHaveLength(1);
    const [head, body, sig] = token.split('.');
    expect(JSON.parse(atob(head.replace(/-/g, '+').replace(/_/g, '/'))).kid).toBe(set.keys[0].kid);
    const { kty, crv, x, y } = set.keys[0];
    const key = await crypto.subtle.importKey(
      'jwk',
      { kty, crv, x, y },
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    const raw = Uint8Array.from(atob(sig.replace(/-/g, '+').replace(/_/g, '/')), (ch) =>
      ch.charCodeAt(0),
    );
    const ok = await crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      key,
      raw,
      new TextEncoder().encode(`${head}.${body}`),
    );
    expect(ok).toBe(true);
  });

  it('rotation: old tokens verify until their key is retired; new ones carry the new kid', async () => {
    const ns = await freshNamespace(apiClient());
    await serviceAccount(ns, 'bot');
    const issue = async () =>
      ((await (await tokenRequest(ns, 'bot', {})).json()) as { status: { token: string } }).status
        .token;
    const kidOf = (t: string) =>
      (JSON.parse(atob(t.split('.')[0].replace(/-/g, '+').replace(/_/g, '/'))) as { kid: string })
        .kid;
    const keys = (method: string, suffix = '', token = testEnv.ADMIN_TOKEN) =>
      SELF.fetch(`${URL_BASE}/edgeplane/v1/serviceaccount-signing-keys${suffix}`, {
        method,
        headers: { Authorization: `Bearer ${token}` },
      });
    type Listing = { keys: { kid: string; signing: boolean }[] };
    const before = await issue();
    const oldKid = kidOf(before);
    expect(await (await keys('GET')).json()).toEqual({ keys: [{ kid: oldKid, signing: true }] });
    expect((await whoami(before)).status).toBe(201);
    // Only system:masters may rotate or retire.
    expect((await keys('POST', '/rotate', before)).status).toBe(403);
    expect((await keys('GET', '', before)).status).toBe(403);

    const rotated = await keys('POST', '/rotate');
    expect(rotated.status).toBe(200);
    const ring = ((await rotated.json()) as Listing).keys;
    expect(ring.map((k) => k.signing)).toEqual([true, false]);
    const newKid = ring[0].kid;
    expect(ring[1].kid).toBe(oldKid);
    expect(newKid).not.toBe(oldKid);

    const after = await issue();
    expect(kidOf(after)).toBe(newKid);
    expect((await whoami(before)).status).toBe(201);
    expect((await whoami(after)).status).toBe(201);
    const jwks = await SELF.fetch(`${URL_BASE}/openid/v1/jwks`, {
      headers: { Authorization: `Bearer ${after}` },
    });
    const published = ((await jwks.json()) as { keys: { kid: string }[] }).keys;
    expect(published.map((k) => k.kid)).toEqual([newKid, oldKid]);

    // The signing key cannot be retired; an unknown kid is 404.
    const signing = await keys('DELETE', `/${newKid}`);
    expect(signing.status).toBe(409);
    expect((await keys('DELETE', '/no-such-kid')).status).toBe(404);
    const retired = await keys('DELETE', `/${oldKid}`);
    expect(retired.status).toBe(200);
    expect(((await retired.json()) as Listing).keys).toEqual([{ kid: newKid, signing: true }]);
    // The token of the retired key is 401 at once (its cached identity is dropped); the new one works.
    expect((await whoami(before)).status).toBe(401);
    expect((await whoami(after)).status).toBe(201);
  });
});
