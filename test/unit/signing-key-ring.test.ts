// The ServiceAccount signing key ring across API isolates: each isolate caches the ring, so one that
// did not rotate must still accept a token of the new key at once (an unknown kid makes it re-read),
// and stop accepting a retired key's token within the cache's lifetime.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../../src/storage/store';

type RingModule = typeof import('../../src/server/auth/signing-key');
type JwtModule = typeof import('../../src/server/auth/jwt');

/** One cluster's settings, as the _cluster shard keeps them. */
function settingsStore(): { store: Store; reads: () => number } {
  const settings = new Map<string, string>();
  let reads = 0;
  const store = {
    getSetting: async (name: string) => {
      reads++;
      return settings.get(name);
    },
    ensureSetting: async (name: string, value: string) => {
      if (!settings.has(name)) settings.set(name, value);
      return settings.get(name)!;
    },
    replaceSetting: async (name: string, expected: string, value: string) => {
      if (settings.get(name) !== expected) return settings.get(name) ?? '';
      settings.set(name, value);
      return value;
    },
  } as unknown as Store;
  return { store, reads: () => reads };
}

/** A fresh copy of the modules: what another API isolate holds. */
async function isolate(): Promise<{ ring: RingModule; jwt: JwtModule }> {
  vi.resetModules();
  return {
    ring: await import('../../src/server/auth/signing-key'),
    jwt: await import('../../src/server/auth/jwt'),
  };
}

async function verifies(i: { ring: RingModule; jwt: JwtModule }, store: Store, token: string) {
  const keys = await i.ring.verifyKeysFor(store, i.jwt.jwtKeyId(token).kid);
  return (
    (await i.jwt.verifyJwt(
      token,
      keys.map((k) => k.publicKey),
    )) !== undefined
  );
}

afterEach(() => vi.useRealTimers());

describe('signing key ring', () => {
  it('isolates agree on rotation and retirement', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { store, reads } = settingsStore();
    const a = await isolate();
    const b = await isolate();
    const first = await a.ring.signingKey(store);
    expect((await b.ring.signingKey(store)).kid).toBe(first.kid);
    const old = await a.jwt.signJwt({ sub: 'x' }, first);

    vi.advanceTimersByTime(2_000);
    const rotated = await a.ring.rotateSigningKey(store);
    expect(rotated.keys.map((k) => k.kid)).toEqual([rotated.signing.kid, first.kid]);
    const fresh = await a.jwt.signJwt({ sub: 'x' }, rotated.signing);
    // B still signs with the old key (its cache is 2 s old) but accepts the new kid at once.
    expect((await b.ring.signingKey(store)).kid).toBe(first.kid);
    expect(await verifies(b, store, fresh)).toBe(true);
    expect(await verifies(b, store, old)).toBe(true);
    // Garbage kids re-read the ring at most once a second.
    const before = reads();
    for (let n = 0; n < 20; n++)
      expect(
        await verifies(b, store, fresh.replace(/^[^.]+/, btoa('{"alg":"ES256","kid":"zz"}'))),
      ).toBe(false);
    expect(reads() - before).toBeLessThanOrEqual(1);

    await expect(a.ring.retireSigningKey(store, rotated.signing.kid)).rejects.toThrow(
      /signs new tokens/,
    );
    await a.ring.retireSigningKey(store, first.kid);
    expect(await verifies(a, store, old)).toBe(false);
    // B forgets the retired key once its cached ring is older than RING_CACHE_MS.
    vi.advanceTimersByTime(a.ring.RING_CACHE_MS);
    expect(await verifies(b, store, old)).toBe(false);
    expect(await verifies(b, store, fresh)).toBe(true);
    expect((await b.ring.signingKey(store)).kid).toBe(rotated.signing.kid);
  });

  it('a rotation keeps only the signing key private', async () => {
    const { store } = settingsStore();
    const a = await isolate();
    await a.ring.signingKey(store);
    await a.ring.rotateSigningKey(store);
    await a.ring.rotateSigningKey(store);
    const stored = JSON.parse((await store.getSetting('service-account-signing-keys'))!) as {
      keys: JsonWebKey[];
    };
    expect(stored.keys.map((k) => 'd' in k)).toEqual([true, false, false]);
  });
});
