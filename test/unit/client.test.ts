// KubeClient, watch and Informer against a tiny in-test apiserver on 127.0.0.1 that can cut streams and expire history.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KObject, Status } from '../../src/api/types';
import { KubeClient } from '../../src/client/client';
import { ApiStatusError, isAlreadyExists, isConflict, isNotFound } from '../../src/client/errors';
import { Informer, type InformerEvent } from '../../src/client/informer';
import { resolveResource, resourceUrl } from '../../src/client/paths';
import { bearerTransport } from '../../src/client/transport';
import { WatchStreamError } from '../../src/client/watch';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Logged {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KObject;
}

const status = (code: number, reason: string, message: string): Status => ({
  apiVersion: 'v1',
  kind: 'Status',
  metadata: {},
  status: 'Failure',
  code,
  reason,
  message,
});

/** Just enough of an apiserver for pods in "default": a revision log, paged lists and live watch streams. */
class FakeApi {
  rev = 100;
  compactedBelow = 0;
  objects = new Map<string, KObject>();
  log: Logged[] = [];
  seen: Seen[] = [];
  watchers = new Set<ServerResponse>();
  /** How an expired watch is answered: an ERROR event inside a 200 stream, or a plain HTTP 410. */
  expireAs: 'event' | 'http' = 'event';
  /** Runs after each list page is served, to change the world between pages. */
  afterList?: () => void;
  server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => this.handle(req, res, body));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private pod(name: string, rv: number, extra: Record<string, unknown> = {}): KObject {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', resourceVersion: String(rv) },
      ...extra,
    };
  }

  /** Writes one change; `cut` breaks every open watch halfway through this event's line. */
  write(
    type: Logged['type'],
    name: string,
    opts: { cut?: boolean; extra?: Record<string, unknown> } = {},
  ): Logged {
    const rv = ++this.rev;
    const object =
      type === 'DELETED'
        ? {
            ...this.objects.get(name)!,
            metadata: { ...this.objects.get(name)!.metadata, resourceVersion: String(rv) },
          }
        : this.pod(name, rv, opts.extra);
    if (type === 'DELETED') this.objects.delete(name);
    else this.objects.set(name, object);
    const entry = { rv, type, object };
    this.log.push(entry);
    const line = JSON.stringify({ type, object }) + '\n';
    for (const w of this.watchers) {
      if (opts.cut) {
        w.write(line.slice(0, Math.floor(line.length / 2)));
        w.destroy();
        this.watchers.delete(w);
      } else w.write(line);
    }
    return entry;
  }

  bookmark(): void {
    const line =
      JSON.stringify({
        type: 'BOOKMARK',
        object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(this.rev) } },
      }) + '\n';
    for (const w of this.watchers) w.write(line);
  }

  cutWatches(): void {
    for (const w of this.watchers) w.destroy();
    this.watchers.clear();
  }

  /** Forgets history: watches from older revisions now answer 410. */
  compact(): void {
    this.compactedBelow = this.rev;
  }

  watchRequests(): Seen[] {
    return this.seen.filter((s) => s.query.get('watch') === 'true');
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url!, 'http://x');
    this.seen.push({
      method: req.method!,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
    const q = url.searchParams;
    const podPath = url.pathname.match(
      /^(?:\/prefix)?\/api\/v1\/namespaces\/default\/pods(?:\/([^/]+))?(?:\/([^/]+))?$/,
    );
    if (url.pathname.endsWith('/configmaps/broken')) {
      res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.end('upstream connect error');
      return;
    }
    if (!podPath)
      return this.send(
        res,
        404,
        status(404, 'NotFound', `the server could not find the requested resource`),
      );
    const [, name, sub] = podPath;
    if (req.method === 'GET' && !name && q.get('watch') === 'true')
      return this.watch(res, Number(q.get('resourceVersion') || this.rev));
    if (req.method === 'GET' && !name) return this.list(res, q);
    if (req.method === 'GET') {
      const obj = this.objects.get(name);
      return obj
        ? this.send(res, 200, obj)
        : this.send(res, 404, status(404, 'NotFound', `pods "${name}" not found`));
    }
    if (name === 'taken')
      return this.send(res, 409, status(409, 'AlreadyExists', 'pods "taken" already exists'));
    if (name === 'stale')
      return this.send(
        res,
        409,
        status(
          409,
          'Conflict',
          'Operation cannot be fulfilled on pods "stale": the object has been modified; please apply your changes to the latest version and try again',
        ),
      );
    // Writes echo what they got, so tests can check exactly what the client sent.
    this.send(res, req.method === 'POST' ? 201 : 200, {
      kind: 'Echo',
      metadata: {},
      sub,
      body: body ? JSON.parse(body) : null,
    });
  }

  private list(res: ServerResponse, q: URLSearchParams): void {
    const items = [...this.objects.values()].sort((a, b) =>
      a.metadata.name!.localeCompare(b.metadata.name!),
    );
    const limit = Number(q.get('limit') || 0);
    let offset = 0;
    let rv = this.rev;
    const token = q.get('continue');
    if (token) {
      const [tokenRv, tokenOffset] = token.split(':').map(Number);
      if (tokenRv < this.compactedBelow)
        return this.send(
          res,
          410,
          status(
            410,
            'Expired',
            'The provided continue parameter is too old to display a consistent list result.',
          ),
        );
      rv = tokenRv;
      offset = tokenOffset;
    }
    const page = limit ? items.slice(offset, offset + limit) : items.slice(offset);
    const next = limit && offset + limit < items.length ? `${rv}:${offset + limit}` : undefined;
    this.send(res, 200, {
      apiVersion: 'v1',
      kind: 'PodList',
      metadata: { resourceVersion: String(rv), continue: next },
      items: page,
    });
    this.afterList?.();
  }

  private watch(res: ServerResponse, from: number): void {
    if (from < this.compactedBelow) {
      const gone = status(
        410,
        'Expired',
        `too old resource version: ${from} (${this.compactedBelow})`,
      );
      if (this.expireAs === 'http') return this.send(res, 410, gone);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ type: 'ERROR', object: gone }) + '\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    for (const e of this.log)
      if (e.rv > from) res.write(JSON.stringify({ type: e.type, object: e.object }) + '\n');
    this.watchers.add(res);
    res.on('close', () => this.watchers.delete(res));
  }
}

