// `npm run bench -- ui [--streams 1,10,50] [--changes 5] [--namespaces 10]`: what open dashboards
// cost the storage plane. N simulated browsers (plain SSE HTTP clients with a session cookie, each
// holding /ui/stream for every kind, as the page's script does) against the real API Worker in
// Miniflare, twice: before (no UI_HUB binding: each stream watches through the API as its user) and
// after (the UiHub Durable Object: one watch per kind for all streams). Per N: the watchers open on
// the watch hubs, the shard reads per stream start, the time until all N streams have started, and
// the time from a pod write to its note at every stream. Two identities: the admin, and a
// ServiceAccount bound in one namespace of several (whose streams list the namespaces and ask the
// authorizer per namespace).
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { bundleWorker } from '../src/cli/bundle';
import { summarize } from './stats';
import { ms, table } from './table';

interface Counts {
  reads: Record<string, number>;
  watchers: number;
}

interface Plane {
  url: string;
  token: string;
  api(method: string, p: string, body?: unknown, token?: string): Promise<unknown>;
  counts(): Promise<Counts>;
  dispose(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startPlane(script: string, dir: string, withHub: boolean): Promise<Plane> {
  const token = randomBytes(24).toString('base64url');
  const data = fs.mkdtempSync(path.join(dir, 'data-'));
  const durableObjects: Record<string, { className: string; useSQLite: boolean }> = {
    SHARDS: { className: 'StorageShard', useSQLite: true },
    HUBS: { className: 'WatchHub', useSQLite: true },
    LOGS: { className: 'LogStore', useSQLite: true },
    NODE_TUNNEL: { className: 'NodeTunnel', useSQLite: true },
    METRICS: { className: 'MetricsShard', useSQLite: true },
  };
  if (withHub) durableObjects.UI_HUB = { className: 'UiHub', useSQLite: true };
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      resourcePersistencePath: data,
      workers: [
        {
          name: 'edgeplane-api',
          modules: true,
          scriptPath: script,
          modulesRoot: dir,
          compatibilityDate: '2026-11-01',
          bindings: {
            ADMIN_TOKEN: token,
            PARTITIONS: '4',
            HISTORY_REVISIONS: '10000',
            SERVICE_CIDR: '127.96.0.0/16',
            SERVICE_NODE_PORT_RANGE: '30000-32767',
          },
          durableObjects,
        },
      ],
    }),
  );
  const url = (await mf.ready).origin;
  const api = async (method: string, p: string, body?: unknown, as = token) => {
    const r = await fetch(url + p, {
      method,
      headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
    return JSON.parse(text) as unknown;
  };
  return {
    url,
    token,
    api,
    async counts() {
      return (await (await fetch(`${url}/__bench/counts`)).json()) as Counts;
    },
    dispose: () => mf.dispose(),
  };
}

/** One simulated browser: its /ui/stream, and when each note arrived. */
class Browser {
  notes: { kind: string; at: number }[] = [];
  /** Why the stream ended before the bench closed it. */
  failed: string | undefined;
  private abort = new AbortController();
  private done: Promise<void>;

  constructor(url: string, cookie: string, kinds: string) {
    this.done = (async () => {
      const r = await fetch(`${url}/ui/stream?kinds=${encodeURIComponent(kinds)}`, {
        headers: { cookie },
        signal: this.abort.signal,
      });
      if (!r.ok || !r.body) throw new Error(`stream answered ${r.status}`);
      const dec = new TextDecoder();
      let buf = '';
      const reader = r.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const m = /^event: change\ndata: (.*)$/m.exec(buf.slice(0, i));
          buf = buf.slice(i + 2);
          if (m) this.notes.push({ kind: m[1], at: performance.now() });
        }
      }
    })().catch((e: unknown) => {
      if (this.abort.signal.aborted) return;
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      this.failed = `${(e as Error).message}${cause ? ` (${cause})` : ''}`;
    });
  }

  has(kind: string, after = 0): { kind: string; at: number } | undefined {
    return this.notes.find((n) => n.kind === kind && n.at >= after);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

async function until(pred: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(5);
  }
}

async function signIn(plane: Plane, token: string): Promise<string> {
  const r = await fetch(`${plane.url}/ui/signin`, {
    method: 'POST',
    body: new URLSearchParams({ token }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: plane.url },
    redirect: 'manual',
  });
  const set = r.headers.get('set-cookie');
  if (r.status !== 303 || !set) throw new Error(`sign-in: ${r.status}`);
  return set.split(';')[0];
}

