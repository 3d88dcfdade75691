// `npm run bench -- store`: storage inside the runtime, the local HTTP path, and etcd side by side.
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Layer } from './layer';
import { WRITERS, WATCHERS } from './layer';
import { runtimeLayer } from './store-runtime';
import { httpLayer } from './store-http';
import { etcdLayer, findEtcd } from './store-etcd';
import { ms, rate, ratio, table } from './table';

export async function storeBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string', default: '3' },
      events: { type: 'string', default: '200' },
      bytes: { type: 'string', default: '1024' },
    },
  });
  const opts = {
    seconds: Number(values.seconds),
    events: Number(values.events),
    bytes: Number(values.bytes),
  };
  console.log(
    `edgeplane store benchmark: ${opts.bytes}-byte objects; writers ${WRITERS.join('/')} for ${opts.seconds} s each; ` +
      `watch delivery with ${WATCHERS.join('/')} watchers over ${opts.events} sequential writes`,
  );
  console.log(
    `machine: ${os.cpus().length} CPUs, load average ${loadavg()} at the start (other work on the machine skews every figure)\n`,
  );
  const runtime = await runtimeLayer(opts);
  print(runtime);
  const http = await httpLayer(opts);
  print(http);
  const etcdBin = findEtcd();
  if (!etcdBin) {
    console.log(
      'etcd: not found on PATH, so there is no etcd comparison (Debian: apt-get install etcd-server).',
    );
    return;
  }
  const etcd = await etcdLayer(etcdBin, opts);
  print(etcd);
  printRatios(runtime, http, etcd);
  console.log(`\nload average ${loadavg()} at the end`);
}

const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function print(layer: Layer): void {
  console.log(`== ${layer.title} ==`);
  console.log(
    table(
      ['shards', 'writers', 'writes/s', 'p50 ms', 'p99 ms', 'failed'],
      layer.writes.map((c) => [
        c.shards,
        c.writers,
        rate(c.rate),
        ms(c.p50),
        ms(c.p99),
        c.failures,
      ]),
    ),
  );
  console.log('');
  console.log(
    table(
      [
        'watch delivery',
        'watchers',
        'p50 ms',
        'p99 ms',
        'sent->recv p50',
        'p99',
        'events',
        'missing',
      ],
      layer.watches.map((c) => [
        c.shards,
        c.watchers,
        ms(c.p50),
        ms(c.p99),
        ms(c.sentP50),
        ms(c.sentP99),
        c.events,
        c.missing,
      ]),
    ),
  );
  console.log(
    "(watch delivery at 100 writes/s: p50/p99 from commit (the writer's acknowledgement; 0 if the event came first) to receipt; " +
      'sent->recv from sending the write to receipt)',
  );
  if (layer.note) console.log(`(${layer.note})`);
  console.log('');
}

function printRatios(runtime: Layer, http: Layer, etcd: Layer): void {
  const w = (l: Layer, shards: string, writers: number) =>
    l.writes.find((c) => c.shards === shards && c.writers === writers)?.rate;
  const p = (l: Layer, shards: string, watchers: number) =>
    l.watches.find((c) => c.shards === shards && c.watchers === watchers)?.sentP50;
  console.log(
    '== side by side: edgeplane / etcd (writes/s: above 1x is faster than etcd; watch sent->recv p50: above 1x is slower) ==',
  );
  console.log(
    table(
      ['', 'etcd', 'runtime 1 shard', 'runtime 4 partitions', 'http 1 shard', 'http 4 partitions'],
      [
        ...WRITERS.map((n) => [
          `writes/s, ${n} writer${n > 1 ? 's' : ''}`,
          rate(w(etcd, 'etcd', n) ?? NaN),
          ratio(w(runtime, '1 shard', n), w(etcd, 'etcd', n)),
          ratio(w(runtime, '4 partitions', n), w(etcd, 'etcd', n)),
          ratio(w(http, '1 shard', n), w(etcd, 'etcd', n)),
          ratio(w(http, '4 partitions', n), w(etcd, 'etcd', n)),
        ]),
        ...WATCHERS.map((n) => [
          `watch sent->recv p50, ${n} watcher${n > 1 ? 's' : ''}`,
          `${ms(p(etcd, 'etcd', n) ?? NaN)} ms`,
          ratio(p(runtime, '1 shard', n), p(etcd, 'etcd', n)),
          ratio(p(runtime, '4 partitions', n), p(etcd, 'etcd', n)),
          ratio(p(http, '1 shard', n), p(etcd, 'etcd', n)),
          ratio(p(http, '4 partitions', n), p(etcd, 'etcd', n)),
        ]),
      ],
    ),
  );
}
