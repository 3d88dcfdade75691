// The dashboard's fan-out (src/ui/hub): streams share one watch per kind on the watch hubs, a note
// reaches a stream only for namespaces its identity may list and watch (re-checked on an RBAC
// change), a 410 in the shared watch lists again and tells every stream, and /ui/stream is served
// by the hub.
import { runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { findResource, storageResource } from '../../src/api/resources';
import { shardName } from '../../src/storage/partition';
import type { User } from '../../src/server/auth/authenticate';
import type { UiHub } from '../../src/ui/hub/ui-hub';
import type { UiHubEnv } from '../../src/ui/stream';
import type { StoreEvent } from '../../src/storage/store';
import { apiClient, freshNamespace } from './api';
import { testEnv } from './helpers';

const env = testEnv as UiHubEnv;
const ADMIN: User = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const PODS = findResource('', 'v1', 'pods')!;

function freshHub(): DurableObjectStub<UiHub> {
  const ns = env.UI_HUB!;
  return ns.get(ns.idFromName(`ui-test-${crypto.randomUUID()}`));
}

/** What the watch hubs of pods hold: open watchers over all partitions. */
async function podWatchers(): Promise<number> {
  let n = 0;
  for (let p = 0; p < Number(testEnv.PARTITIONS); p++) {
    const name = shardName(storageResource(PODS), p, true);
    n += (await testEnv.HUBS.get(testEnv.HUBS.idFromName(name)).stats()).watchers;
  }
  return n;
}

interface Stream {
  notes: string[];
  /** The hub ended the stream. */
  ended(): boolean;
  until(pred: () => boolean, what: string, ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** Reads a dashboard SSE stream, collecting the data of its `change` events. */
function read(res: Response): Stream {
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const notes: string[] = [];
  let ended = false;
  const dec = new TextDecoder();
  let buf = '';
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return void (ended = true);
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const m = /^event: change\ndata: (.*)$/m.exec(buf.slice(0, i));
        buf = buf.slice(i + 2);
        if (m) notes.push(m[1]);
      }
    }
  })().catch(() => undefined);
  return {
    notes,
    ended: () => ended,
    async until(pred, what, ms = 5000) {
      const end = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; notes ${notes}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => reader.cancel().catch(() => undefined),
  };
}

async function subscribe(
  hub: DurableObjectStub<UiHub>,
  user: User,
  kinds: string[],
  extra: { namespace?: string; name?: string } = {},
): Promise<Stream> {
  const res = await hub.fetch('https://ui-hub/subscribe', {
    method: 'POST',
    body: JSON.stringify({ user, kinds, ...extra }),
  });
  const s = read(res);
  await s.until(() => s.notes.includes('*'), 'the start note');
  return s;
}

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
});

/** Waits a little to show that nothing arrives. */
const quiet = () => new Promise((r) => setTimeout(r, 300));

