// The dashboard in a real browser (Debian's chromium, headless, driven by playwright-core): sign-in,
// pods of examples/web/app.yaml appearing in their node card within 1 s of being bound (a live
// update, no reload), scaling from the page, a killed container's restart count, and a `view`-only
// user who sees one namespace and no buttons. Screenshots go to test-artifacts/ (gitignored).
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  cleanupClusters,
  ROOT,
  run,
  startCluster,
  tempDir,
  type Cluster,
} from '../helpers/cluster';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

let c: Cluster;
let browser: Browser;
let admin: BrowserContext;
let page: Page;

interface PodLite {
  metadata: { name: string; namespace: string; uid: string };
  spec: { nodeName?: string };
}

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await c.kubectl(args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function signIn(ctx: BrowserContext, token: string): Promise<Page> {
  const p = await ctx.newPage();
  await p.goto(`${c.url}/ui/`);
  await p.getByLabel('Bearer token').fill(token);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL(/\/ui\/nodes$/);
  return p;
}

/** When each web pod got its node, as seen by a watch in this process (same clock as the page). */
const boundAt = new Map<string, number>();
let stopWatch: (() => void) | undefined;

function watchBindings(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      new URL('/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dweb', c.url),
      { agent: c.agent, headers: { authorization: `Bearer ${c.token}` } },
      (res) => {
        let buf = '';
        res.on('data', (b: Buffer) => {
          buf += b.toString();
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const p = (JSON.parse(buf.slice(0, i)) as { object: PodLite }).object;
            buf = buf.slice(i + 1);
            if (p.spec.nodeName && !boundAt.has(p.metadata.name))
              boundAt.set(p.metadata.name, Date.now());
          }
        });
        res.on('error', () => {});
        resolve();
      },
    );
    req.on('error', reject);
    stopWatch = () => req.destroy();
  });
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  [c, browser] = await Promise.all([
    startCluster({ extraArgs: ['--agents', '1', '--runtime', 'process'] }),
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
  ]);
  admin = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1100, height: 800 },
  });
}, 120_000);

/** Every container process the process runtime recorded in this cluster (pid and start time). */
function containerProcesses(): { pid: number; startTicks: string }[] {
  const root = path.join(c.stateDir, 'agents');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => /containers\/[^/]+\.json$/.test(f))
    .map((f) => {
      try {
        return JSON.parse(fs.readFileSync(path.join(root, f), 'utf8')) as {
          pid?: number;
          startTicks?: string;
        };
      } catch {
        return {};
      }
    })
    .filter((r) => typeof r.pid === 'number' && r.startTicks !== undefined)
    .map((r) => ({ pid: r.pid!, startTicks: r.startTicks! }));
}

/** True when `pid` still is the process that started at `startTicks` (field 22 of /proc/PID/stat). */
function sameProcess(pid: number, startTicks: string): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] === String(startTicks);
  } catch {
    return false;
  }
}

afterAll(async () => {
  stopWatch?.();
  await browser?.close();
  if (!c) return;
  // The pods go first (a rollout may be under way), so no container outlives the cluster.
  await c.kubectl(['delete', 'deploy', 'web', '--ignore-not-found', '--wait=false']);
  await until(
    () => kubectl(['get', 'pods', '-l', 'app=web', '-o', 'name']),
    (s) => s.trim() === '',
    20_000,
  ).catch(() => {});
  const procs = containerProcesses();
  await c.stop();
  // Any container process still alive after the stop is killed by PID (checked by start time).
  for (const p of procs) if (sameProcess(p.pid, p.startTicks)) process.kill(p.pid, 'SIGKILL');
  await cleanupClusters();
}, 60_000);

