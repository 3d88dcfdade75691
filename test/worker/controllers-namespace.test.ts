// The namespace controller against the real API Worker: a deleted namespace is emptied, then removed.
import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import type { KubeClient } from '../../src/client/client';
import type { ResourceRef } from '../../src/client/paths';
import type { KObject } from '../../src/api/types';
import { isNotFound } from '../../src/client/errors';
import type { ControllerConfig, KeyedControllerDef } from '../../workers/controllers/framework';
import { namespaceController } from '../../workers/controllers/namespace';
import { keyedHarness } from './controller-harness';
import { widgetKind } from './crd-fixtures';

type Harness = Awaited<ReturnType<typeof keyedHarness>>;
const harnesses = new Map<string, Harness>();
afterEach(() => {
  for (const h of harnesses.values()) h.stop();
  harnesses.clear();
});

/**
 * One pass of the namespace controller as the leader runs it, its caches kept to this test's
 * namespace (other files share the cluster); answers its writes (events not counted) and when it
 * asks to run again.
 */
async function pass(
  _c: KubeClient,
  ns: string,
  config: Partial<ControllerConfig> = {},
): Promise<{ writes: number; more: boolean; requeueAfterMs?: number }> {
  const key = `${ns} ${JSON.stringify(config)}`;
  let h = harnesses.get(key);
  if (!h) {
    h = await keyedHarness(ns, () => [namespaceController], {
      config,
      selectors: { namespaces: { fieldSelector: `metadata.name=${ns}` } },
    });
    harnesses.set(key, h);
  }
  let writes = 0;
  h.onWrite = (req) => {
    if (!/\/events(\/|$)/.test(new URL(req.url).pathname)) writes++;
  };
  const out = await h.pass();
  h.onWrite = undefined;
  expect([...out.errors.values()]).toEqual([]);
  return { writes, more: out.more, requeueAfterMs: out.requeueAfterMs };
}

async function converge(c: KubeClient, ns: string): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const r = await pass(c, ns);
    if (r.writes === 0 && !r.more) return;
  }
  throw new Error('namespace controller did not converge');
}