describe('dashboard fan-out (UiHub)', () => {
  it('two streams share one watch per kind; the watch outlives its first stream and stops after the last', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const hub = freshHub();
    const base = await podWatchers();
    const a = await subscribe(hub, ADMIN, ['pods', 'deployments', 'nodes']);
    const b = await subscribe(hub, ADMIN, ['pods', 'deployments']);
    const s = await hub.stats();
    expect(s.subscribers).toBe(2);
    // One list and one watch per kind, whatever the number of streams.
    expect(s.watches.pods).toMatchObject({ running: true, lists: 1, streams: 1, subscribers: 2 });
    expect(s.watches.deployments).toMatchObject({ lists: 1, streams: 1, subscribers: 2 });
    expect(s.watches.nodes).toMatchObject({ lists: 1, streams: 1, subscribers: 1 });
    // Each pods hub (one per partition) holds one more watcher, not two.
    expect(await podWatchers()).toBe(base + Number(testEnv.PARTITIONS));

    await c.create('pods', pod('one'), { namespace: ns });
    await a.until(() => a.notes.includes('pods'), 'a: pods');
    await b.until(() => b.notes.includes('pods'), 'b: pods');
    expect(a.notes).not.toContain('deployments');

    // The first stream leaves: the watch it started keeps serving the other.
    await a.close();
    await c.create('pods', pod('two'), { namespace: ns });
    await b.until(() => b.notes.filter((n) => n === 'pods').length >= 2, 'b: second pods');
    await new Promise((r) => setTimeout(r, 100));
    const after = await hub.stats();
    expect(after.subscribers).toBe(1);
    expect(after.watches.nodes.running).toBe(false);
    expect(after.watches.pods).toMatchObject({ running: true, lists: 1, subscribers: 1 });

    // The last leaves: its next note fails to write, and the shared watches stop.
    await b.close();
    await c.create('pods', pod('three'), { namespace: ns });
    const end = Date.now() + 5000;
    while ((await hub.stats()).subscribers > 0 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 50));
    const last = await hub.stats();
    expect(last.subscribers).toBe(0);
    expect(last.watches.pods.running).toBe(false);
    while ((await podWatchers()) > base && Date.now() < end)
      await new Promise((r) => setTimeout(r, 50));
    expect(await podWatchers()).toBe(base);
  });

  it('a stream the browser drops leaves at once, with nothing written to it, and its watch stops', async () => {
    const hub = freshHub();
    const s = await subscribe(hub, ADMIN, ['pods']);
    expect((await hub.stats()).watches.pods.running).toBe(true);
    await s.close();
    // No change is made and the keep-alive is 15 s away: only the cancellation can end it.
    const end = Date.now() + 2000;
    while ((await hub.stats()).subscribers > 0 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    const after = await hub.stats();
    expect(after.subscribers).toBe(0);
    expect(after.watches.pods.running).toBe(false);
  });

  it('a stream whose identity may watch pods only in namespace a hears nothing of namespace b, and loses a when its binding goes', async () => {
    const c = apiClient();
    const nsA = await freshNamespace(c);
    const nsB = await freshNamespace(c);
    const user = `viewer-${crypto.randomUUID().slice(0, 8)}`;
    await c.create(
      'rbac.authorization.k8s.io/v1/roles',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'pod-viewer' },
        rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }],
      },
      { namespace: nsA },
    );
    await c.create(
      'rbac.authorization.k8s.io/v1/rolebindings',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'viewer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-viewer' },
        subjects: [{ kind: 'User', name: user }],
      },
      { namespace: nsA },
    );
    const hub = freshHub();
    const admin = await subscribe(hub, ADMIN, ['pods', 'deployments']);
    const viewer = await subscribe(hub, { name: user, groups: ['system:authenticated'] }, [
      'pods',
      'deployments',
    ]);
    // One watch for both, though their scopes differ.
    expect((await hub.stats()).watches.pods).toMatchObject({ lists: 1, subscribers: 2 });
    // deployments: no rights anywhere, so the viewer holds no watch of them.
    expect((await hub.stats()).watches.deployments.subscribers).toBe(1);

    await c.create('pods', pod('in-b'), { namespace: nsB });
    await admin.until(() => admin.notes.includes('pods'), 'admin: pod in b');
    await quiet();
    expect(viewer.notes).toEqual(['*']);

    await c.create('pods', pod('in-a'), { namespace: nsA });
    await viewer.until(() => viewer.notes.includes('pods'), 'viewer: pod in a');

    // The binding goes: the hub re-checks, and the viewer hears nothing more of namespace a.
    const rechecks = (await hub.stats()).rechecks;
    await c.delete('rbac.authorization.k8s.io/v1/rolebindings', 'viewer', { namespace: nsA });
    const end = Date.now() + 5000;
    while ((await hub.stats()).rechecks === rechecks && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    const heard = viewer.notes.length;
    const adminHeard = admin.notes.filter((n) => n === 'pods').length;
    await c.create('pods', pod('in-a-2'), { namespace: nsA });
    await admin.until(
      () => admin.notes.filter((n) => n === 'pods').length > adminHeard,
      'admin: second pod in a',
    );
    await quiet();
    expect(viewer.notes.slice(heard).filter((n) => n === 'pods')).toEqual([]);
    await admin.close();
    await viewer.close();
  });

  it('a scope decided before a RoleBinding went does not come back after the re-check that took it away', async () => {
    const c = apiClient();
    const nsA = await freshNamespace(c);
    const user = `late-${crypto.randomUUID().slice(0, 8)}`;
    const rbac = 'rbac.authorization.k8s.io/v1';
    await c.create(
      `${rbac}/roles`,
      {
        apiVersion: rbac,
        kind: 'Role',
        metadata: { name: 'pod-viewer' },
        rules: [{ verbs: ['list', 'watch'], apiGroups: [''], resources: ['pods'] }],
      },
      { namespace: nsA },
    );
    await c.create(
      `${rbac}/rolebindings`,
      {
        apiVersion: rbac,
        kind: 'RoleBinding',
        metadata: { name: 'viewer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-viewer' },
        subjects: [{ kind: 'User', name: user }],
      },
      { namespace: nsA },
    );
    const hub = freshHub();
    const admin = await subscribe(hub, ADMIN, ['pods']);
    // The viewer's first scope is read at once (the binding is there) but arrives 1.5 s later.
    let read = false;
    let late = false;
    await runInDurableObject(hub, (o: UiHub) => {
      const real = o.scopeSource;
      let first = true;
      o.scopeSource = async (u, ...rest) => {
        const scope = await real(u, ...rest);
        if (u.name === user && first) {
          first = false;
          read = true;
          await new Promise((r) => setTimeout(r, 1500));
          late = true;
        }
        return scope;
      };
    });
    const viewerP = subscribe(hub, { name: user, groups: ['system:authenticated'] }, ['pods']);
    const readBy = Date.now() + 5000;
    while (!read && Date.now() < readBy) await new Promise((r) => setTimeout(r, 10));
    expect(read).toBe(true);
    const rechecks = (await hub.stats()).rechecks;
    await c.delete(`${rbac}/rolebindings`, 'viewer', { namespace: nsA });
    const end = Date.now() + 5000;
    while ((await hub.stats()).rechecks === rechecks && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    const viewer = await viewerP;
    // (The re-check's own note may have come first: wait for the late scope to land.)
    while (!late && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(late).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    const heard = admin.notes.filter((n) => n === 'pods').length;
    await c.create('pods', pod('after-unbind'), { namespace: nsA });
    await admin.until(() => admin.notes.filter((n) => n === 'pods').length > heard, 'admin: pod');
    await quiet();
    expect(viewer.notes.filter((n) => n === 'pods')).toEqual([]);
    await admin.close();
    await viewer.close();
  });

  it('the shared watch lists again after a 410 Expired, tells its streams, and follows changes from there', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const hub = freshHub();
    // The first pods watch answers what the store answers when the history to resume from is gone.
    await runInDurableObject(hub, (o: UiHub) => {
      const real = o.watchSource;
      let expired = 0;
      o.watchSource = (r, from, signal) => {
        if (r.resource !== 'pods' || expired++ > 0) return real(r, from, signal);
        return (async function* (): AsyncGenerator<StoreEvent> {
          yield { type: 'EXPIRED', message: 'too old resource version: 1 (2)' };
        })();
      };
    });
    const s = await subscribe(hub, ADMIN, ['pods']);
    await s.until(() => s.notes.includes('pods'), 'the relist note');
    expect((await hub.stats()).watches.pods).toMatchObject({ lists: 2, streams: 2 });
    const before = s.notes.length;
    await c.create('pods', pod('after-410'), { namespace: ns });
    await s.until(() => s.notes.slice(before).includes('pods'), 'a change after the relist');
    await s.close();
  });

  it('a stream signed in with a ServiceAccount token ends soon after the ServiceAccount is deleted', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const admin = { authorization: `Bearer ${testEnv.ADMIN_TOKEN}` };
    const sa = await SELF.fetch(`https://edgeplane.test/api/v1/namespaces/${ns}/serviceaccounts`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'dash' },
      }),
    });
    expect(sa.status).toBe(201);
    const tr = await SELF.fetch(
      `https://edgeplane.test/api/v1/namespaces/${ns}/serviceaccounts/dash/token`,
      {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { audiences: [] },
        }),
      },
    );
    expect(tr.status).toBe(201);
    const token = ((await tr.json()) as { status: { token: string } }).status.token;
    const signIn = await SELF.fetch('https://edgeplane.test/ui/signin', {
      method: 'POST',
      body: new URLSearchParams({ token }),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://edgeplane.test',
      },
      redirect: 'manual',
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    const s = read(
      await SELF.fetch('https://edgeplane.test/ui/stream?kinds=pods', { headers: { cookie } }),
    );
    await s.until(() => s.notes.includes('*'), 'the start note');
    await quiet();
    expect(s.ended()).toBe(false);
    await c.delete('serviceaccounts', 'dash', { namespace: ns });
    // Not at the 10-minute lifetime nor the 60 s re-check: the ServiceAccount watch ends it.
    await s.until(() => s.ended(), 'the stream to end', 3000);
  });

  it('/ui/stream is served by the hub: the start note, then the kinds that changed', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const signIn = await SELF.fetch('https://edgeplane.test/ui/signin', {
      method: 'POST',
      body: new URLSearchParams({ token: testEnv.ADMIN_TOKEN! }),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://edgeplane.test',
      },
      redirect: 'manual',
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    const res = await SELF.fetch('https://edgeplane.test/ui/stream?kinds=pods,services', {
      headers: { cookie },
    });
    const s = read(res);
    await s.until(() => s.notes.includes('*'), 'the start note');
    const hubs = env.UI_HUB!;
    const stats = await hubs.get(hubs.idFromName('ui')).stats();
    expect(stats.watches.pods?.running).toBe(true);
    await c.create('pods', pod('seen'), { namespace: ns });
    await s.until(() => s.notes.includes('pods'), 'pods');
    expect(s.notes).not.toContain('services');
    await s.close();
  });
});
