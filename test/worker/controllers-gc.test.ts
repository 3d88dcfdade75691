// The garbage collector against the real API Worker: background, foreground and orphan cascades.
import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import type { KubeClient } from '../../src/client/client';
import type { KObject, OwnerReference } from '../../src/api/types';
import { isNotFound } from '../../src/client/errors';
import { garbageCollector as gc } from '../../workers/controllers/garbage-collector';
import { keyedHarness } from './controller-harness';
import { widgetKind } from './crd-fixtures';
import type { ResourceRef } from '../../src/client/paths';

const harnesses = new Map<string, Awaited<ReturnType<typeof keyedHarness>>>();
async function gcHarness(ns: string) {
  let h = harnesses.get(ns);
  if (!h) harnesses.set(ns, (h = await keyedHarness(ns, () => [gc])));
  return h;
}

/** Passes of the garbage collector (as the leader runs it: caches of this namespace, its queue) until one writes nothing. */
async function converge(_client: KubeClient, ns: string, max = 10): Promise<number> {
  const h = await gcHarness(ns);
  for (let i = 1; i <= max; i++) {
    const before = h.writes;
    const out = await h.pass();
    if (h.writes === before && !out.more) return i;
  }
  throw new Error(`garbage collector did not converge in ${max} passes`);
}

/** One pass; answers how many writes it made. */
async function pass(_client: KubeClient, ns: string): Promise<number> {
  const h = await gcHarness(ns);
  const before = h.writes;
  await h.pass();
  return h.writes - before;
}

const ref = (o: KObject, block = true): OwnerReference => ({
  apiVersion: o.apiVersion!,
  kind: o.kind!,
  name: o.metadata.name!,
  uid: o.metadata.uid!,
  controller: true,
  blockOwnerDeletion: block,
});

const template = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image: 'nginx' }] },
};

/** Deployment -> ReplicaSet -> two pods, one of them bound to a node (it terminates gracefully). */
async function tree(c: KubeClient, ns: string) {
  const deploy = await c.create('apps/v1/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template },
  });
  const rs = await c.create('apps/v1/replicasets', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-abc',
      namespace: ns,
      labels: { app: 'web' },
      ownerReferences: [ref(deploy)],
    },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template },
  });
  const pod = (name: string, nodeName?: string) =>
    c.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels: { app: 'web' }, ownerReferences: [ref(rs)] },
      spec: { ...template.spec, nodeName },
    });
  const unbound = await pod('web-abc-1');
  const bound = await pod('web-abc-2', 'node-a');
  return { deploy, rs, unbound, bound };
}

