// Defects the fault lane's bad-request corpus found (test/faults/bad-requests.test.ts), pinned here
// so that `npm test` keeps them fixed: option values read as "absent", patch media types stored as
// objects, unknown fields whose keys hold brackets, apply without a type, patches that drop the name.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/api/types';
import { apiClient, freshNamespace } from './api';
import { testEnv } from './helpers';

const call = (path: string, init: RequestInit = {}) =>
  SELF.fetch(`https://edgeplane.test${path}`, {
    ...init,
    headers: {
      Authorization: `Bearer ${testEnv.ADMIN_TOKEN}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.headers ?? {}),
    },
  });
const cm = (name: string, data: Record<string, string> = { k: 'v' }) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

async function names(ns: string): Promise<string[]> {
  return (
    await apiClient().list<{ metadata: { name: string } }>('configmaps', { namespace: ns })
  ).items
    .map((o) => o.metadata.name)
    .sort();
}

async function status(
  res: Response,
): Promise<{ kind: string; code: number; reason: string; message: string }> {
  return res.json();
}

describe('option parameters Kubernetes refuses', () => {
  it('dryRun other than All is a 422 on every write, and deletecollection deletes nothing', async () => {
    const ns = await freshNamespace(apiClient());
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    expect((await call(base, { method: 'POST', body: cm('a') })).status).toBe(201);
    expect((await call(base, { method: 'POST', body: cm('b') })).status).toBe(201);

    const create = await call(`${base}?dryRun=Maybe`, { method: 'POST', body: cm('c') });
    expect(create.status).toBe(422);
    const s = await status(create);
    expect(s).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
    expect(s.message).toContain('dryRun: Unsupported value');
    expect(
      (
        await call(`${base}/a?dryRun=All&dryRun=Bogus`, {
          method: 'PUT',
          body: cm('a', { k: 'changed' }),
        })
      ).status,
    ).toBe(422);
    expect((await call(`${base}/a?dryRun=Bogus`, { method: 'DELETE' })).status).toBe(422);
    expect((await call(`${base}?dryRun=Bogus`, { method: 'DELETE' })).status).toBe(422);
    expect(await names(ns)).toEqual(['a', 'b']);
    expect(
      (
        await apiClient().get<KObject & { data: Record<string, string> }>('configmaps', 'a', {
          namespace: ns,
        })
      ).data,
    ).toEqual({ k: 'v' });
  });

  it('refuses a fieldManager over 128 characters on apply, and malformed list parameters', async () => {
    const ns = await freshNamespace(apiClient());
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const apply = await call(`${base}/x?fieldManager=${'m'.repeat(129)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: cm('x'),
    });
    expect(apply.status).toBe(422);
    expect((await status(apply)).message).toContain('fieldManager');
    for (const q of ['resourceVersion=abc', 'timeoutSeconds=abc', 'limit=1.5']) {
      expect((await call(`${base}?${q}`)).status, q).toBe(400);
    }
    expect((await call(`${base}?resourceVersion=0`)).status).toBe(200);
    expect(await names(ns)).toEqual([]);
  });
});

describe('bodies Kubernetes refuses', () => {
  it('a create or update sent with a patch media type is 415 and stores nothing', async () => {
    const ns = await freshNamespace(apiClient());
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    for (const type of [
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
      'application/apply-patch+yaml',
    ]) {
      expect(
        (await call(base, { method: 'POST', headers: { 'content-type': type }, body: cm('p') }))
          .status,
        type,
      ).toBe(415);
    }
    expect((await call(base, { method: 'POST', body: cm('kept') })).status).toBe(201);
    expect(
      (
        await call(`${base}/kept`, {
          method: 'PUT',
          headers: { 'content-type': 'application/merge-patch+json' },
          body: cm('kept', { k: 'changed' }),
        })
      ).status,
    ).toBe(415);
    expect(await names(ns)).toEqual(['kept']);
    expect(
      (
        await apiClient().get<KObject & { data: Record<string, string> }>('configmaps', 'kept', {
          namespace: ns,
        })
      ).data,
    ).toEqual({ k: 'v' });
  });

  it('drops an unknown field whose key holds brackets or dots instead of storing it', async () => {
    const ns = await freshNamespace(apiClient());
    const body = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'odd' },
      data: { k: 'v' },
      '[ complex, key ]': 'x',
      'data.k': 'y',
    });
    const res = await call(`/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body });
    expect(res.status).toBe(201);
    const stored = await apiClient().get<KObject & Record<string, unknown>>('configmaps', 'odd', {
      namespace: ns,
    });
    expect(Object.keys(stored).sort()).toEqual(['apiVersion', 'data', 'kind', 'metadata']);
    expect(stored.data).toEqual({ k: 'v' });
  });

  it('an apply patch without kind is 400, and a patch that removes metadata is 400', async () => {
    const ns = await freshNamespace(apiClient());
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    expect((await call(base, { method: 'POST', body: cm('a') })).status).toBe(201);
    const noKind = await call(`${base}/a?fieldManager=m`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: 'apiVersion: v1\nmetadata: {name: a}\ndata: {k: w}\n',
    });
    expect(noKind.status).toBe(400);
    const noMeta = await call(`${base}/a`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'remove', path: '/metadata' }]),
    });
    expect(noMeta.status).toBe(400);
    expect((await status(noMeta)).message).toBe(
      `the name of the object () does not match the name on the URL (a)`,
    );
    const nullMeta = await call(`${base}/a`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: null }),
    });
    expect(nullMeta.status).toBe(400);
    expect(
      (
        await apiClient().get<KObject & { data: Record<string, string> }>('configmaps', 'a', {
          namespace: ns,
        })
      ).data,
    ).toEqual({ k: 'v' });
  });

  it('an eviction whose body is not an Eviction of that pod is 400 and deletes nothing', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(
      'pods',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: ns },
        spec: { containers: [{ name: 'a', image: 'x' }] },
      },
      { namespace: ns },
    );
    const wrongKind = await call(`/api/v1/namespaces/${ns}/pods/p/eviction`, {
      method: 'POST',
      body: cm('p'),
    });
    expect(wrongKind.status).toBe(400);
    const other = await call(`/api/v1/namespaces/${ns}/pods/p/eviction`, {
      method: 'POST',
      body: JSON.stringify({
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: 'q', namespace: ns },
      }),
    });
    expect(other.status).toBe(400);
    const pod = await c.get<{ metadata: { deletionTimestamp?: string } }>('pods', 'p', {
      namespace: ns,
    });
    expect(pod.metadata.deletionTimestamp).toBeUndefined();
  });

  it('refuses bad log options before reading any log', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(
      'pods',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: ns },
        spec: { containers: [{ name: 'a', image: 'x' }] },
      },
      { namespace: ns },
    );
    for (const [q, code] of [
      ['limitBytes=0', 422],
      ['sinceSeconds=1&sinceTime=2024-01-01T00:00:00Z', 422],
      ['sinceTime=yesterday', 400],
      ['tailLines=abc', 400],
      ['tailLines=-1', 422],
    ] as const) {
      const res = await call(`/api/v1/namespaces/${ns}/pods/p/log?${q}`);
      expect(res.status, q).toBe(code);
      expect((await status(res)).kind).toBe('Status');
    }
  });
});