let api: FakeApi;
let client: KubeClient;

beforeEach(async () => {
  api = new FakeApi();
  await api.listen();
  client = new KubeClient({ transport: bearerTransport(api.url, 'secret-token') });
});

afterEach(async () => {
  await api.close();
});

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('paths', () => {
  it('builds core, group, cluster-scoped and subresource URLs with escaped names and queries', () => {
    expect(
      resourceUrl(resolveResource('pods'), {
        namespace: 'ns',
        name: 'a b',
        subresource: 'binding',
      }),
    ).toBe('/api/v1/namespaces/ns/pods/a%20b/binding');
    expect(
      resourceUrl(
        resolveResource('deployments.apps'),
        { namespace: 'ns' },
        { labelSelector: 'app in (x,y)', limit: 10 },
      ),
    ).toBe('/apis/apps/v1/namespaces/ns/deployments?labelSelector=app+in+%28x%2Cy%29&limit=10');
    expect(resourceUrl(resolveResource('nodes'), { namespace: 'ignored', name: 'n1' })).toBe(
      '/api/v1/nodes/n1',
    );
    expect(
      resourceUrl(
        resolveResource('coordination.k8s.io/v1/leases'),
        {},
        { watch: true, allowWatchBookmarks: true, resourceVersion: '7' },
      ),
    ).toBe(
      '/apis/coordination.k8s.io/v1/leases?watch=true&allowWatchBookmarks=true&resourceVersion=7',
    );
    expect(() => resolveResource('widgets')).toThrow(/unknown resource "widgets"/);
    expect(() => resourceUrl(resolveResource('pods'), { name: 'p' })).toThrow(
      'pods are namespaced: say which namespace p is in',
    );
  });
});