async function exists(
  c: KubeClient,
  resource: ResourceRef,
  name: string,
  ns: string,
): Promise<KObject | undefined> {
  try {
    return await c.get(resource, name, { namespace: ns });
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** What the node agent does once a pod's containers stopped. */
const agentRemoves = (c: KubeClient, pod: KObject) =>
  c.delete('pods', pod.metadata.name!, {
    namespace: pod.metadata.namespace,
    gracePeriodSeconds: 0,
    preconditions: { uid: pod.metadata.uid },
  });

describe('garbage collector', () => {
  it('background: deletes the ReplicaSet, then its pods; a bound pod is left Terminating for its node', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const { bound } = await tree(c, ns);
    expect(await pass(c, ns)).toBe(0);

    await c.delete('apps/v1/deployments', 'web', {
      namespace: ns,
      propagationPolicy: 'Background',
    });
    await converge(c, ns);
    expect(await exists(c, 'apps/v1/replicasets', 'web-abc', ns)).toBeUndefined();
    expect(await exists(c, 'pods', 'web-abc-1', ns)).toBeUndefined();
    const terminating = await exists(c, 'pods', 'web-abc-2', ns);
    expect(terminating?.metadata.deletionTimestamp).toBeTruthy();
    expect(await pass(c, ns)).toBe(0);

    await agentRemoves(c, bound);
    expect((await c.list('pods', { namespace: ns })).items).toEqual([]);
    expect(await pass(c, ns)).toBe(0);
  });

  it('foreground: the owner stays, with deletionTimestamp, until every blocking dependent is gone', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const { bound } = await tree(c, ns);

    const marked = (await c.delete('apps/v1/deployments', 'web', {
      namespace: ns,
      propagationPolicy: 'Foreground',
    })) as KObject;
    expect(marked.metadata.finalizers).toContain('foregroundDeletion');
    await converge(c, ns);

    // The unbound pod is gone; the bound one terminates on its node, so its owners wait for it.
    expect(await exists(c, 'pods', 'web-abc-1', ns)).toBeUndefined();
    expect((await exists(c, 'pods', 'web-abc-2', ns))?.metadata.deletionTimestamp).toBeTruthy();
    const rs = await exists(c, 'apps/v1/replicasets', 'web-abc', ns);
    expect(rs?.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(rs?.metadata.deletionTimestamp).toBeTruthy();
    const deploy = await exists(c, 'apps/v1/deployments', 'web', ns);
    expect(deploy?.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(await pass(c, ns)).toBe(0);

    await agentRemoves(c, bound);
    await converge(c, ns);
    expect(await exists(c, 'apps/v1/replicasets', 'web-abc', ns)).toBeUndefined();
    expect(await exists(c, 'apps/v1/deployments', 'web', ns)).toBeUndefined();
    expect(await pass(c, ns)).toBe(0);
  });

  it('foreground: a dependent that does not block its owner is deleted but not waited for', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const owner = await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owner', namespace: ns },
    });
    const bound = await c.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: ns, ownerReferences: [ref(owner, false)] },
      spec: { ...template.spec, nodeName: 'node-a' },
    });
    await c.delete('configmaps', 'owner', { namespace: ns, propagationPolicy: 'Foreground' });
    await converge(c, ns);
    expect(await exists(c, 'configmaps', 'owner', ns)).toBeUndefined();
    expect((await exists(c, 'pods', 'p', ns))?.metadata.deletionTimestamp).toBeTruthy();
    await agentRemoves(c, bound);
  });

  it('orphan: the ReplicaSet loses its ownerReference and stays, with its pods; the Deployment goes', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await tree(c, ns);

    const marked = (await c.delete('apps/v1/deployments', 'web', {
      namespace: ns,
      propagationPolicy: 'Orphan',
    })) as KObject;
    expect(marked.metadata.finalizers).toContain('orphan');
    await converge(c, ns);

    expect(await exists(c, 'apps/v1/deployments', 'web', ns)).toBeUndefined();
    const rs = await exists(c, 'apps/v1/replicasets', 'web-abc', ns);
    expect(rs).toBeDefined();
    expect(rs?.metadata.ownerReferences).toBeUndefined();
    expect(rs?.metadata.deletionTimestamp).toBeUndefined();
    const pods = (await c.list('pods', { namespace: ns })).items;
    expect(pods.map((p) => p.metadata.name).sort()).toEqual(['web-abc-1', 'web-abc-2']);
    expect(
      pods.every(
        (p) =>
          p.metadata.ownerReferences?.[0]?.uid === rs?.metadata.uid &&
          !p.metadata.deletionTimestamp,
      ),
    ).toBe(true);
    expect(await pass(c, ns)).toBe(0);
  });

  it('keeps a dependent while one owner lives, dropping the reference to the gone one', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const a = await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: ns },
    });
    const b = await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'b', namespace: ns },
    });
    await c.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 's',
        namespace: ns,
        ownerReferences: [
          { ...ref(a), controller: false },
          { ...ref(b), controller: false },
        ],
      },
    });
    await c.delete('configmaps', 'a', { namespace: ns });
    await converge(c, ns);
    const s = await exists(c, 'secrets', 's', ns);
    expect(s?.metadata.ownerReferences?.map((r) => r.name)).toEqual(['b']);

    await c.delete('configmaps', 'b', { namespace: ns });
    await converge(c, ns);
    expect(await exists(c, 'secrets', 's', ns)).toBeUndefined();
  });

  it('treats an owner recreated under the same name (a new uid) as gone', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const old = await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'o', namespace: ns },
    });
    await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'dep', namespace: ns, ownerReferences: [ref(old)] },
    });
    await c.delete('configmaps', 'o', { namespace: ns });
    await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'o', namespace: ns },
    });
    await converge(c, ns);
    expect(await exists(c, 'configmaps', 'dep', ns)).toBeUndefined();
    expect(await exists(c, 'configmaps', 'o', ns)).toBeDefined();
  });

  it('leaves a dependent alone when its owner is a kind the server does not serve', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'x',
        namespace: ns,
        ownerReferences: [
          { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: crypto.randomUUID() },
        ],
      },
    });
    expect(await pass(c, ns)).toBe(0);
    expect(await exists(c, 'configmaps', 'x', ns)).toBeDefined();
  });
});