describe('dashboard', () => {
  it('without a session: the sign-in form, no data, no stream; a wrong token is refused', async () => {
    const anon = await browser.newContext({ ignoreHTTPSErrors: true });
    const p = await anon.newPage();
    await p.goto(`${c.url}/ui/nodes`);
    expect(p.url()).toMatch(/\/ui\/signin$/);
    await expect(p.getByLabel('Bearer token').isVisible()).resolves.toBe(true);
    const stream = await c.fetch('/ui/stream?kinds=pods', { token: null });
    expect(stream.status).toBe(401);
    const forged = await c.fetch('/ui/nodes', {
      token: null,
      headers: { cookie: '__Host-edgeplane-session=AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(forged.status).toBe(303);
    await p.getByLabel('Bearer token').fill('not-a-token-of-this-cluster');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await expect(p.getByRole('alert').textContent()).resolves.toContain('not valid');
    await anon.close();
  });

  it('signs in; the session cookie is HttpOnly, Secure and SameSite=Strict', async () => {
    page = await signIn(admin, c.token);
    const [cookie] = await admin.cookies();
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
    expect(cookie.value).not.toContain(c.token);
    await page.locator('[data-node="node-1"]').waitFor();
    await page.locator('#live', { hasText: 'live' }).waitFor();
  });

  it('shows both pods of examples/web/app.yaml in their node card within 1 s of being bound', async () => {
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver(() => {
        for (const el of Array.from(
          document.querySelectorAll('[data-node]:not([data-node=""]) [data-pod]'),
        )) {
          const name = (el as HTMLElement).dataset.pod!.split('/')[1];
          seen[name] ??= Date.now();
        }
      }).observe(document.body, { subtree: true, childList: true });
    });
    await watchBindings();
    await kubectl(['apply', '-f', path.join(ROOT, 'examples/web/app.yaml')]);
    await until(
      async () => boundAt.size,
      (n) => n >= 2,
    );
    const seen = await until(
      () => page.evaluate(() => (window as unknown as { seen: Record<string, number> }).seen),
      (s) => [...boundAt.keys()].every((n) => n in s),
      5000,
    );
    const lags = [...boundAt].map(([name, t]) => [name, seen[name] - t] as const);
    console.log(
      `bound → drawn in its node card: ${lags.map(([n, ms]) => `${n} ${ms} ms`).join(', ')}`,
    );
    for (const [name, ms] of lags) expect(ms, name).toBeLessThan(1000);
    // For the screenshot only: both pods green once ready (readiness is the agent's business).
    await page
      .locator('[data-node="node-1"] [data-pod^="default/web-"][data-state="ready"]')
      .nth(1)
      .waitFor({ timeout: 20_000 })
      .catch(() => {});
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-nodes.png'), fullPage: true });
  }, 60_000);

  it('scales the Deployment to 4 from the page, and kubectl agrees', async () => {
    await page.getByRole('link', { name: 'Workloads' }).click();
    const input = page.getByLabel('replicas of deployments default/web');
    await input.fill('4');
    await page.getByRole('button', { name: 'Scale deployments default/web' }).click();
    await until(
      () => kubectl(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']),
      (s) => s === '4',
    );
    const row = page.locator('[data-workload="deployments/default/web"]');
    await row.locator('[data-col="desired"]', { hasText: '4' }).waitFor({ timeout: 5_000 });
    // The page follows the ReplicaSet's pods (their readiness is the agent's business).
    await row.locator('[data-col="current"]', { hasText: '4' }).waitFor({ timeout: 20_000 });
    await page.screenshot({
      path: path.join(ARTIFACTS, 'dashboard-workloads.png'),
      fullPage: true,
    });
    await page.getByRole('link', { name: 'Services' }).click();
    await page
      .locator('[data-service="default/web"] [data-ready="true"]')
      .nth(1)
      .waitFor({ timeout: 10_000 });
    await page.getByRole('link', { name: 'Events' }).click();
    await page.locator('tr[data-event]', { hasText: 'ScalingReplicaSet' }).first().waitFor();
  }, 60_000);

  it('a killed container process shows a higher restart count on the page', async () => {
    await page.getByRole('link', { name: 'Nodes' }).click();
    const pods = JSON.parse(await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as {
      items: PodLite[];
    };
    /** A pod's running container process, from the process runtime's records (by PID, never by name). */
    const running = (p: PodLite) => {
      const dir = path.join(
        c.stateDir,
        'agents',
        p.spec.nodeName ?? '-',
        'process',
        'pods',
        p.metadata.uid,
        'containers',
      );
      if (!fs.existsSync(dir)) return undefined;
      return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map(
          (f) =>
            JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as {
              pid?: number;
              state: string;
            },
        )
        .find((r) => r.state === 'running' && typeof r.pid === 'number');
    };
    const victim = await until(
      async () => pods.items.find((p) => running(p)),
      (p) => p !== undefined,
    ).then((p) => p!);
    const rec = running(victim)!;
    expect(fs.readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8')).toContain('listening on');
    process.kill(rec.pid!, 'SIGKILL');
    await page
      .locator(`[data-pod="default/${victim.metadata.name}"]:not([data-restarts="0"])`)
      .waitFor({ timeout: 30_000 });
    // The pod's own page: container state, the last termination, and its logs.
    await page.locator(`[data-pod="default/${victim.metadata.name}"]`).click();
    await page.locator('[data-container="web"]', { hasText: 'exit 137' }).waitFor();
    // The page's log lines are the API's (kubectl logs): its first line, then again with Follow.
    const first = (await kubectl(['logs', victim.metadata.name, '--tail=200'])).split('\n')[0];
    expect(first).not.toBe('');
    expect(await page.locator('#logs').textContent()).toContain(first);
    await page.getByRole('button', { name: 'Follow the logs of web' }).click();
    await page.locator('#logs', { hasText: first }).waitFor();
  }, 60_000);

  it('a user with view on one namespace sees only it, with no action buttons', async () => {
    const dir = tempDir('edgeplane-dashboard-');
    const kc = path.join(dir, 'viewer.kubeconfig');
    const r = await run(process.execPath, [
      path.join(ROOT, 'bin', 'edgeplane.cjs'),
      'user',
      'create',
      'viewer',
      '--out',
      kc,
      '--kubeconfig',
      c.kubeconfig,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const token = /token:\s*(\S+)/.exec(fs.readFileSync(kc, 'utf8'))![1];
    await kubectl(['create', 'namespace', 'team']);
    await kubectl([
      'create',
      'rolebinding',
      'viewer',
      '--clusterrole=view',
      '--user=viewer',
      '-n',
      'team',
    ]);
    await kubectl(['create', 'deployment', 'lonely', '--image=x', '--replicas=0', '-n', 'team']);
    await kubectl(['run', 'solo', '--image=x', '-n', 'team']);
    const ctx = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 360, height: 740 },
      colorScheme: 'dark',
    });
    const streams: string[] = [];
    ctx.on('request', (r) => {
      if (r.url().includes('/ui/stream')) streams.push(r.url());
    });
    const vp = await signIn(ctx, token);
    // Bound, so the chip stays in its node's card (a pod being bound moves to another card).
    await vp.locator('[data-node]:not([data-node=""]) [data-pod="team/solo"]').waitFor();
    // An update patches the page: an unrelated chip stays the same DOM node, and keeps focus.
    await vp.evaluate(() => {
      const el = document.querySelector<HTMLElement>('[data-pod="team/solo"]')!;
      (window as unknown as { keep: Element }).keep = el;
      el.focus();
    });
    // A second tab shares the first one's stream (one per browser), and still updates live.
    const tab2 = await ctx.newPage();
    await tab2.goto(`${c.url}/ui/nodes`);
    await tab2.locator('#live', { hasText: 'live' }).waitFor();
    await kubectl(['run', 'duo', '--image=x', '-n', 'team']);
    await tab2.locator('[data-pod="team/duo"]').waitFor({ timeout: 5_000 });
    await vp.locator('[data-pod="team/duo"]').waitFor({ timeout: 5_000 });
    expect(streams).toHaveLength(1);
    expect(
      await vp.evaluate(() => {
        const k = (window as unknown as { keep: Element }).keep;
        return [
          k === document.querySelector('[data-pod="team/solo"]'),
          k === document.activeElement,
        ];
      }),
    ).toEqual([true, true]);
    await tab2.close();
    expect(await vp.locator('[data-pod^="default/"]').count()).toBe(0);
    // Dark mode follows the system's preference.
    expect(await vp.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
      'rgb(13, 17, 23)',
    );
    // 360 px wide: nothing overflows sideways.
    expect(await vp.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await vp.getByRole('link', { name: 'Workloads' }).click();
    await vp.locator('[data-workload="deployments/team/lonely"]').waitFor();
    expect(await vp.locator('[data-workload^="deployments/default/"]').count()).toBe(0);
    expect(await vp.locator('form.action').count()).toBe(0);
    // The API refuses the same action even when posted by hand with the session's CSRF token.
    const csrf = await vp.locator('meta[name="csrf-token"]').getAttribute('content');
    const res = await vp.request.post(`${c.url}/ui/actions/scale`, {
      headers: { 'x-csrf-token': csrf! },
      form: { kind: 'deployments', namespace: 'team', name: 'lonely', replicas: '3' },
    });
    expect(res.status()).toBe(403);
    await ctx.close();
  }, 60_000);

  it('an action without the session CSRF token is refused', async () => {
    const res = await page.request.post(`${c.url}/ui/actions/scale`, {
      form: { kind: 'deployments', namespace: 'default', name: 'web', replicas: '1' },
    });
    expect(res.status()).toBe(403);
    expect(await kubectl(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).toBe('4');
  });

  it('Restart and Undo from the page make kubectl rollout restart and undo API calls', async () => {
    await page.getByRole('link', { name: 'Workloads' }).click();
    const annotation = () =>
      kubectl([
        'get',
        'deploy',
        'web',
        '-o',
        'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}',
      ]);
    await page.getByRole('button', { name: 'Restart deployments default/web' }).click();
    await until(annotation, (s) => /^\d{4}-\d\d-\d\dT/.test(s));
    // Revision 2 exists once the controller made its ReplicaSet; Undo goes back to revision 1's template.
    await until(
      () => kubectl(['get', 'rs', '-l', 'app=web', '-o', 'name']),
      (s) => s.trim().split('\n').length >= 2,
    );
    await page.getByRole('button', { name: 'Undo deployments default/web' }).click();
    await until(annotation, (s) => s === '');
    expect(await kubectl(['rollout', 'history', 'deploy/web'])).toMatch(/\b3\b/);
  }, 40_000);

  it('Undo of a StatefulSet and a DaemonSet restores the previous ControllerRevision, as kubectl rollout undo', async () => {
    // No pods needed for their history: a StatefulSet of 0 and a DaemonSet whose nodeSelector matches
    // no node still get a ControllerRevision per template.
    const template = (app: string) => ({
      metadata: { labels: { app } },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    const list = (kind: string, name: string, spec: object) => ({
      apiVersion: 'apps/v1',
      kind,
      metadata: { name, namespace: 'default' },
      spec: { selector: { matchLabels: { app: name } }, template: template(name), ...spec },
    });
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          list('StatefulSet', 'db', { replicas: 0, serviceName: 'db' }),
          list('DaemonSet', 'agent', {
            template: {
              ...template('agent'),
              spec: { ...template('agent').spec, nodeSelector: { nowhere: 'true' } },
            },
          }),
        ],
      }),
    );
    // One kubectl call per check, for both: "app:revision" of every ControllerRevision, sorted.
    const revisions = async () =>
      (
        await kubectl([
          'get',
          'controllerrevisions',
          '-l',
          'app in (db,agent)',
          '-o',
          'jsonpath={range .items[*]}{.metadata.labels.app}:{.revision} {end}',
        ])
      )
        .trim()
        .split(' ')
        .sort()
        .join(' ');
    await until(revisions, (s) => s === 'agent:1 db:1');
    await kubectl(['rollout', 'restart', 'statefulset/db', 'daemonset/agent']);
    await until(revisions, (s) => s === 'agent:1 agent:2 db:1 db:2');
    await page.reload();
    await page.getByRole('button', { name: 'Undo statefulsets default/db' }).click();
    await page.getByRole('button', { name: 'Undo daemonsets default/agent' }).click();
    // kubectl sees revision 1's template back (no restartedAt), and the controllers, finding it
    // equal to revision 1, renumber that revision 3, as upstream's do after `kubectl rollout undo`.
    const restartedAt = () =>
      kubectl([
        'get',
        'statefulset/db',
        'daemonset/agent',
        '-o',
        'jsonpath={range .items[*]}[{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}]{end}',
      ]);
    await until(restartedAt, (s) => s === '[][]');
    await until(revisions, (s) => s === 'agent:2 agent:3 db:2 db:3');
    await kubectl(['delete', 'statefulset/db', 'daemonset/agent', '--wait=false']);
  }, 30_000);
});