describe('KubeClient', () => {
  it('sends the bearer token and keeps the base path prefix', async () => {
    const prefixed = new KubeClient({ transport: bearerTransport(`${api.url}/prefix/`, 'tok') });
    api.write('ADDED', 'p1');
    const pod = await prefixed.get('pods', 'p1', { namespace: 'default' });
    expect(pod.metadata.name).toBe('p1');
    expect(api.seen[0].path).toBe('/prefix/api/v1/namespaces/default/pods/p1');
    expect(api.seen[0].headers.authorization).toBe('Bearer tok');
  });

  it('lists page by page and joins every page when asked for all', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) api.write('ADDED', n);
    const first = await client.list('pods', { namespace: 'default', limit: 2 });
    expect(first.items.map((p) => p.metadata.name)).toEqual(['a', 'b']);
    expect(first.metadata.continue).toBe('105:2');

    api.seen = [];
    const all = await client.list('pods', { namespace: 'default', limit: 2, all: true });
    expect(all.items.map((p) => p.metadata.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(all.metadata).toEqual({ resourceVersion: '105' });
    expect(api.seen.map((s) => s.query.get('continue'))).toEqual([null, '105:2', '105:4']);
    expect(api.seen.every((s) => s.query.get('limit') === '2')).toBe(true);
  });

  it('falls back to one full list when a continue token expires mid-way', async () => {
    for (const n of ['a', 'b', 'c']) api.write('ADDED', n);
    api.afterList = () => {
      api.afterList = undefined;
      api.write('ADDED', 'd');
      api.compact();
    };
    const all = await client.list('pods', { namespace: 'default', limit: 1, all: true });
    expect(all.items.map((p) => p.metadata.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(api.seen.map((s) => [s.query.get('limit'), s.query.get('continue')])).toEqual([
      ['1', null],
      ['1', '103:1'],
      [null, null],
    ]);
  });

  it('maps error responses to ApiStatusError carrying the Status', async () => {
    const missing = await client.get('pods', 'nope', { namespace: 'default' }).catch((e) => e);
    expect(missing).toBeInstanceOf(ApiStatusError);
    expect(missing.code).toBe(404);
    expect(missing.message).toBe('pods "nope" not found');
    expect(isNotFound(missing)).toBe(true);
    expect(isConflict(missing)).toBe(false);

    const exists = await client
      .create('pods', { metadata: { name: 'taken', namespace: 'default' } })
      .catch((e) => e);
    const dup = await client
      .createSubresource('pods', 'taken', 'binding', {}, { namespace: 'default' })
      .catch((e) => e);
    expect(isAlreadyExists(dup)).toBe(true);
    expect(isConflict(dup)).toBe(false);
    expect(exists).toBeInstanceOf(Object);

    const stale = await client
      .update('pods', { metadata: { name: 'stale', namespace: 'default', resourceVersion: '1' } })
      .catch((e) => e);
    expect(isConflict(stale)).toBe(true);
    expect(stale.status.reason).toBe('Conflict');

    const broken = await client
      .get('configmaps', 'broken', { namespace: 'default' })
      .catch((e) => e);
    expect(broken.status).toMatchObject({
      kind: 'Status',
      code: 503,
      reason: 'ServiceUnavailable',
      message: 'upstream connect error',
    });
  });

  it('sends writes to the right paths with the right content types, queries and bodies', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'w', namespace: 'default', resourceVersion: '3' },
    };
    await client.create('pods', pod, { dryRun: 'All', fieldManager: 'sched' });
    await client.update('pods', pod);
    await client.updateStatus('pods', pod);
    await client.patch(
      'pods',
      'w',
      'merge',
      { metadata: { labels: { a: 'b' } } },
      { namespace: 'default' },
    );
    await client.patch(
      'pods',
      'w',
      'strategic',
      {},
      { namespace: 'default', subresource: 'status' },
    );
    await client.patch('pods', 'w', 'json', [{ op: 'remove', path: '/metadata/labels/a' }], {
      namespace: 'default',
    });
    await client.patch('pods', 'w', 'apply', pod, {
      namespace: 'default',
      fieldManager: 'me',
      force: true,
    });
    await client.delete('pods', 'w', {
      namespace: 'default',
      propagationPolicy: 'Foreground',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'u1' },
    });
    const bound = await client.createSubresource<{ sub: string; body: unknown }>(
      'pods',
      'w',
      'binding',
      { target: { kind: 'Node', name: 'n1' } },
      { namespace: 'default' },
    );

    const rows = api.seen.map((s) => [
      s.method,
      s.path + (s.query.size ? `?${s.query}` : ''),
      s.headers['content-type'],
    ]);
    expect(rows).toEqual([
      ['POST', '/api/v1/namespaces/default/pods?dryRun=All&fieldManager=sched', 'application/json'],
      ['PUT', '/api/v1/namespaces/default/pods/w', 'application/json'],
      ['PUT', '/api/v1/namespaces/default/pods/w/status', 'application/json'],
      ['PATCH', '/api/v1/namespaces/default/pods/w', 'application/merge-patch+json'],
      [
        'PATCH',
        '/api/v1/namespaces/default/pods/w/status',
        'application/strategic-merge-patch+json',
      ],
      ['PATCH', '/api/v1/namespaces/default/pods/w', 'application/json-patch+json'],
      [
        'PATCH',
        '/api/v1/namespaces/default/pods/w?fieldManager=me&force=true',
        'application/apply-patch+yaml',
      ],
      ['DELETE', '/api/v1/namespaces/default/pods/w', 'application/json'],
      ['POST', '/api/v1/namespaces/default/pods/w/binding', 'application/json'],
    ]);
    expect(JSON.parse(api.seen[7].body)).toEqual({
      apiVersion: 'meta.k8s.io/v1',
      kind: 'DeleteOptions',
      propagationPolicy: 'Foreground',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'u1' },
    });
    expect(bound).toMatchObject({ sub: 'binding', body: { target: { kind: 'Node', name: 'n1' } } });
    await expect(client.patch('pods', 'w', 'apply', pod, { namespace: 'default' })).rejects.toThrow(
      /fieldManager/,
    );
  });
});

