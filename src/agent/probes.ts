// Probe workers for one running container: startup, then liveness and readiness, with every timing field.
// k8s: pkg/kubelet/prober/worker.go (initial results, thresholds, on-hold after a failed liveness/startup).
import { runProbe, type ProbeTarget } from './prober';
import type { Probe } from './types';

export type ProbeKind = 'Liveness' | 'Readiness' | 'Startup';

export interface ProbeListener {
  /** A result crossed its threshold (the pod's status or the container's fate changes). */
  changed(): void;
  /** Every failed attempt, for the Unhealthy event, as kubelet records one per failure. */
  failed(kind: ProbeKind, message: string): void;
}

class Worker {
  private timer?: NodeJS.Timeout;
  private lastOk?: boolean;
  private run = 0;
  private onHold = false;
  private busy = false;
  result: boolean | undefined;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly target: ProbeTarget,
    private readonly startedAtMs: number,
    private readonly gate: () => boolean,
    private readonly listener: ProbeListener,
    seed: boolean | undefined,
  ) {
    // k8s: readiness starts as failure, liveness as success, startup as unknown; an adopted
    // container keeps what the pod's status said, so an agent restart does not flap readiness.
    this.result = seed ?? (kind === 'Readiness' ? false : kind === 'Liveness' ? true : undefined);
  }

  start(): void {
    const period = Math.max(1, this.probe.periodSeconds ?? 10) * 1000;
    const tick = async () => {
      await this.attempt();
      if (this.timer !== undefined) this.timer = setTimeout(tick, period);
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async attempt(): Promise<void> {
    if (this.onHold || this.busy || !this.gate()) return;
    if (Date.now() - this.startedAtMs < (this.probe.initialDelaySeconds ?? 0) * 1000) return;
    this.busy = true;
    const outcome = await runProbe(this.probe, this.target).finally(() => (this.busy = false));
    if (this.timer === undefined) return;
    if (!outcome.ok) this.listener.failed(this.kind, outcome.message ?? 'probe failed');
    if (this.lastOk === outcome.ok) this.run++;
    else {
      this.lastOk = outcome.ok;
      this.run = 1;
    }
    const threshold = outcome.ok
      ? (this.probe.successThreshold ?? 1)
      : (this.probe.failureThreshold ?? 3);
    if (this.run < threshold) return;
    const changed = this.result !== outcome.ok;
    this.result = outcome.ok;
    // A failed liveness or startup probe restarts the container; this worker waits for the next one.
    if (!outcome.ok && this.kind !== 'Readiness') {
      this.onHold = true;
      this.run = 0;
    }
    if (changed) this.listener.changed();
  }
}

/** The probes of one container instance; the pod worker reads started/ready/failed and stops it when the instance ends. */
export class ContainerProbes {
  private readonly startup?: Worker;
  private readonly liveness?: Worker;
  private readonly readiness?: Worker;

  constructor(
    probes: { startupProbe?: Probe; livenessProbe?: Probe; readinessProbe?: Probe },
    target: ProbeTarget,
    startedAtMs: number,
    listener: ProbeListener,
    seed: { started?: boolean; ready?: boolean } = {},
  ) {
    const afterStartup = () => this.started;
    const { startupProbe, livenessProbe, readinessProbe } = probes;
    if (startupProbe)
      this.startup = new Worker(
        'Startup',
        startupProbe,
        target,
        startedAtMs,
        () => this.startup!.result !== true,
        listener,
        seed.started || undefined,
      );
    if (livenessProbe)
      this.liveness = new Worker(
        'Liveness',
        livenessProbe,
        target,
        startedAtMs,
        afterStartup,
        listener,
        undefined,
      );
    if (readinessProbe)
      this.readiness = new Worker(
        'Readiness',
        readinessProbe,
        target,
        startedAtMs,
        afterStartup,
        listener,
        seed.ready || undefined,
      );
    for (const w of [this.startup, this.liveness, this.readiness]) w?.start();
  }

  /** k8s: started once the startup probe succeeded, or at once without one. */
  get started(): boolean {
    return this.startup ? this.startup.result === true : true;
  }

  get ready(): boolean {
    if (!this.started) return false;
    return this.readiness ? this.readiness.result === true : true;
  }

  /** The probe whose failure means the container must be killed and restarted, if any. */
  get failed(): ProbeKind | undefined {
    if (this.startup?.result === false) return 'Startup';
    if (this.liveness?.result === false) return 'Liveness';
    return undefined;
  }

  stop(): void {
    for (const w of [this.startup, this.liveness, this.readiness]) w?.stop();
  }
}
