// When the API isolate reloads CRDs from storage: never for built-in kinds, at most once a second
// for discovery, at once after a CRD write and for a path no kind answers.
import { describe, expect, it } from 'vitest';
import { findResource } from '../../src/api/resources';
import { withCustomResources } from '../../src/server/custom-resources';
import type { Store } from '../../src/storage/store';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.sync.io', resourceVersion: '1' },
  spec: {
    group: 'sync.io',
    scope: 'Namespaced',
    names: { plural: 'gadgets', kind: 'Gadget' },
    versions: [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
    ],
  },
  status: {
    acceptedNames: { plural: 'gadgets', kind: 'Gadget' },
    conditions: [{ type: 'Established', status: 'True' }],
  },
};

function fakeStore(items: unknown[]) {
  const calls = { n: 0 };
  const store = {
    list: async () => {
      calls.n++;
      return { ok: true, value: { items, resourceVersion: '1' } };
    },
  } as unknown as Store;
  return { store, calls };
}

const call = (store: Store, method: string, path: string) =>
  withCustomResources(store, method, path, async () => 'done');

describe('custom resource sync', () => {
  it('reloads only for paths that may concern a CRD, and not more than it must', async () => {
    const items: unknown[] = [];
    const { store, calls } = fakeStore(items);
    await call(store, 'GET', '/api/v1/namespaces/default/pods');
    await call(store, 'GET', '/apis/apps/v1/namespaces/default/deployments/web');
    expect(calls.n).toBe(0);
    await call(store, 'GET', '/apis');
    await call(store, 'GET', '/openapi/v3');
    expect(calls.n).toBe(1);
    // A CRD write reloads before it (name checks) and makes the next request reload too.
    items.push(crd);
    await call(store, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
    expect(calls.n).toBe(2);
    await call(store, 'GET', '/apis');
    expect(calls.n).toBe(3);
    expect(findResource('sync.io', 'v1', 'gadgets')?.kind).toBe('Gadget');
    // Served now: its paths use the copy while it is fresh.
    await call(store, 'GET', '/apis/sync.io/v1/namespaces/a/gadgets');
    expect(calls.n).toBe(3);
    // A path nobody serves reloads (rate-limited), then answers whatever storage says.
    await new Promise((r) => setTimeout(r, 120));
    await call(store, 'GET', '/apis/unknown.io/v1/things');
    expect(calls.n).toBe(4);
    items.length = 0;
    await call(
      store,
      'DELETE',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.sync.io',
    );
    await call(store, 'GET', '/apis');
    expect(findResource('sync.io', 'v1', 'gadgets')).toBeUndefined();
  });
});
