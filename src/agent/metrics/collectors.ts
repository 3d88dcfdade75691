// Picks how a runtime's use is measured: /proc for the process runtime, `podman stats` for podman and
// docker, synthetic load for simulated nodes.
import type { Runtime } from '../runtime';
import { FakeRuntime } from '../runtimes/fake';
import { ProcessRuntime } from '../runtimes/process';
import { PodmanRuntime } from '../runtimes/podman';
import type { UsageCollector } from './collector';
import { FakeCollector, type FakeLoad } from './fake-collector';
import { PodmanCollector } from './podman-collector';
import { ProcessCollector } from './process-collector';

export function collectorFor(runtime: Runtime, fakeLoad?: FakeLoad): UsageCollector {
  if (runtime instanceof ProcessRuntime) return new ProcessCollector(runtime);
  if (runtime instanceof PodmanRuntime) return new PodmanCollector(runtime);
  if (runtime instanceof FakeRuntime) return new FakeCollector(runtime, fakeLoad);
  throw new Error(`no usage collector for the ${runtime.name} runtime`);
}
