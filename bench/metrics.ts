// `npm run bench -- metrics`: the storage write rate of usage metrics next to the Lease's, for a
// simulated fleet (default 1,000 nodes and 10,000 pods). Reports go to the real API Worker exactly as
// agents send them (batches of 100 nodes every 15 s); Leases are renewed every 10 s as agents do.
// A MetricsShard writes one row per node per report (its pods inside), one transaction per POST; a
// Lease renewal is a storage write (a log row and a key row, plus the shard's revision row).
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { MetricsReport, NodeUsage } from '../src/api/metrics';
import { startRuntime } from '../src/cli/runtime';
import { StateDir } from '../src/cli/state';
import { send, type Target } from './http';
import { rate, table } from './table';

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const log = (m: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
const LEASE_NS = 'kube-node-lease';
const BATCH = 100;

function report(first: number, count: number, podsPerNode: number, now: number): MetricsReport {
  const nodes: NodeUsage[] = [];
  for (let n = first; n < first + count; n++) {
    const node = `sim-${n}`;
    nodes.push({
      node,
      labels: { 'kubernetes.io/hostname': node },
      timestamp: now,
      windowSeconds: 15,
      cpu: 50e6 + podsPerNode * 1e6,
      memory: 256 * 2 ** 20 + podsPerNode * 4 * 2 ** 20,
      pods: Array.from({ length: podsPerNode }, (_, p) => ({
        namespace: 'default',
        name: `web-${n}-${p}`,
        uid: `uid-${n}-${p}`,
        labels: { app: 'web' },
        containers: [{ name: 'app', cpu: 1e6, memory: 4 * 2 ** 20 }],
      })),
    });
  }
  return { nodes };
}

/** A merge patch (the shared `send` speaks JSON only); answers the status. */
function mergePatch(t: Target, p: string, body: object): Promise<number> {
  return new Promise((resolve) => {
    const req = https.request(
      new URL(p, t.base),
      {
        method: 'PATCH',
        agent: t.agent as https.Agent,
        headers: { ...t.headers, 'content-type': 'application/merge-patch+json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(JSON.stringify(body));
  });
}

/** Runs `task` for each item with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, task: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}

export async function metricsBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: 'string', default: '1000' },
      pods: { type: 'string', default: '10000' },
      window: { type: 'string', default: '75' },
    },
  });
  const nodes = Number(values.nodes);
  const podsPerNode = Math.round(Number(values.pods) / nodes);
  const windowMs = Number(values.window) * 1000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-bench-metrics-'));
  const state = new StateDir(dir);
  state.cluster(4);
  const token = state.adminToken();
  const tls = state.tls();
  const runtime = await startRuntime({
    host: '127.0.0.1',
    port: 0,
    stateDir: dir,
    certPem: tls.certPem,
    keyPem: tls.keyPem,
    vars: {
      ADMIN_TOKEN: token,
      PARTITIONS: '4',
      HISTORY_REVISIONS: '10000',
      SERVICE_CIDR: '127.96.0.0/16',
    },
    schedulerVars: {},
    controllerVars: {},
  });
  const t: Target = {
    base: `https://127.0.0.1:${runtime.url.port}`,
    agent: new https.Agent({ ca: tls.certPem, keepAlive: true, maxSockets: 32 }),
    headers: { authorization: `Bearer ${token}` },
  };
  try {
    // Its own connections: renewals must not queue the metrics POSTs behind them (nor the reverse).
    const leases: Target = {
      ...t,
      agent: new https.Agent({ ca: tls.certPem, keepAlive: true, maxSockets: 32 }),
    };
    log(`creating ${nodes} Leases`);
    const names = Array.from({ length: nodes }, (_, i) => `sim-${i}`);
    await pool(names, 16, async (name) => {
      const r = await send(
        t,
        'POST',
        `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases`,
        JSON.stringify({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace: LEASE_NS },
          spec: {
            holderIdentity: name,
            leaseDurationSeconds: 40,
            renewTime: new Date().toISOString().replace('Z', '000Z'),
          },
        }),
      );
      if (r.status !== 201) throw new Error(`lease create ${name}: ${r.status} ${r.body}`);
    });
    log(
      `window of ${windowMs / 1000} s: metrics every 15 s (${Math.ceil(nodes / BATCH)} POSTs of up to ${BATCH} nodes), each Lease renewed every 10 s`,
    );
    const start = Date.now();
    let leaseWrites = 0;
    let leaseFailures = 0;
    let metricPosts = 0;
    let nodeSamples = 0;
    const reporting = (async () => {
      for (let round = 0; Date.now() - start < windowMs; round++) {
        const at = start + round * 15_000;
        if (at > Date.now()) await sleep(at - Date.now());
        if (Date.now() - start >= windowMs) break;
        const batches = Array.from({ length: Math.ceil(nodes / BATCH) }, (_, i) => i * BATCH);
        await pool(batches, 4, async (first) => {
          const body = report(first, Math.min(BATCH, nodes - first), podsPerNode, Date.now());
          const r = await send(t, 'POST', '/edgeplane/v1/metrics', JSON.stringify(body));
          if (r.status !== 204) throw new Error(`metrics POST: ${r.status} ${r.body}`);
          metricPosts++;
          nodeSamples += body.nodes.length;
        });
        log(
          `metrics round ${round}: ${batches.length} POSTs in ${Date.now() - Math.max(at, start)} ms`,
        );
      }
    })();
    let offered = 0;
    const renewing = (async () => {
      // Each node renews once per 10 s, spread evenly, as the agent staggers simulated nodes.
      for (let i = 0; Date.now() - start < windowMs; i++) {
        const due = start + (i * 10_000) / nodes;
        if (due > Date.now()) await sleep(due - Date.now());
        const name = names[i % nodes];
        offered++;
        void mergePatch(
          leases,
          `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases/${name}`,
          {
            spec: { renewTime: new Date().toISOString().replace('Z', '000Z') },
          },
        ).then((status) => (status === 200 ? leaseWrites++ : leaseFailures++));
      }
    })();
    await Promise.all([reporting, renewing]);
    await sleep(1000); // the last renewals' answers
    leases.agent.destroy();
    const s = JSON.parse((await send(t, 'GET', '/edgeplane/v1/metrics/stats')).body);
    const seconds = windowMs / 1000;
    const elapsed = (Date.now() - start) / 1000;
    // Each acknowledged node sample is exactly one stored row (the shard's counters restart with
    // the object, which an idle local Durable Object does within seconds).
    const rows = nodeSamples;
    console.log(
      `\nmetrics write rate: ${nodes} simulated nodes, ${podsPerNode * nodes} pods (${seconds} s window)`,
    );
    console.log(
      table(
        ['what', 'requests', 'requests/s', 'storage rows', 'rows/s', 'rows per node per min'],
        [
          [
            'metrics reports (15 s, batched)',
            metricPosts,
            (metricPosts / elapsed).toFixed(2),
            rows,
            (rows / elapsed).toFixed(1),
            ((rows / nodes / elapsed) * 60).toFixed(2),
          ],
          [
            'lease renewals (10 s)',
            leaseWrites,
            rate(leaseWrites / seconds),
            `>= ${2 * leaseWrites}`,
            `>= ${rate((2 * leaseWrites) / seconds)}`,
            `>= ${(((2 * leaseWrites) / nodes / seconds) * 60).toFixed(1)}`,
          ],
        ],
      ),
    );
    console.log(
      `metrics: ${nodeSamples} node samples acknowledged in ${elapsed.toFixed(0)} s (shards since their last start: ${s.reports} samples, ${s.flushes} storage transactions, ${s.shards} shards); at the 15 s cadence a fleet of ${nodes} writes ${(nodes / 15).toFixed(1)} rows/s; lease renewals offered ${offered} (${rate(offered / seconds)}/s), answered 200 within the window ${leaseWrites}, failed ${leaseFailures}`,
    );
  } finally {
    t.agent.destroy();
    await runtime.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