async function get(
  c: KubeClient,
  resource: ResourceRef,
  name: string,
  ns?: string,
): Promise<KObject | undefined> {
  try {
    return await c.get(resource, name, { namespace: ns });
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

async function namespaceWith(c: KubeClient, finalizers: string[]): Promise<string> {
  const name = `tfin${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  await c.create('namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
    spec: { finalizers },
  });
  return name;
}

const containers = [{ name: 'app', image: 'nginx' }];

async function populate(c: KubeClient, ns: string): Promise<KObject> {
  const m = (name: string) => ({ name, namespace: ns });
  await c.create('configmaps', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: m('cm'),
    data: { a: 'b' },
  });
  await c.create('secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: m('s'),
    stringData: { a: 'b' },
  });
  await c.create('services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: m('svc'),
    spec: { selector: { app: 'x' }, ports: [{ port: 80 }] },
  });
  await c.create('apps/v1/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: m('d'),
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers } },
    },
  });
  await c.create('events', {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: m('ev'),
    involvedObject: { kind: 'ConfigMap', name: 'cm', namespace: ns },
    reason: 'Test',
    message: 'an event in the namespace',
    type: 'Normal',
  });
  await c.create('coordination.k8s.io/v1/leases', {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: m('l'),
    spec: { holderIdentity: 'x' },
  });
  await c.create('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: m('unbound'),
    spec: { containers },
  });
  return c.create('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: m('bound'),
    spec: { containers, nodeName: 'node-a' },
  });
}

async function contents(c: KubeClient, ns: string): Promise<string[]> {
  const out: string[] = [];
  for (const r of [
    'configmaps',
    'secrets',
    'services',
    'serviceaccounts',
    'pods',
    'apps/v1/deployments',
    'coordination.k8s.io/v1/leases',
    'events',
  ]) {
    for (const o of (await c.list(r, { namespace: ns })).items) out.push(`${r}/${o.metadata.name}`);
  }
  return out.sort();
}

describe('namespace controller', () => {
  it('does not cache or watch Events (the most written kind): it lists them live when it empties a namespace', () => {
    expect(namespaceController.reads).not.toContain('events');
    expect((namespaceController.watches ?? []).map((w) => w.resource)).not.toContain('events');
  });

  it('does nothing to a namespace that is not being deleted', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'keep', namespace: ns },
    });
    expect((await pass(c, ns)).writes).toBe(0);
    expect(await get(c, 'configmaps', 'keep', ns)).toBeDefined();
  });

  it('deletes the contents, waits for a bound pod to terminate on its node, then removes the namespace', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const bound = await populate(c, ns);

    await c.delete('namespaces', ns);
    expect(((await get(c, 'namespaces', ns))?.status as { phase?: string }).phase).toBe(
      'Terminating',
    );
    const first = await pass(c, ns);
    expect(first.writes).toBeGreaterThan(0);
    await converge(c, ns);

    // Only the bound pod is left, terminating within its grace period; the namespace waits for it.
    expect(await contents(c, ns)).toEqual(['pods/bound']);
    expect((await get(c, 'pods', 'bound', ns))?.metadata.deletionTimestamp).toBeTruthy();
    expect((await get(c, 'namespaces', ns))?.metadata.deletionTimestamp).toBeTruthy();

    // The node agent finishes the pod; the next pass finalizes and removes the namespace.
    await c.delete('pods', 'bound', {
      namespace: ns,
      gracePeriodSeconds: 0,
      preconditions: { uid: bound.metadata.uid },
    });
    await converge(c, ns);
    expect(await get(c, 'namespaces', ns)).toBeUndefined();
    expect((await pass(c, ns)).writes).toBe(0);
  });

  it('finalizes a namespace that carries the "kubernetes" spec finalizer, then it is gone', async () => {
    const c = apiClient();
    const ns = await namespaceWith(c, ['kubernetes']);
    await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace: ns },
    });
    await c.delete('namespaces', ns);
    await converge(c, ns);
    expect(await get(c, 'configmaps', 'cm', ns)).toBeUndefined();
    expect(await get(c, 'namespaces', ns)).toBeUndefined();
  });

  it('leaves a spec finalizer that is not ours to its owner', async () => {
    const c = apiClient();
    const ns = await namespaceWith(c, ['kubernetes', 'example.com/other']);
    await c.delete('namespaces', ns);
    await converge(c, ns);
    const held = await get(c, 'namespaces', ns);
    expect((held?.spec as { finalizers?: string[] } | undefined)?.finalizers).toEqual([
      'example.com/other',
    ]);
  });

  it('keeps the namespace while an object in it holds a finalizer', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'held', namespace: ns, finalizers: ['example.com/hold'] },
    });
    await c.delete('namespaces', ns);
    await converge(c, ns);
    const held = await get(c, 'configmaps', 'held', ns);
    expect(held?.metadata.deletionTimestamp).toBeTruthy();
    expect(await get(c, 'namespaces', ns)).toBeDefined();
    const waiting = await pass(c, ns);
    expect(waiting.writes).toBe(0);
    expect(waiting.requeueAfterMs).toBeGreaterThan(0);

    await c.patch(
      'configmaps',
      'held',
      'merge',
      { metadata: { finalizers: null } },
      { namespace: ns },
    );
    expect(await get(c, 'configmaps', 'held', ns)).toBeUndefined();
    await converge(c, ns);
    expect(await get(c, 'namespaces', ns)).toBeUndefined();
  });

  it('works in bounded passes and asks to run again when the bound is hit', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    for (let i = 0; i < 5; i++)
      await c.create('configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm${i}`, namespace: ns },
      });
    await c.delete('namespaces', ns);
    const first = await pass(c, ns, { maxWritesPerPass: 2 });
    expect(first.writes).toBe(2);
    expect(first.more).toBe(true);
    for (let i = 0; i < 10 && (await get(c, 'namespaces', ns)); i++)
      await pass(c, ns, { maxWritesPerPass: 2 });
    expect(await get(c, 'namespaces', ns)).toBeUndefined();
  });

  it('deletes custom resources too and stays Terminating, with upstream conditions, until they are gone', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const widgets = await widgetKind(c);
    await widgets.create(ns, 'plain');
    await widgets.create(ns, 'held', { finalizers: ['example.com/hold'] });
    await c.delete('namespaces', ns);
    await converge(c, ns);

    // The plain one is gone; the held one is Terminating and holds the namespace.
    expect(await get(c, widgets.info, 'plain', ns)).toBeUndefined();
    expect((await get(c, widgets.info, 'held', ns))?.metadata.deletionTimestamp).toBeTruthy();
    const held = await get(c, 'namespaces', ns);
    const conditions = (held?.status as { conditions?: Record<string, string>[] }).conditions ?? [];
    const byType = Object.fromEntries(conditions.map((x) => [x.type, x]));
    expect(conditions.map((x) => `${x.type}=${x.status}`)).toEqual([
      'NamespaceDeletionDiscoveryFailure=False',
      'NamespaceDeletionGroupVersionParsingFailure=False',
      'NamespaceDeletionContentFailure=False',
      'NamespaceContentRemaining=True',
      'NamespaceFinalizersRemaining=True',
    ]);
    expect(byType.NamespaceDeletionDiscoveryFailure).toMatchObject({
      reason: 'ResourcesDiscovered',
      message: 'All resources successfully discovered',
    });
    expect(byType.NamespaceDeletionContentFailure).toMatchObject({
      reason: 'ContentDeleted',
      message: 'All content successfully deleted, may be waiting on finalization',
    });
    expect(byType.NamespaceContentRemaining).toMatchObject({
      reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: widgets.${widgets.info.group} has 1 resource instances`,
    });
    expect(byType.NamespaceFinalizersRemaining).toMatchObject({
      reason: 'SomeFinalizersRemain',
      message:
        'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    });

    // Its owner releases it: the custom resource's cache enqueues the namespace (its own requeue
    // for finalizers is 8.5 s away), which is finalized and removed.
    await c.patch(
      widgets.info,
      'held',
      'merge',
      { metadata: { finalizers: null } },
      { namespace: ns },
    );
    for (let i = 0; i < 30 && (await get(c, 'namespaces', ns)); i++) {
      await pass(c, ns);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await get(c, 'namespaces', ns)).toBeUndefined();
    await c.delete('apiextensions.k8s.io/v1/customresourcedefinitions', widgets.crd.metadata.name!);
  });

  it('does not finalize a namespace whose custom resources its CRD cache does not know yet', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const widgets = await widgetKind(c);
    await widgets.create(ns, 'unseen');
    await c.delete('namespaces', ns);
    // A leader whose CRD cache lags: it holds no CRD at all.
    const h = await keyedHarness(ns, () => [namespaceController], {
      selectors: {
        namespaces: { fieldSelector: `metadata.name=${ns}` },
        'apiextensions.k8s.io/v1/customresourcedefinitions': { fieldSelector: 'metadata.name=-' },
      },
    });
    try {
      for (let i = 0; i < 3; i++) {
        const out = await h.pass();
        expect([...out.errors.values()]).toEqual([]);
      }
    } finally {
      h.stop();
    }
    expect((await get(c, 'namespaces', ns))?.metadata.deletionTimestamp).toBeTruthy();
    expect(await get(c, widgets.info, 'unseen', ns)).toBeDefined();
    await c.delete('apiextensions.k8s.io/v1/customresourcedefinitions', widgets.crd.metadata.name!);
  });

  it('keeps a namespace whose custom resources cannot be listed, with NamespaceDeletionContentFailure', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const widgets = await widgetKind(c);
    await widgets.create(ns, 'w');
    await c.delete('namespaces', ns);
    // The controller's client fails every list of the Widgets but the emptiness check's (limit 1).
    const failing: KeyedControllerDef = {
      ...namespaceController,
      reconcile: (ctx, key) =>
        namespaceController.reconcile(
          {
            ...ctx,
            client: new Proxy(ctx.client, {
              get(target, prop) {
                const v = Reflect.get(target, prop, target) as unknown;
                if (prop !== 'list' || typeof v !== 'function') return v;
                return (res: ResourceRef, opts?: { limit?: number }) =>
                  typeof res === 'object' && res.group === widgets.info.group && opts?.limit !== 1
                    ? Promise.reject(new Error('etcdserver: request timed out'))
                    : (v as (r: ResourceRef, o?: unknown) => unknown).call(target, res, opts);
              },
            }),
          },
          key,
        ),
    };
    const h = await keyedHarness(ns, () => [failing], {
      selectors: { namespaces: { fieldSelector: `metadata.name=${ns}` } },
    });
    try {
      for (let i = 0; i < 3; i++) {
        const out = await h.pass();
        expect([...out.errors.values()]).toEqual([]);
      }
    } finally {
      h.stop();
    }
    const held = await get(c, 'namespaces', ns);
    expect(held?.metadata.deletionTimestamp).toBeTruthy();
    expect(await get(c, widgets.info, 'w', ns)).toBeDefined();
    const conditions = (held?.status as { conditions?: Record<string, string>[] }).conditions ?? [];
    expect(conditions.find((x) => x.type === 'NamespaceDeletionContentFailure')).toMatchObject({
      status: 'True',
      reason: 'ContentDeletionFailed',
      message: 'Failed to delete all resource types, 1 remaining: etcdserver: request timed out',
    });
    // The real controller then empties and removes it.
    await converge(c, ns);
    expect(await get(c, 'namespaces', ns)).toBeUndefined();
    await c.delete('apiextensions.k8s.io/v1/customresourcedefinitions', widgets.crd.metadata.name!);
  });

  it('leaves a recreated namespace alone while its cache still shows the old one terminating', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.delete('namespaces', ns);
    // A leader whose namespace watch delivers nothing: the cache keeps the terminating namespace.
    const h = await keyedHarness(ns, () => [namespaceController], {
      selectors: { namespaces: { fieldSelector: `metadata.name=${ns}` } },
      watchTransport: (inner) => async (req) => {
        const url = new URL(req.url);
        if (url.pathname !== '/api/v1/namespaces' || !url.searchParams.has('watch'))
          return inner(req);
        const body = new ReadableStream<Uint8Array>({
          start: (ctl) => req.signal.addEventListener('abort', () => ctl.close()),
        });
        return new Response(body, { headers: { 'content-type': 'application/json' } });
      },
    });
    try {
      // The empty namespace is finalized and removed; then one of that name is created again.
      await h.passNow();
      expect(await get(c, 'namespaces', ns)).toBeUndefined();
      await c.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      await c.create('configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'precious', namespace: ns },
      });
      // The ConfigMap's event enqueues the namespace (the cache says it is terminating).
      for (let i = 0; i < 50 && !h.cache.kind('configmaps').getNamed(ns, 'precious'); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(h.cache.kind('namespaces').get(ns)?.metadata.deletionTimestamp).toBeTruthy();
      const out = await h.passNow();
      expect([...out.errors.values()]).toEqual([]);
      expect(await get(c, 'configmaps', 'precious', ns)).toBeDefined();
      expect((await get(c, 'namespaces', ns))?.metadata.deletionTimestamp).toBeUndefined();
    } finally {
      h.stop();
    }
    await c.delete('namespaces', ns);
  });
});
