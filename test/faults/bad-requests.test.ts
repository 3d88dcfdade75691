// Fault lane: 1,000 bad requests (a hand-written corpus plus seeded mutations, test/faults/corpus.ts)
// against a running `edgeplane dev`. Every one gets a 4xx Kubernetes Status, never a 5xx or a dropped
// connection; a full listing of every stored object is the same before and after; and the server
// still answers /readyz and ordinary requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import { buildCorpus, FIXTURES, NS, type BadRequest } from './corpus';
import { fullListing, listablePaths, listingDiff, raw, type RawResponse } from './raw';

const SEED = Number(process.env.FAULTS_SEED ?? 20261203);
const CONCURRENCY = 4;

afterAll(async () => {
  await cleanupClusters();
}, 60_000);

/** What is wrong with one answer, or undefined when it is a proper 4xx Status. */
function fault(req: BadRequest, res: RawResponse, finalPath: string): string | undefined {
  if (res.status >= 500) return `answered ${res.status}`;
  if (res.status < 400) return `accepted with ${res.status}`;
  // The apiserver answers every error under /api and /apis with a Status whose code is the HTTP status.
  if (!/^\/apis?(\/|$)/.test(finalPath)) return undefined;
  // A URL or headers too long for the HTTP layer itself are refused before any API code runs.
  if (res.status === 414 || res.status === 431) return undefined;
  let status: { kind?: string; code?: number; status?: string };
  try {
    status = JSON.parse(res.body);
  } catch {
    return `answered ${res.status} with a body that is not a Status: ${res.contentType} ${JSON.stringify(res.body.slice(0, 120))}`;
  }
  if (status.kind !== 'Status' || status.code !== res.status || status.status !== 'Failure')
    return `answered ${res.status} with ${JSON.stringify(status).slice(0, 200)}`;
  return undefined;
}

describe.each([1, 4])('1,000 bad requests, %i partition(s)', (partitions) => {
  let c: Cluster;

  beforeAll(async () => {
    c = await startCluster({ partitions });
  }, 180_000);

  afterAll(async () => {
    await c?.stop();
  }, 60_000);

  it('get 4xx Status answers only, store nothing, and leave the server healthy', async () => {
    for (const f of FIXTURES) {
      const res = await raw(c, { method: 'POST', path: f.path, body: JSON.stringify(f.body) });
      expect(res.status, `fixture ${f.path}: ${res.body.slice(0, 300)}`).toBe(201);
    }
    const paths = await listablePaths(c);
    expect(paths).toContain('/api/v1/configmaps');
    // A baseline that holds still: the control plane's own writes after the fixtures settle first.
    let before = await fullListing(c, paths);
    for (let i = 0; ; i++) {
      await new Promise((r) => setTimeout(r, 1_500));
      const again = await fullListing(c, paths);
      const moving = listingDiff(before, again);
      before = again;
      if (moving.length === 0) break;
      if (i === 10) throw new Error(`the idle cluster never held still: ${moving.join('; ')}`);
    }

    const corpus = buildCorpus(SEED);
    expect(corpus).toHaveLength(1000);
    const faults: string[] = [];
    const counts = new Map<string, number>();
    const t0 = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < corpus.length) {
        const i = next++;
        const req = corpus[i];
        const finalPath = new URL(req.path, c.url).pathname;
        try {
          const res = await raw(c, { ...req, timeoutMs: 30_000 });
          counts.set(String(res.status), (counts.get(String(res.status)) ?? 0) + 1);
          const f = fault(req, res, finalPath);
          if (f)
            faults.push(
              `#${i} [${req.category}] ${req.what} (${req.method} ${req.path.slice(0, 120)}): ${f}: ${res.body.slice(0, 300)}`,
            );
        } catch (e) {
          counts.set('no answer', (counts.get('no answer') ?? 0) + 1);
          faults.push(
            `#${i} [${req.category}] ${req.what} (${req.method} ${req.path.slice(0, 120)}): no answer: ${(e as Error).message}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const took = Date.now() - t0;
    console.log(
      `bad requests (seed ${SEED}, ${partitions} partition(s)): ${corpus.length} in ${took} ms; answers ${JSON.stringify(Object.fromEntries([...counts].sort()))}`,
    );
    if (faults.length) console.log(faults.join('\n'));
    expect(
      faults,
      `${faults.length} of ${corpus.length} bad requests were not refused with a 4xx Status`,
    ).toEqual([]);

    const after = await fullListing(c, paths);
    expect(
      listingDiff(before, after),
      'objects stored, changed or removed by bad requests',
    ).toEqual([]);

    // Healthy: ready, and an ordinary write and read work.
    expect((await raw(c, { method: 'GET', path: '/readyz' })).status).toBe(200);
    const ok = await raw(c, {
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/configmaps`,
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'after-the-storm' },
        data: { k: 'v' },
      }),
    });
    expect(ok.status, ok.body).toBe(201);
    const read = await raw(c, {
      method: 'GET',
      path: `/api/v1/namespaces/${NS}/configmaps/after-the-storm`,
    });
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body).data).toEqual({ k: 'v' });
    const kubectl = await c.kubectl(['get', 'configmaps', '-n', NS, '--no-headers']);
    expect(kubectl.code, kubectl.stderr).toBe(0);
    expect(kubectl.stdout).toMatch(/^after-the-storm\s/m);
  }, 600_000);
});