/**
 * Passes until `done` holds (at most ~5 s): writes to custom resources are not among those the
 * harness waits for, so each pass may run before the custom kind's cache shows the last write.
 */
async function until(ns: string, done: () => Promise<boolean>): Promise<void> {
  const h = await gcHarness(ns);
  for (let i = 0; i < 50; i++) {
    await h.pass();
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the garbage collector did not get there');
}

describe('garbage collector and custom resources', () => {
  const configMapOf = (ns: string, name: string, owner: KObject) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, ownerReferences: [ref(owner)] },
  });

  it('cascades from a custom resource to its ConfigMap: background, foreground and orphan', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const widgets = await widgetKind(c);
    await gcHarness(ns);
    const [bg, fg, orphan] = await Promise.all(
      ['bg', 'fg', 'orphan'].map((n) => widgets.create(ns, n)),
    );
    for (const [w, n] of [
      [bg, 'cm-bg'],
      [fg, 'cm-fg'],
      [orphan, 'cm-orphan'],
    ] as const)
      await c.create('configmaps', configMapOf(ns, n, w));

    await c.delete(widgets.info, 'bg', { namespace: ns, propagationPolicy: 'Background' });
    await until(ns, async () => !(await exists(c, 'configmaps', 'cm-bg', ns)));

    await c.delete(widgets.info, 'fg', { namespace: ns, propagationPolicy: 'Foreground' });
    expect((await exists(c, widgets.info, 'fg', ns))?.metadata.finalizers).toEqual([
      'foregroundDeletion',
    ]);
    await until(
      ns,
      async () =>
        !(await exists(c, 'configmaps', 'cm-fg', ns)) && !(await exists(c, widgets.info, 'fg', ns)),
    );

    await c.delete(widgets.info, 'orphan', { namespace: ns, propagationPolicy: 'Orphan' });
    await until(ns, async () => !(await exists(c, widgets.info, 'orphan', ns)));
    const kept = await exists(c, 'configmaps', 'cm-orphan', ns);
    expect(kept).toBeDefined();
    expect(kept?.metadata.ownerReferences).toBeUndefined();
    await c.delete('apiextensions.k8s.io/v1/customresourcedefinitions', widgets.crd.metadata.name!);
  });

  it('deletes a custom resource with its built-in owner', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const widgets = await widgetKind(c);
    await gcHarness(ns);
    const owner = await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owner', namespace: ns },
    });
    await widgets.create(ns, 'owned', { ownerReferences: [ref(owner)] });
    await c.delete('configmaps', 'owner', { namespace: ns });
    await until(ns, async () => !(await exists(c, widgets.info, 'owned', ns)));
    await c.delete('apiextensions.k8s.io/v1/customresourcedefinitions', widgets.crd.metadata.name!);
  });

  it('does not release an orphaning owner before a fresh leader has listed its custom dependents', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const widgets = await widgetKind(c);
    const owner = await c.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owner', namespace: ns },
    });
    await widgets.create(ns, 'kept', { ownerReferences: [ref(owner)] });
    await c.delete('configmaps', 'owner', { namespace: ns, propagationPolicy: 'Orphan' });
    // A leader started now, whose first list of the Widgets is held back.
    let release!: () => void;
    const listed = new Promise<void>((r) => (release = r));
    const h = await keyedHarness(ns, () => [gc], {
      watchTransport: (inner) => async (req) => {
        const url = new URL(req.url);
        if (url.pathname.endsWith('/widgets') && !url.searchParams.has('watch')) await listed;
        return inner(req);
      },
    });
    try {
      for (let i = 0; i < 2; i++) await h.pass();
      expect((await exists(c, 'configmaps', 'owner', ns))?.metadata.finalizers).toEqual(['orphan']);
      release();
      for (let i = 0; i < 50 && (await exists(c, 'configmaps', 'owner', ns)); i++) {
        await h.pass();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await exists(c, 'configmaps', 'owner', ns)).toBeUndefined();
      for (let i = 0; i < 3; i++) await h.pass();
      const kept = await exists(c, widgets.info, 'kept', ns);
      expect(kept).toBeDefined();
      expect(kept?.metadata.ownerReferences).toBeUndefined();
    } finally {
      release();
      h.stop();
    }
    await c.delete('apiextensions.k8s.io/v1/customresourcedefinitions', widgets.crd.metadata.name!);
  });
});