/** A ServiceAccount token that may get, list and watch everything in `ns` only. */
async function viewerToken(plane: Plane, ns: string): Promise<string> {
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  await plane.api('POST', `${rbac}/clusterroles`, {
    metadata: { name: 'bench-dashboard-viewer' },
    rules: [
      {
        apiGroups: ['', 'apps', 'batch', 'coordination.k8s.io'],
        resources: ['*'],
        verbs: ['get', 'list', 'watch'],
      },
    ],
  });
  await plane.api('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
    metadata: { name: 'viewer' },
  });
  await plane.api('POST', `${rbac}/namespaces/${ns}/rolebindings`, {
    metadata: { name: 'viewer' },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'bench-dashboard-viewer',
    },
    subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace: ns }],
  });
  const tr = (await plane.api('POST', `/api/v1/namespaces/${ns}/serviceaccounts/viewer/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: {},
  })) as { status: { token: string } };
  return tr.status.token;
}

interface Row {
  mode: string;
  who: string;
  n: number;
  watchers: number;
  readsPerStart: number;
  startMs: number;
  noteP50: number;
  noteMax: number;
  failed?: string;
}

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
});

async function measure(
  plane: Plane,
  mode: string,
  who: string,
  cookie: string,
  kinds: string,
  n: number,
  ns: string,
  changes: number,
  seq: { i: number },
): Promise<Row> {
  const base = await plane.counts();
  const t0 = performance.now();
  const browsers = Array.from({ length: n }, () => new Browser(plane.url, cookie, kinds));
  await until(() => browsers.every((b) => b.has('*') || b.failed), `${n} streams started`);
  const startMs = performance.now() - t0;
  const failed = browsers.filter((b) => b.failed);
  if (failed.length > 0) {
    await Promise.all(browsers.map((b) => b.close()));
    return {
      mode,
      who,
      n,
      watchers: NaN,
      readsPerStart: NaN,
      startMs: NaN,
      noteP50: NaN,
      noteMax: NaN,
      failed: `${failed.length} of ${n} streams failed: ${failed[0].failed}`,
    };
  }
  // Let the last watches settle on the hubs before counting.
  await sleep(300);
  const after = await plane.counts();
  const reads = Object.keys(after.reads).reduce(
    (s, k) => s + after.reads[k] - (base.reads[k] ?? 0),
    0,
  );
  const lastOf: number[] = [];
  for (let c = 0; c < changes; c++) {
    const t = performance.now();
    await plane.api('POST', `/api/v1/namespaces/${ns}/pods`, pod(`p${seq.i++}`));
    await until(() => browsers.every((b) => b.has('pods', t)), `pod note at ${n} streams`);
    lastOf.push(Math.max(...browsers.map((b) => b.has('pods', t)!.at - t)));
    await sleep(100);
  }
  await Promise.all(browsers.map((b) => b.close()));
  // Closed streams leave the UiHub when their cancellation reaches it; a direct stream's watches end
  // once a write finds them gone, so pods are written until the watchers are back to the base.
  const end = Date.now() + 30_000;
  while ((await plane.counts()).watchers > base.watchers && Date.now() < end) {
    await plane.api('POST', `/api/v1/namespaces/${ns}/pods`, pod(`p${seq.i++}`));
    await sleep(500);
  }
  const s = summarize(lastOf);
  return {
    mode,
    who,
    n,
    watchers: after.watchers - base.watchers,
    readsPerStart: reads / n,
    startMs,
    noteP50: s.p50,
    noteMax: Math.max(...lastOf),
  };
}

export async function uiBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      streams: { type: 'string', default: '1,10,50' },
      changes: { type: 'string', default: '5' },
      namespaces: { type: 'string', default: '10' },
    },
  });
  const ns = values.streams!.split(',').map(Number);
  const changes = Number(values.changes);
  const nsCount = Number(values.namespaces);
  console.log(
    `edgeplane dashboard stream benchmark: ${ns.join(', ')} simulated browsers, each holding /ui/stream ` +
      `for every kind; ${nsCount} namespaces; ${changes} pod writes per row; 4 partitions`,
  );
  console.log(
    `machine: ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-bench-ui-'));
  const rows: Row[] = [];
  try {
    const script = await bundleWorker('bench/ui-worker.js', path.join(dir, 'api.mjs'));
    for (const [mode, withHub] of [
      ['before: a watch per stream', false],
      ['after: UiHub', true],
    ] as const) {
      const plane = await startPlane(script, dir, withHub);
      try {
        for (let i = 0; i < nsCount; i++)
          await plane.api('POST', '/api/v1/namespaces', { metadata: { name: `team-${i}` } });
        const viewer = await viewerToken(plane, 'team-0');
        const admin = await signIn(plane, plane.token);
        const page = await (
          await fetch(`${plane.url}/ui/nodes`, { headers: { cookie: admin } })
        ).text();
        const kinds = /data-all-kinds="([^"]*)"/.exec(page)?.[1];
        if (!kinds) throw new Error('no data-all-kinds on /ui/nodes');
        const seq = { i: 0 };
        for (const [who, cookie] of [
          ['admin', admin],
          ['viewer of 1 namespace', await signIn(plane, viewer)],
        ] as const)
          for (const n of ns) {
            const row = await measure(plane, mode, who, cookie, kinds, n, 'team-0', changes, seq);
            rows.push(row);
            console.log(
              `${mode}, ${who}, N=${n}: ` +
                (row.failed ??
                  `${row.watchers} hub watchers, ${row.readsPerStart.toFixed(1)} reads per start, ` +
                    `note p50 ${ms(row.noteP50)} ms`),
            );
          }
      } finally {
        await plane.dispose();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    table(
      [
        'streams',
        'identity',
        'N',
        'hub watchers',
        'shard reads / stream start',
        'all started (ms)',
        'pod write -> note at all N, p50 (ms)',
        'max (ms)',
      ],
      rows.map((r) => [
        r.mode,
        r.who,
        r.n,
        r.failed ? 'failed' : r.watchers,
        r.readsPerStart.toFixed(1),
        ms(r.startMs),
        ms(r.noteP50),
        ms(r.noteMax),
      ]),
    ),
  );
  console.log(
    '\nhub watchers: watch streams the watch hubs hold for these streams (a partitioned kind, pods, ' +
      'events and leases, takes one per partition); after: the UiHub also watches the RBAC kinds and ' +
      'namespaces to re-check its streams, and ServiceAccounts and Secrets to re-authenticate them. shard reads: StorageShard get/list/readLog/getSetting/' +
      'subscribe calls while the N streams start, divided by N (session checks included).',
  );
}
