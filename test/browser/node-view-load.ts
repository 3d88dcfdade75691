// Measures the dashboard's node view on a 100-node, 1,000-pod cluster (simulated: Node objects and
// pods bound by spec.nodeName, no agents) in headless chromium. Not part of npm test; run:
//   node --import tsx test/browser/node-view-load.ts [nodes] [pods] [--compare=<commit>] [--rounds=N]
// Then times live updates: from a pod's DELETE to its chip leaving the page, in 1 tab and in 10 tabs
// of one browser. With --compare, the same is timed with the client script of <commit> (served in
// place of today's through a route), alternating rounds on the same cluster so both see the same load.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';

const args = process.argv.slice(2);
const positional = args.filter((a) => !a.startsWith('--'));
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const NODES = Number(positional[0] ?? 100);
const PODS = Number(positional[1] ?? 1000);
const COMPARE = flag('compare');
const ROUNDS = Number(flag('rounds') ?? 2);

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

/** The client script of an earlier commit (src/ui/assets.ts's JS), to serve instead of today's. */
async function scriptAt(commit: string): Promise<string> {
  const src = execFileSync('git', ['show', `${commit}:src/ui/assets.ts`], { encoding: 'utf8' });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ui-assets-')), 'assets.ts');
  fs.writeFileSync(file, src);
  return ((await import(file)) as { JS: string }).JS;
}

async function signedIn(browser: Browser, c: Cluster, script?: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
  if (script)
    await ctx.route('**/ui/assets/app.js', (r) =>
      r.fulfill({ body: script, contentType: 'text/javascript' }),
    );
  const page = await ctx.newPage();
  await page.goto(`${c.url}/ui/signin`);
  await page.getByLabel('Bearer token').fill(c.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/ui\/nodes$/);
  return ctx;
}

let victim = 0;

/** Deletes one pod; ms until its chip left each tab. */
async function deletionLag(c: Cluster, tabs: Page[]): Promise<number[]> {
  await Promise.all(tabs.map((t) => t.locator('#live', { hasText: 'live' }).waitFor()));
  const name = `p-${victim++}`;
  await Promise.all(tabs.map((t) => t.locator(`[data-pod="default/${name}"]`).waitFor()));
  const t0 = Date.now();
  const r = await c.fetch(`/api/v1/namespaces/default/pods/${name}?gracePeriodSeconds=0`, {
    method: 'DELETE',
  });
  if (!r.ok) throw new Error(`delete ${name}: ${r.status}`);
  return Promise.all(
    tabs.map(async (t) => {
      await t
        .locator(`[data-pod="default/${name}"]`)
        .waitFor({ state: 'detached', timeout: 30_000 });
      return Date.now() - t0;
    }),
  );
}

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]} ms, max ${s[s.length - 1]} ms (${xs.join(', ')})`;
};

/** One round for one client: a deletion in 1 tab, then one in 10 tabs; the tabs are closed after. */
async function round(browser: Browser, c: Cluster, label: string, script?: string) {
  const ctx = await signedIn(browser, c, script);
  const [first] = ctx.pages();
  const one = await deletionLag(c, [first]);
  const tabs = [first, ...(await Promise.all(Array.from({ length: 9 }, () => ctx.newPage())))];
  await Promise.all(tabs.slice(1).map((t) => t.goto(`${c.url}/ui/nodes`)));
  // An unrelated chip in the first tab: does it survive the update as the same DOM node?
  await first.evaluate(() => {
    (window as unknown as { keep: Element | null }).keep = document.querySelector(
      '[data-pod="default/p-999"]',
    );
  });
  let fetches = 0;
  ctx.on('request', (r) => {
    if (r.headers()['x-fragment'] === '1') fetches++;
  });
  const ten = await deletionLag(c, tabs);
  const kept = await first.evaluate(() => {
    const k = (window as unknown as { keep: Element | null }).keep;
    return k !== null && k === document.querySelector('[data-pod="default/p-999"]');
  });
  console.log(
    `${label}: 1 tab ${one[0]} ms; 10 tabs ${summary(ten)}, ${fetches} fragment fetches; unrelated chip kept: ${kept}`,
  );
  await ctx.close();
  return { one: one[0], ten };
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
    const ctx = await signedIn(browser, c);
    const [page] = ctx.pages();
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
    await page.screenshot({
      path: path.join(process.cwd(), 'test-artifacts', 'dashboard-nodes-100.png'),
    });
    await ctx.close();
    const old = COMPARE ? await scriptAt(COMPARE) : undefined;
    const results: Record<string, { one: number[]; ten: number[] }> = {};
    for (let i = 0; i < ROUNDS; i++) {
      for (const [label, script] of [
        ['today', undefined],
        ...(old ? [[`client of ${COMPARE}`, old]] : []),
      ] as [string, string | undefined][]) {
        const r = await round(browser, c, label, script);
        results[label] ??= { one: [], ten: [] };
        results[label].one.push(r.one);
        results[label].ten.push(...r.ten);
      }
    }
    for (const [label, r] of Object.entries(results))
      console.log(`${label} overall: 1 tab ${summary(r.one)}; 10 tabs ${summary(r.ten)}`);
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
