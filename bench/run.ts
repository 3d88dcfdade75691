// `npm run bench -- <suite>`: runs one benchmark suite and prints its tables.
import { storeBench } from './store';
import { controlBench } from './control';
import { watchFilterBench } from './watchfilter';
import { streamBench } from './stream';
import { metricsBench } from './metrics';
import { uiBench } from './ui';
import { profileBench } from './profile';
import { schedulerBench } from './scheduler-alone';

const SUITES: Record<string, (args: string[]) => Promise<void>> = {
  store: storeBench,
  control: controlBench,
  watchfilter: watchFilterBench,
  stream: streamBench,
  metrics: metricsBench,
  ui: uiBench,
  profile: profileBench,
  scheduler: schedulerBench,
};

const [suite, ...args] = process.argv.slice(2);
const run = suite ? SUITES[suite] : undefined;
if (!run) {
  console.error(
    `usage: npm run bench -- <suite> [flags]\nsuites: ${Object.keys(SUITES).join(', ')}`,
  );
  process.exit(2);
}
run(args).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(
      `bench ${suite}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    process.exit(1);
  },
);
