// One pod's level-based sync: start, restart and kill its containers, then report its status.
// k8s: pkg/kubelet/kubelet.go SyncPod / SyncTerminatingPod, pkg/kubelet/kuberuntime/kuberuntime_manager.go
// computePodActions, pkg/kubelet/status/status_manager.go (status writes, the final delete).
import type { KubeClient } from '../client/client';
import { isConflict, isNotFound } from '../client/errors';
import type { EventRecorder } from '../client/events';
import type { RestartBackoff } from './backoff';
import type { AdmitResult, PodEviction } from './eviction/manager';
import { containerArgv, containerEnv } from './env';
import type { PodAddresses } from './network';
import { computePodStatus, sameStatus, type ContainerView } from './pod-status';
import { ContainerProbes, type ProbeKind } from './probes';
import { StartError, type ContainerInstance, type Runtime } from './runtime';
import { claimEnv } from './volumes/local-path';
import { ServiceAccountFiles, type ServiceAccountConfig } from './volumes/service-account';
import { rfc3339, type Container, type Pod, type PodStatus } from './types';

export interface WorkerDeps {
  client: KubeClient;
  nodeName: string;
  hostIP: string;
  runtime: Runtime;
  addresses: PodAddresses;
  backoff: RestartBackoff;
  recorder?: EventRecorder;
  allocatable: Record<string, string>;
  log: (message: string) => void;
  /** Asks for another sync of this pod after `afterMs`. */
  requestSync: (uid: string, afterMs: number) => void;
  /** Ships a pod's last output and ends its `logs -f` followers; forgets it once removed. */
  logs?: { finishPod(pod: Pod): Promise<void>; forgetPod(uid: string): void };
  /** Where process pods get their ServiceAccount token files (process runtime only). */
  serviceAccounts?: ServiceAccountConfig;
  /** k8s PodAdmitHandler (the eviction manager's): asked once before a new pod's first container. */
  admit?: (pod: Pod) => AdmitResult;
}

// k8s: pkg/kubelet/kuberuntime/kuberuntime_container.go minimumGracePeriodInSeconds.
const MIN_GRACE_SECONDS = 2;
const CONFIG_RETRY_MS = 10_000;
/** A claim not yet bound is looked at again this soon. */
const VOLUME_RETRY_MS = 500;

/** Go's time.Duration format for whole seconds: 10s, 1m20s, 5m0s. */
function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

