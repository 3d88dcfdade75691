// The simulated runtime: containers "run" at once and forever, for scale tests and simulated nodes.
//
// Behaviour tests can steer through pod annotations:
//   edgeplane.dev/fake-ready: "false"   every container of the pod reports ready=false (so the pod
//                                       is Running but not Ready) until the annotation goes away or
//                                       says "true"; the pod worker sees the change on the watch.
// Init containers complete at once with exit code 0; app containers never exit on their own; a stop
// completes at once (a process that honours SIGTERM immediately). Probes are not run against fake
// containers: there is nothing listening, so readiness comes from the annotation alone.
import { createHash, randomBytes } from 'node:crypto';
import type { ContainerInstance, ExecResult, Runtime, StartRequest } from '../runtime';
import type { Container, Pod } from '../types';
import type { StreamProcess, StreamRequest } from '../stream-process';
import { fakeShell } from './fake-shell';

export const FAKE_READY_ANNOTATION = 'edgeplane.dev/fake-ready';

function readyFrom(pod: Pod): boolean | undefined {
  const v = pod.metadata.annotations?.[FAKE_READY_ANNOTATION];
  return v === undefined ? undefined : v !== 'false';
}

export class FakeRuntime implements Runtime {
  readonly name = 'fake';
  readonly version = 'fake://1.0';
  readonly needsEnv = false;
  readonly recordsEvents = false;
  readonly runsProbes = false;
  private readonly byPod = new Map<string, ContainerInstance[]>();
  private readonly listeners = new Set<(podUid: string) => void>();

  async pull(_pod: Pod, container: Container): Promise<string> {
    return `Container image "${container.image ?? ''}" already present on machine`;
  }

  async start(req: StartRequest): Promise<ContainerInstance> {
    const now = Date.now();
    const image = req.container.image ?? '';
    const instance: ContainerInstance = {
      id: `fake://${randomBytes(32).toString('hex')}`,
      name: req.container.name,
      init: req.init,
      attempt: req.attempt,
      state: req.init && req.container.restartPolicy !== 'Always' ? 'exited' : 'running',
      startedAt: now,
      image,
      imageID: `fake://sha256:${createHash('sha256').update(image).digest('hex')}`,
      readyOverride: readyFrom(req.pod) === false ? false : undefined,
    };
    if (instance.state === 'exited')
      Object.assign(instance, { finishedAt: now, exitCode: 0, reason: 'Completed' });
    const list = this.byPod.get(req.pod.metadata.uid!) ?? [];
    list.push(instance);
    this.byPod.set(req.pod.metadata.uid!, list);
    return instance;
  }

  async stop(podUid: string, id: string): Promise<void> {
    const c = this.byPod.get(podUid)?.find((i) => i.id === id);
    if (!c || c.state === 'exited') return;
    Object.assign(c, { state: 'exited', finishedAt: Date.now(), exitCode: 0, reason: 'Completed' });
  }

  containers(podUid: string): ContainerInstance[] {
    return this.byPod.get(podUid) ?? [];
  }

  pods(): string[] {
    return [...this.byPod.keys()];
  }

  async remove(podUid: string): Promise<void> {
    this.byPod.delete(podUid);
  }

  async exec(): Promise<ExecResult> {
    return { exitCode: 0, output: '' };
  }

  /** kubectl exec answers from a tiny built-in shell (echo, cat, env, exit N). */
  async execStream(podUid: string, req: StreamRequest): Promise<StreamProcess> {
    const c = this.byPod
      .get(podUid)
      ?.filter((i) => i.name === req.container && i.state === 'running')
      .pop();
    if (!c) throw new Error(`container ${req.container} is not running`);
    return fakeShell(req, { HOSTNAME: podUid, PATH: '/usr/bin:/bin' });
  }

  onChange(listener: (podUid: string) => void): void {
    this.listeners.add(listener);
  }

  /** The readiness annotation is read from every pod update the agent sees. */
  observe(pod: Pod): void {
    const list = this.byPod.get(pod.metadata.uid!);
    if (!list) return;
    const override = readyFrom(pod) === false ? false : undefined;
    let changed = false;
    for (const c of list) {
      if (c.state === 'running' && c.readyOverride !== override) {
        c.readyOverride = override;
        changed = true;
      }
    }
    if (changed) for (const l of this.listeners) l(pod.metadata.uid!);
  }

  async close(opts: { stopContainers: boolean }): Promise<void> {
    if (opts.stopContainers) this.byPod.clear();
    this.listeners.clear();
  }
}