describe('watch', () => {
  it('yields whole events when the server splits lines across chunks', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const a = JSON.stringify({
        type: 'ADDED',
        object: { metadata: { name: 'x', resourceVersion: '1' } },
      });
      const b = JSON.stringify({
        type: 'MODIFIED',
        object: { metadata: { name: 'x', resourceVersion: '2' } },
      });
      res.write(a.slice(0, 10));
      setTimeout(() => res.write(a.slice(10) + '\n' + b.slice(0, 5)), 20);
      // The last event has no trailing newline: it is complete JSON, so it is still delivered.
      setTimeout(() => res.end(b.slice(5)), 40);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const c = new KubeClient({
      transport: bearerTransport(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 't'),
    });
    const events = [];
    for await (const e of c.watch('pods', { resourceVersion: '0' }))
      events.push([e.type, e.object.metadata.resourceVersion]);
    expect(events).toEqual([
      ['ADDED', '1'],
      ['MODIFIED', '2'],
    ]);
    server.close();
  });

  it('throws when the stream ends in the middle of an event', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"type":"ADDED","object":{"metadata":{"na');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const c = new KubeClient({
      transport: bearerTransport(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 't'),
    });
    const drain = async () => {
      for await (const _ of c.watch('pods')) void _;
    };
    await expect(drain()).rejects.toBeInstanceOf(WatchStreamError);
    server.close();
  });

  it('sends the watch query and ends quietly when aborted', async () => {
    api.write('ADDED', 'a');
    const abort = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of client.watch('pods', {
        namespace: 'default',
        resourceVersion: '100',
        labelSelector: 'app=x',
        allowWatchBookmarks: true,
        timeoutSeconds: 30,
        signal: abort.signal,
      })) {
        seen.push(e.object.metadata.name!);
        abort.abort();
      }
    })();
    await done;
    expect(seen).toEqual(['a']);
    expect(Object.fromEntries(api.watchRequests()[0].query)).toEqual({
      watch: 'true',
      resourceVersion: '100',
      labelSelector: 'app=x',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '30',
    });
  });
});

