// `npm run bench -- scheduler [--nodes 1000] [--pods 3000] [--strategy least-allocated]`: the
// scheduler's own CPU per pod, with the API taken away. The real Scheduler (queue, cache with
// assumed pods, filters and scores, bounded passes) runs in this Node process against a transport
// that answers each binding at once; every pod's ADDED and bound MODIFIED events are decoded from
// JSON, as its informer would, and each binding is encoded by the real KubeClient.
//
// What it answers: how many pods per second one scheduler leader (one Durable Object, one thread)
// can place when the API is not the bottleneck. On Cloudflare the API Worker runs in many isolates
// and the storage shards are Durable Objects of their own, so this, not the local single-thread
// sum that `npm run bench -- control` measures, bounds the drain rate in production. V8 in Node and
// in workerd are the same engine; the figure leaves out the service-binding hop.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleWorker } from '../src/cli/bundle';
import type { runSchedulerAlone } from './scheduler-alone-run';
import { table } from './table';

export async function schedulerBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: 'string', default: '1000' },
      pods: { type: 'string', default: '3000' },
      strategy: { type: 'string', default: 'least-allocated' },
    },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-bench-scheduler-'));
  let rows: string[][];
  try {
    const out = await bundleWorker('bench/scheduler-alone-run.ts', path.join(dir, 'run.mjs'));
    const mod = (await import(pathToFileURL(out).href)) as {
      runSchedulerAlone: typeof runSchedulerAlone;
    };
    rows = await mod.runSchedulerAlone({
      nodes: values.nodes!,
      pods: values.pods!,
      strategy: values.strategy!,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `the scheduler alone (no API; bindings answered at once), ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)}`,
  );
  console.log(
    table(
      [
        'strategy',
        'nodes',
        'pods',
        'wall s',
        'pods/s',
        'CPU ms per pod',
        'passes',
        'event batches',
      ],
      rows,
    ),
  );
}
