// Measures the dashboard's node view on a 100-node, 1,000-pod cluster (simulated: Node objects and
// pods bound by spec.nodeName, no agents) in headless chromium. Not part of npm test; run:
//   node --import tsx test/browser/node-view-load.ts [nodes] [pods]
import path from 'node:path';
import { chromium } from 'playwright-core';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';

const NODES = Number(process.argv[2] ?? 100);
const PODS = Number(process.argv[3] ?? 1000);

async function post(c: Cluster, p: string, body: unknown): Promise<void> {
  const r = await c.fetch(p, { method: 'POST', body: JSON.stringify(body) });
  if (r.status !== 201) throw new Error(`POST ${p}: ${r.status} ${await r.text()}`);
}

async function pool<T>(items: T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await f(items[i++]);
    }),
  );
}

async function main(): Promise<void> {
  const c = await startCluster();
  try {
    const nodes = Array.from({ length: NODES }, (_, i) => `sim-${String(i).padStart(3, '0')}`);
    await pool(nodes, 16, (name) =>
      post(c, '/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name } },
        status: {
          capacity: { cpu: '8', memory: '16Gi', pods: '110' },
          allocatable: { cpu: '8', memory: '16Gi', pods: '110' },
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
        },
      }),
    );
    const pods = Array.from({ length: PODS }, (_, i) => i);
    const t0 = Date.now();
    await pool(pods, 32, (i) =>
      post(c, '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `p-${i}`, labels: { app: 'sim' } },
        spec: {
          nodeName: nodes[i % NODES],
          containers: [
            { name: 'c', image: 'x', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
          ],
        },
      }),
    );
    console.log(`created ${NODES} nodes and ${PODS} pods (pods in ${Date.now() - t0} ms)`);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox'],
    });
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await ctx.newPage();
    await page.goto(`${c.url}/ui/signin`);
    await page.getByLabel('Bearer token').fill(c.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/ui\/nodes$/);
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = Date.now();
      await page.goto(`${c.url}/ui/nodes`, { waitUntil: 'load' });
      runs.push(Date.now() - start);
    }
    const cards = await page.locator('[data-node]').count();
    const chips = await page.locator('[data-pod]').count();
    const nav = await page.evaluate(() => {
      const e = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { ttfb: Math.round(e.responseStart), load: Math.round(e.loadEventEnd) };
    });
    console.log(
      `node view: ${cards} cards, ${chips} pods; load ms per run ${runs.join(', ')}; last run TTFB ${nav.ttfb} ms, load ${nav.load} ms`,
    );
    // A live update at this size: a deleted pod leaves the page (SSE, then the fragment re-render).
    await page.locator('#live', { hasText: 'live' }).waitFor();
    const del = Date.now();
    const r = await c.fetch('/api/v1/namespaces/default/pods/p-0?gracePeriodSeconds=0', {
      method: 'DELETE',
    });
    if (!r.ok) throw new Error(`delete p-0: ${r.status}`);
    await page.locator('[data-pod="default/p-0"]').waitFor({ state: 'detached', timeout: 10_000 });
    console.log(`live update: p-0 left the page ${Date.now() - del} ms after its delete was sent`);
    // Ten tabs on the same view: one more deletion must leave all of them, each by its own stream.
    const tabs = [page, ...(await Promise.all(Array.from({ length: 9 }, () => ctx.newPage())))];
    await Promise.all(tabs.slice(1).map((t) => t.goto(`${c.url}/ui/nodes`)));
    await Promise.all(tabs.map((t) => t.locator('#live', { hasText: 'live' }).waitFor()));
    const del10 = Date.now();
    await c.fetch('/api/v1/namespaces/default/pods/p-1?gracePeriodSeconds=0', { method: 'DELETE' });
    const lags = await Promise.all(
      tabs.map(async (t) => {
        await t.locator('[data-pod="default/p-1"]').waitFor({ state: 'detached', timeout: 20_000 });
        return Date.now() - del10;
      }),
    );
    console.log(`10 tabs: p-1 left them after ${lags.join(', ')} ms`);
    await page.screenshot({
      path: path.join(process.cwd(), 'test-artifacts', 'dashboard-nodes-100.png'),
    });
    await browser.close();
  } finally {
    await c.stop();
    await cleanupClusters();
  }
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