const isTerminal = (pod: Pod) =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export class PodWorker {
  /** Set once the pod left the API; the next sync stops everything and forgets the pod. */
  private gone = false;
  /** True after the final cleanup: the caller drops this worker. */
  finished = false;
  private readonly probes = new Map<string, ContainerProbes>();
  private readonly waiting = new Map<string, { reason: string; message?: string }>();
  private readonly backoffReported = new Map<string, number>();
  private unsupportedReported = false;
  /** The status this worker last wrote and the resourceVersion the write produced. */
  private lastWrite?: { rv?: string; status: unknown };
  /** The pod's ServiceAccount token files, for a runtime that cannot mount them. */
  private serviceAccount?: ServiceAccountFiles;
  /** Set once the pod passed admission (or was found already running). */
  private admitted = false;
  /** An eviction asked for by the eviction manager: the next sync kills the pod and fails it. */
  private eviction?: PodEviction;

  constructor(
    public pod: Pod,
    private readonly deps: WorkerDeps,
  ) {}

  get uid(): string {
    return this.pod.metadata.uid!;
  }

  private get podRef(): string {
    return `${this.pod.metadata.name}_${this.pod.metadata.namespace}(${this.uid})`;
  }

  update(pod: Pod): void {
    this.pod = pod;
  }

  /** k8s TerminatePodAbnormally: the next sync stops the pod and reports it Failed as `e` says. */
  evict(e: PodEviction): boolean {
    if (this.gone || this.eviction || isTerminal(this.pod)) return false;
    this.eviction = e;
    return true;
  }

  /** Evicted (or being evicted): no longer counts as running on the node. */
  get evicting(): boolean {
    return this.eviction !== undefined;
  }

  markGone(last: Pod): void {
    this.pod = last;
    this.gone = true;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    const recorder = this.deps.recorder;
    if (!recorder) return;
    recorder
      .event({ ...this.pod, apiVersion: 'v1', kind: 'Pod' }, type, reason, message)
      .catch((err: unknown) => {
        this.deps.log(
          `event ${reason} for pod ${this.podRef}: ${err instanceof Error ? err.message : String(err)}`,
        );
      });
  }

  private instances(name: string, init: boolean): ContainerInstance[] {
    return this.deps.runtime.containers(this.uid).filter((i) => i.name === name && i.init === init);
  }

  private view(name: string, init: boolean): ContainerView {
    const list = this.instances(name, init);
    const latest = list.at(-1);
    const previous = list.at(-2);
    const running = latest?.state === 'running';
    const probes = running ? this.probes.get(latest.id) : undefined;
    const byProbes = this.deps.runtime.runsProbes;
    return {
      latest,
      previous,
      waiting: this.waiting.get(name),
      started: running && (byProbes ? (probes?.started ?? false) : true),
      ready:
        running && latest.readyOverride !== false && (byProbes ? (probes?.ready ?? false) : true),
    };
  }

  async sync(): Promise<void> {
    const rt = this.deps.runtime;
    rt.observe?.(this.pod);
    this.refreshProbes();
    if (this.gone) return this.cleanup();
    if (this.pod.metadata.deletionTimestamp) return this.terminate();
    if (isTerminal(this.pod)) {
      // k8s: a pod in a terminal phase never runs again.
      await this.stopAll(this.pod.spec.terminationGracePeriodSeconds ?? 30, false);
      await this.deps.logs?.finishPod(this.pod);
      return;
    }
    if (this.eviction) return this.terminateAbnormally(this.eviction);
    if (!this.admitted && !(await this.admit())) return;
    if (!this.unsupportedReported) {
      this.unsupportedReported = true;
      for (const what of rt.unsupported?.(this.pod) ?? [])
        this.event('Warning', 'UnsupportedByRuntime', what);
    }
    const podIP = this.deps.addresses.allocate(this.uid);
    await this.refreshServiceAccount();
    if (await this.syncInitContainers(podIP)) {
      for (const c of this.pod.spec.containers) await this.ensureRunning(c, false, podIP);
    }
    await this.report(podIP, false);
  }

  /** True once every init container is done (or, for a sidecar, started), so app containers may run. */
  private async syncInitContainers(podIP: string): Promise<boolean> {
    const policy = this.pod.spec.restartPolicy ?? 'Always';
    for (const c of this.pod.spec.initContainers ?? []) {
      if (c.restartPolicy === 'Always') {
        await this.ensureRunning(c, true, podIP);
        if (!this.view(c.name, true).started) return false;
        continue;
      }
      const latest = this.instances(c.name, true).at(-1);
      if (latest?.state === 'exited' && latest.exitCode === 0) continue;
      if (latest?.state === 'running') return false;
      if (latest) {
        // k8s: a failed init container fails the pod under Never, and is retried otherwise.
        if (policy !== 'Never') await this.restart(c, true, latest, podIP);
        return false;
      }
      await this.start(c, true, 0, podIP);
      return false;
    }
    return true;
  }

  private async ensureRunning(c: Container, init: boolean, podIP: string): Promise<void> {
    let latest = this.instances(c.name, init).at(-1);
    if (latest?.state === 'running') {
      const failed = this.probes.get(latest.id)?.failed;
      if (!failed) return;
      await this.killForProbe(c, latest, failed);
      latest = this.instances(c.name, init).at(-1);
      if (latest?.state === 'running') return;
    }
    if (!latest) return this.start(c, init, 0, podIP);
    const policy = init ? 'Always' : (this.pod.spec.restartPolicy ?? 'Always');
    if (policy === 'Always' || (policy === 'OnFailure' && latest.exitCode !== 0))
      await this.restart(c, init, latest, podIP);
  }

  private async restart(
    c: Container,
    init: boolean,
    latest: ContainerInstance,
    podIP: string,
  ): Promise<void> {
    const key = `${this.uid}/${c.name}`;
    const finishedAt = latest.finishedAt ?? Date.now();
    const until = this.deps.backoff.waitUntil(key, finishedAt);
    if (until !== undefined) {
      const delay = goDuration(this.deps.backoff.delayMs(key));
      this.waiting.set(c.name, {
        reason: 'CrashLoopBackOff',
        message: `back-off ${delay} restarting failed container=${c.name} pod=${this.podRef}`,
      });
      if (this.backoffReported.get(c.name) !== finishedAt) {
        this.backoffReported.set(c.name, finishedAt);
        this.event(
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${c.name} in pod ${this.podRef}`,
        );
      }
      this.deps.requestSync(this.uid, until - Date.now() + 20);
      return;
    }
    this.deps.backoff.next(key);
    await this.start(c, init, latest.attempt + 1, podIP);
  }

  private async start(c: Container, init: boolean, attempt: number, podIP: string): Promise<void> {
    const rt = this.deps.runtime;
    let env: [string, string][] = [];
    let argv: string[];
    try {
      if (rt.needsEnv) {
        env = await containerEnv({
          client: this.deps.client,
          pod: this.pod,
          container: c,
          podIP,
          hostIP: this.deps.hostIP,
          allocatable: this.deps.allocatable,
        });
        // The process runtime cannot mount: a claim's directory reaches the process in its environment.
        if (rt.name === 'process') env.push(...(await claimEnv(this.deps.client, this.pod, c)));
        if (this.serviceAccount) {
          await this.serviceAccount.ensure();
          env = await this.serviceAccount.environment(env);
        }
        argv = containerArgv(c, env);
      } else {
        argv = [...(c.command ?? []), ...(c.args ?? [])];
      }
      const pulled = await rt.pull(this.pod, c);
      if (rt.recordsEvents) this.event('Normal', 'Pulled', pulled);
    } catch (err) {
      if (!(err instanceof StartError)) throw err;
      this.waiting.set(c.name, { reason: err.reason, message: err.message });
      // A volume still being bound is routine (kubelet's volume manager waits quietly and polls).
      if (err.reason === 'ContainerCreating') {
        this.deps.requestSync(this.uid, VOLUME_RETRY_MS);
        return;
      }
      this.event('Warning', 'Failed', `Error: ${err.message}`);
      this.deps.requestSync(this.uid, CONFIG_RETRY_MS);
      return;
    }
    let instance: ContainerInstance;
    try {
      instance = await rt.start({ pod: this.pod, container: c, init, attempt, podIP, env, argv });
    } catch (err) {
      if (!(err instanceof StartError)) throw err;
      this.waiting.set(c.name, { reason: err.reason, message: err.message });
      this.event('Warning', 'Failed', `Error: ${err.message}`);
      this.deps.requestSync(this.uid, CONFIG_RETRY_MS);
      return;
    }
    this.waiting.delete(c.name);
    if (rt.recordsEvents) {
      this.event('Normal', 'Created', `Created container ${c.name}`);
      if (instance.reason === 'StartError')
        this.event(
          'Warning',
          'Failed',
          `Error: ${instance.message ?? 'the container could not start'}`,
        );
      else this.event('Normal', 'Started', `Started container ${c.name}`);
    }
    this.refreshProbes();
    // An instance that is already over (a fake init container, a command that could not run) moves on at once.
    if (instance.state === 'exited') this.deps.requestSync(this.uid, 0);
  }

  private async killForProbe(
    c: Container,
    instance: ContainerInstance,
    kind: ProbeKind,
  ): Promise<void> {
    this.event(
      'Normal',
      'Killing',
      `Container ${c.name} failed ${kind.toLowerCase()} probe, will be restarted`,
    );
    const probe = kind === 'Liveness' ? c.livenessProbe : c.startupProbe;
    const grace =
      probe?.terminationGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
    this.dropProbes(instance.id);
    await this.deps.runtime.stop(this.uid, instance.id, Math.max(MIN_GRACE_SECONDS, grace));
  }

  /** Probes follow the running instances: new ones get workers, finished ones lose them. */
  private refreshProbes(): void {
    if (!this.deps.runtime.runsProbes) return;
    const all = this.deps.runtime.containers(this.uid);
    const running = new Set(all.filter((i) => i.state === 'running').map((i) => i.id));
    for (const id of this.probes.keys()) if (!running.has(id)) this.dropProbes(id);
    if (this.gone || this.pod.metadata.deletionTimestamp) return;
    const specs = [...(this.pod.spec.initContainers ?? []), ...this.pod.spec.containers];
    for (const i of all) {
      if (i.state !== 'running' || this.probes.has(i.id)) continue;
      const spec = specs.find((c) => c.name === i.name);
      if (!spec) continue;
      const reported = [
        ...(this.pod.status?.containerStatuses ?? []),
        ...(this.pod.status?.initContainerStatuses ?? []),
      ].find((s) => s.containerID === i.id);
      const probes = new ContainerProbes(
        spec,
        {
          podUid: this.uid,
          containerId: i.id,
          podIP: this.deps.addresses.lookup(this.uid) ?? this.deps.hostIP,
          container: spec,
          runtime: this.deps.runtime,
        },
        i.startedAt,
        {
          changed: () => this.deps.requestSync(this.uid, 0),
          failed: (kind, message) =>
            this.event('Warning', 'Unhealthy', `${kind} probe failed: ${message}`),
        },
        { started: reported?.started, ready: reported?.ready },
      );
      this.probes.set(i.id, probes);
    }
  }

  /** Stops the probe timers (the agent is stopping; the containers stay as they are). */
  dispose(): void {
    for (const id of [...this.probes.keys()]) this.dropProbes(id);
  }

  private dropProbes(id: string): void {
    this.probes.get(id)?.stop();
    this.probes.delete(id);
  }

  /** Stops what runs: app containers first, then init sidecars, as kubelet orders termination. */
  private async stopAll(graceSeconds: number, announce: boolean): Promise<void> {
    const rt = this.deps.runtime;
    const running = rt.containers(this.uid).filter((i) => i.state === 'running');
    const grace = Math.max(MIN_GRACE_SECONDS, graceSeconds);
    for (const group of [running.filter((i) => !i.init), running.filter((i) => i.init)]) {
      await Promise.all(
        group.map(async (i) => {
          this.dropProbes(i.id);
          if (announce && rt.recordsEvents)
            this.event('Normal', 'Killing', `Stopping container ${i.name}`);
          await rt.stop(this.uid, i.id, grace);
        }),
      );
    }
  }

  /** Graceful deletion: stop within the grace period, report the final status, then remove the pod. */
  private async terminate(): Promise<void> {
    const meta = this.pod.metadata;
    await this.stopAll(
      meta.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30,
      true,
    );
    // The logs end while the pod still exists: the API takes them only for a pod it has.
    await this.deps.logs?.finishPod(this.pod);
    await this.report(this.deps.addresses.lookup(this.uid), true);
    try {
      await this.deps.client.delete('pods', meta.name!, {
        namespace: meta.namespace,
        gracePeriodSeconds: 0,
        preconditions: { uid: this.uid },
      });
    } catch (err) {
      // Gone already, or a new pod of the same name: nothing of ours is left to remove.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /**
   * k8s HandlePodAdditions → canAdmitPod / rejectPod: a pod new to the node (nothing of it runs) is
   * admitted or refused once; a refused pod is failed with the handler's reason and never started.
   */
  private async admit(): Promise<boolean> {
    const verdict = this.deps.admit?.(this.pod) ?? { admit: true };
    if (verdict.admit || this.deps.runtime.containers(this.uid).length > 0) {
      this.admitted = true;
      return true;
    }
    this.event('Warning', verdict.reason, verdict.message);
    await this.writeStatus(() => ({
      ...(this.pod.status ?? {}),
      phase: 'Failed',
      reason: verdict.reason,
      message: `Pod was rejected: ${verdict.message}`,
    }));
    return false;
  }

  /** k8s evictPod: kill with the eviction's grace, then Failed with its reason, message and condition. */
  private async terminateAbnormally(e: PodEviction): Promise<void> {
    this.event('Warning', e.reason, e.message);
    await this.stopAll(e.graceSeconds, true);
    await this.deps.logs?.finishPod(this.pod);
    const podIP = this.deps.addresses.lookup(this.uid);
    const stamp = rfc3339();
    await this.report(podIP, true, (s) => ({
      ...s,
      phase: 'Failed',
      reason: e.reason,
      message: e.message,
      conditions: [
        ...(s.conditions ?? []).filter((c) => c.type !== e.condition?.type),
        ...(e.condition ? [{ ...e.condition, lastTransitionTime: stamp }] : []),
      ],
    }));
  }

  /** Writes a status computed from the pod as last seen; a conflict re-reads it (three tries). */
  private async writeStatus(status: (pod: Pod) => PodStatus): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        this.pod = await this.deps.client.updateStatus<Pod>('pods', {
          ...this.pod,
          status: status(this.pod),
        });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt === 2) throw err;
      }
      const fresh = await this.deps.client
        .get<Pod>('pods', this.pod.metadata.name!, { namespace: this.pod.metadata.namespace })
        .catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
      if (!fresh || fresh.metadata.uid !== this.uid) return;
      this.pod = fresh;
    }
  }

  /** A pod's token files, made before its first container and refreshed before they expire. */
  private async refreshServiceAccount(): Promise<void> {
    const cfg = this.deps.serviceAccounts;
    if (!cfg || !ServiceAccountFiles.wanted(this.pod)) return;
    this.serviceAccount ??= new ServiceAccountFiles(this.deps.client, cfg, this.pod);
    try {
      this.deps.requestSync(this.uid, await this.serviceAccount.ensure());
    } catch (err) {
      // The container's start reports it (CreateContainerConfigError); a running one keeps its token.
      this.deps.log(
        `pod ${this.podRef}: service account token: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  /** The pod left the API (deleted, force-deleted or moved): stop everything and forget it. */
  private async cleanup(): Promise<void> {
    const meta = this.pod.metadata;
    await this.stopAll(
      meta.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30,
      true,
    );
    for (const id of [...this.probes.keys()]) this.dropProbes(id);
    await this.deps.runtime.remove(this.uid);
    this.deps.logs?.forgetPod(this.uid);
    this.deps.addresses.release(this.uid);
    this.deps.backoff.forgetPrefix(`${this.uid}/`);
    this.serviceAccount?.remove();
    this.finished = true;
  }

  /** Writes the status when it changed; a conflict re-reads the pod and tries again (three tries). */
  private async report(
    podIP: string | undefined,
    terminated: boolean,
    override: (s: PodStatus) => PodStatus = (s) => s,
  ): Promise<void> {
    const compute = (pod: Pod) =>
      override(
        computePodStatus({
          pod,
          hostIP: this.deps.hostIP,
          podIP,
          terminated,
          view: (name, init) => this.view(name, init),
        }),
      );
    for (let attempt = 0; attempt < 3; attempt++) {
      const status = compute(this.pod);
      if (sameStatus(this.pod.status, status)) return;
      // Unchanged since our own write: a server that spells a field its own way must not start a write loop.
      if (
        this.lastWrite &&
        this.lastWrite.rv === this.pod.metadata.resourceVersion &&
        sameStatus(this.lastWrite.status, status)
      )
        return;
      try {
        this.pod = await this.deps.client.updateStatus<Pod>('pods', { ...this.pod, status });
        this.lastWrite = { rv: this.pod.metadata.resourceVersion, status };
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt === 2) throw err;
      }
      try {
        const fresh = await this.deps.client.get<Pod>('pods', this.pod.metadata.name!, {
          namespace: this.pod.metadata.namespace,
        });
        if (fresh.metadata.uid !== this.uid) return;
        this.pod = fresh;
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
  }
}
