// `npm run bench -- watchfilter`: bytes and events one node's pod watch pulls out of the watch hubs while
// another node's pods churn: the request the API made before hub-side filtering, and today's.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { startStoragePlane } from './storage-plane';
import { rate, table } from './table';

interface Tally {
  events: number;
  bytes: number;
  otherBytes: number;
}
interface Result {
  total: number;
  own: number;
  elapsedMs: number;
  before: Tally;
  after: Tally;
}

export async function watchFilterBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'busy-pods': { type: 'string', default: '500' },
      'quiet-pods': { type: 'string', default: '10' },
      bytes: { type: 'string', default: '2048' },
      partitions: { type: 'string', default: '4' },
    },
  });
  const q = {
    busyPods: Number(values['busy-pods']),
    quietPods: Number(values['quiet-pods']),
    bytes: Number(values.bytes),
    busyNode: 'node-busy',
    quietNode: 'node-quiet',
  };
  console.log(
    `edgeplane watch filter benchmark: ${q.busyPods} pods on ${q.busyNode} churn (create, 2 status updates, delete) while ` +
      `${q.quietPods} pods on ${q.quietNode} do (create, 1 update, delete); ${q.bytes}-byte pods, ${values.partitions} partitions`,
  );
  console.log(
    `machine: ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  const plane = await startStoragePlane('bench/watchfilter-worker.js', values.partitions!);
  try {
    const r = await plane.call<Result>('/run', q);
    const row = (label: string, t: Tally) => [
      label,
      rate(t.events),
      rate(t.bytes),
      `${((100 * r.own) / Math.max(1, t.events)).toFixed(1)}%`,
      rate(t.otherBytes),
    ];
    console.log(
      table(
        [
          `${q.quietNode}'s pod watch, hubs -> API Worker`,
          'events',
          'bytes',
          'own events',
          'progress bytes',
        ],
        [
          row('before: every pod event (prefix only)', r.before),
          row('after: filtered in the hub (spec.nodeName index)', r.after),
        ],
      ),
    );
    console.log(
      `\n${rate(r.total)} pod events in ${(r.elapsedMs / 1000).toFixed(1)} s, ${rate(r.own)} of them ${q.quietNode}'s; ` +
        `the agent itself receives only its own in both cases (the API filtered before; now the hubs do).`,
    );
  } finally {
    await plane.dispose();
  }
}