describe('Informer', () => {
  const names = (inf: Informer) => [...inf.store.keys()].sort();
  const fast = { backoffInitialMs: 5, backoffMaxMs: 50, pageSize: 2 };

  function record(inf: Informer): Array<[string, string, string]> {
    const events: Array<[string, string, string]> = [];
    inf.onEvent((e: InformerEvent<KObject>) =>
      events.push([e.type, e.object.metadata.name!, e.object.metadata.resourceVersion!]),
    );
    return events;
  }

  it('lists in pages, then watches from the list resourceVersion', async () => {
    for (const n of ['a', 'b', 'c']) api.write('ADDED', n);
    const inf = new Informer(client, 'pods', { namespace: 'default', ...fast });
    const events = record(inf);
    inf.start();
    await inf.synced;
    expect(names(inf)).toEqual(['default/a', 'default/b', 'default/c']);
    expect(events.map((e) => e[0])).toEqual(['ADDED', 'ADDED', 'ADDED']);
    await until(() => api.watchers.size === 1, 'the watch');
    expect(api.watchRequests()[0].query.get('resourceVersion')).toBe('103');
    expect(api.watchRequests()[0].query.get('allowWatchBookmarks')).toBe('true');
    api.write('MODIFIED', 'b');
    api.write('DELETED', 'a');
    await until(() => events.length === 5, 'two watch events');
    expect(events.slice(3)).toEqual([
      ['MODIFIED', 'b', '104'],
      ['DELETED', 'a', '105'],
    ]);
    expect(names(inf)).toEqual(['default/b', 'default/c']);
    inf.stop();
  });

  it('resumes a dropped stream from the last event without gaps or repeats', async () => {
    api.write('ADDED', 'a');
    const inf = new Informer(client, 'pods', { namespace: 'default', ...fast });
    const events = record(inf);
    inf.start();
    await until(() => api.watchers.size === 1, 'the watch');
    api.write('ADDED', 'b'); // rv 102, delivered
    await until(() => events.length === 2, 'b');
    api.write('ADDED', 'c', { cut: true }); // rv 103: half a line, then the connection dies
    api.write('MODIFIED', 'a'); // rv 104, while no watch is open
    await until(() => events.length === 4, 'the resumed watch');
    expect(api.watchRequests().map((s) => s.query.get('resourceVersion'))).toEqual(['101', '102']);
    api.write('DELETED', 'b');
    await until(() => events.length === 5, 'the live event after resuming');
    expect(events).toEqual([
      ['ADDED', 'a', '101'],
      ['ADDED', 'b', '102'],
      ['ADDED', 'c', '103'],
      ['MODIFIED', 'a', '104'],
      ['DELETED', 'b', '105'],
    ]);
    expect(api.seen.filter((s) => s.query.get('watch') !== 'true')).toHaveLength(1);
    inf.stop();
  });

  it('resumes from a bookmark resourceVersion', async () => {
    api.write('ADDED', 'a');
    const inf = new Informer(client, 'pods', { namespace: 'default', ...fast }).start();
    await until(() => api.watchers.size === 1, 'the watch');
    api.rev = 150; // writes to other objects the selector hides
    api.bookmark();
    await until(() => inf.lastSyncResourceVersion === '150', 'the bookmark');
    api.cutWatches();
    await until(() => api.watchRequests().length === 2, 'the rewatch');
    expect(api.watchRequests()[1].query.get('resourceVersion')).toBe('150');
    inf.stop();
  });

  for (const expireAs of ['event', 'http'] as const) {
    it(`relists after 410 Expired (${expireAs === 'event' ? 'an ERROR event in the stream' : 'an HTTP 410'})`, async () => {
      api.expireAs = expireAs;
      for (const n of ['a', 'b', 'c']) api.write('ADDED', n);
      const errors: unknown[] = [];
      const inf = new Informer(client, 'pods', {
        namespace: 'default',
        ...fast,
        onError: (e) => errors.push(e),
      });
      const events = record(inf);
      inf.start();
      await until(() => api.watchers.size === 1, 'the watch');
      api.cutWatches();
      // While the informer is away, history is compacted past its resourceVersion.
      api.write('DELETED', 'a');
      api.write('MODIFIED', 'b');
      api.write('ADDED', 'd');
      api.compact();
      await until(() => events.length === 6, 'the relist');
      expect(events.slice(3)).toEqual([
        ['DELETED', 'a', '101'],
        ['MODIFIED', 'b', '105'],
        ['ADDED', 'd', '106'],
      ]);
      expect(names(inf)).toEqual(['default/b', 'default/c', 'default/d']);
      await until(() => api.watchers.size === 1, 'the new watch');
      expect(api.watchRequests().map((s) => s.query.get('resourceVersion'))).toEqual([
        '103',
        '103',
        '106',
      ]);
      // The dropped stream may be reported; the 410 never is, since relisting is the cure.
      expect(errors.filter((e) => e instanceof ApiStatusError)).toEqual([]);
      inf.stop();
    });
  }

  it('backs off while the server is down, then lists once it is back', async () => {
    const port = new URL(api.url).port;
    await api.close();
    const errors: unknown[] = [];
    const inf = new Informer(client, 'pods', {
      namespace: 'default',
      ...fast,
      onError: (e) => errors.push(e),
    }).start();
    await new Promise((r) => setTimeout(r, 300));
    // 5, 10, 20, 40, then 50 ms apart: about nine attempts in 300 ms, not hundreds.
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(errors.length).toBeLessThanOrEqual(12);
    api = new FakeApi();
    await new Promise<void>((resolve) => api.server.listen(Number(port), '127.0.0.1', resolve));
    api.write('ADDED', 'back');
    await inf.synced;
    expect(names(inf)).toEqual(['default/back']);
    inf.stop();
  });
});
