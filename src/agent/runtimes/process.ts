// The process runtime: each container's command runs directly on the host, in its own process group.
//
// Images are not used: the image name is only a label in the status (imageID "process://<image>").
// Nothing is isolated: a container runs as the agent's user (or runAsUser/runAsGroup when the agent
// is root), sees the host's filesystem, network and processes; only its environment is its own.
// Records of every instance live in <state>/pods/<uid>/containers/, so a restarted agent adopts the
// processes it started (PID plus its start time in /proc) instead of starting them twice.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_PATH } from '../env';
import {
  StartError,
  type ContainerInstance,
  type ExecResult,
  type Runtime,
  type StartRequest,
} from '../runtime';
import type { Container, Pod } from '../types';
import { groupAlive, isSameProcess, procStat, signalGroup } from './procfs';
import { ProcessStore, type ProcessRecord } from './process-store';
import { spawnExec } from './process-exec';
import { attachProcess } from './process-attach';
import { CgroupV2, limitsOf } from './cgroup-v2';
import type { StreamProcess, StreamRequest } from '../stream-process';

export interface ProcessRuntimeOptions {
  stateDir: string;
  log: (message: string) => void;
  /** Where cgroup v2 is mounted (default /sys/fs/cgroup); false: never enforce limits. */
  cgroupRoot?: string | false;
  /** How often adopted processes (not our children, so no exit event) are checked. */
  pollMs?: number;
}

const KEEP_PER_CONTAINER = 2;
const EXEC_OUTPUT_LIMIT = 10 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exitOf(
  code: number | null,
  signal: NodeJS.Signals | null,
): Pick<ContainerInstance, 'exitCode' | 'signal' | 'reason'> {
  if (signal) {
    const n = os.constants.signals[signal] ?? 0;
    return { exitCode: 128 + n, signal: n, reason: 'Error' };
  }
  return { exitCode: code ?? 0, reason: code === 0 ? 'Completed' : 'Error' };
}

export class ProcessRuntime implements Runtime {
  readonly name = 'process';
  readonly version = 'process://1.0';
  readonly needsEnv = true;
  readonly recordsEvents = true;
  readonly runsProbes = true;
  private readonly store: ProcessStore;
  private readonly records = new Map<string, ProcessRecord>();
  /** Instances we started in this life: their exit arrives as an event; the rest are polled. */
  private readonly children = new Set<string>();
  private readonly listeners = new Set<(podUid: string) => void>();
  /** Process groups of execs into each instance (by instance id), while they run. */
  private readonly execs = new Map<string, Set<number>>();
  /** Limits are enforced through cgroup v2 when the agent may create cgroups; else undefined. */
  private readonly cgroups?: CgroupV2;
  /** The cgroup of each running instance that has limits, by instance id. */
  private readonly cgroupOf = new Map<string, string>();
  private readonly poll: NodeJS.Timeout;
  /** stdin pipes of containers whose spec says stdin: true, by instance id (kubectl attach writes there). */
  private readonly stdins = new Map<
    string,
    { pipe: import('node:stream').Writable; once: boolean }
  >();

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.store = new ProcessStore(path.join(opts.stateDir, 'process'));
    for (const rec of this.store.loadAll()) {
      if (
        rec.state === 'running' &&
        !(rec.pid && rec.startTicks && isSameProcess(rec.pid, rec.startTicks))
      ) {
        this.lost(rec, 'The process ended while the agent was down, so its exit code is unknown');
      }
      this.records.set(rec.id, rec);
    }
    const opened = opts.cgroupRoot === false ? { why: 'disabled' } : CgroupV2.open(opts.cgroupRoot);
    this.cgroups = opened.cgroups;
    if (opened.why && opts.cgroupRoot !== false)
      opts.log(`container resource limits are not enforced: ${opened.why}`);
    this.poll = setInterval(() => this.checkAdopted(), opts.pollMs ?? 1000);
    this.poll.unref();
  }

  // k8s: pkg/kubelet/container: a container the runtime can no longer locate is ContainerStatusUnknown.
  private lost(rec: ProcessRecord, message: string): void {
    Object.assign(rec, {
      state: 'exited',
      finishedAt: Date.now(),
      exitCode: 137,
      reason: 'ContainerStatusUnknown',
      message,
    });
    this.store.save(rec);
  }

  private checkAdopted(): void {
    for (const rec of this.records.values()) {
      if (rec.state !== 'running' || this.children.has(rec.id)) continue;
      if (rec.pid && rec.startTicks && isSameProcess(rec.pid, rec.startTicks)) continue;
      this.lost(
        rec,
        "The process was adopted after an agent restart and is not the agent's child, so its exit code is unknown",
      );
      this.notify(rec.podUid);
    }
  }

  private notify(uid: string): void {
    for (const l of this.listeners) l(uid);
  }

  async pull(_pod: Pod, container: Container): Promise<string> {
    return `Container image "${container.image ?? ''}" is not used: the process runtime runs the command on this host`;
  }

  unsupported(pod: Pod): string[] {
    const out: string[] = [];
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      // Claim volumes reach the process as EDGEPLANE_VOLUME_<NAME> (src/agent/volumes/local-path.ts).
      const claims = new Set(
        (
          (pod.spec as { volumes?: { name: string; persistentVolumeClaim?: unknown }[] }).volumes ??
          []
        )
          .filter((v) => v.persistentVolumeClaim)
          .map((v) => v.name),
      );
      const unmounted = (c.volumeMounts ?? []).filter((m) => !claims.has(m.name));
      if (unmounted.length)
        out.push(
          `container ${c.name}: volumeMounts (${unmounted.map((m) => m.mountPath).join(', ')}) are not mounted; the process runtime runs the command on the host's filesystem`,
        );
      if (!this.cgroups && c.resources?.limits && Object.keys(c.resources.limits).length)
        out.push(`container ${c.name}: resource limits are not enforced by the process runtime`);
      const hostPorts = (c.ports ?? []).filter((p) => p.hostPort).map((p) => p.hostPort);
      if (hostPorts.length)
        out.push(
          `container ${c.name}: hostPort ${hostPorts.join(', ')} is not published; the container listens on its pod IP (use a NodePort Service)`,
        );
      if (c.securityContext?.privileged || c.securityContext?.readOnlyRootFilesystem)
        out.push(
          `container ${c.name}: securityContext privileged/readOnlyRootFilesystem mean nothing to the process runtime, which isolates nothing`,
        );
    }
    return out;
  }

  private runAs(pod: Pod, c: Container): { uid?: number; gid?: number } {
    const uid = c.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser;
    const gid = c.securityContext?.runAsGroup ?? pod.spec.securityContext?.runAsGroup;
    const me = process.getuid?.() ?? -1;
    if (me === 0) return { uid, gid };
    if ((uid !== undefined && uid !== me) || (gid !== undefined && gid !== process.getgid?.())) {
      throw new StartError(
        'CreateContainerError',
        `securityContext asks for uid ${uid ?? '-'} gid ${gid ?? '-'}, but the agent runs as uid ${me} and can only switch users as root`,
      );
    }
    return {};
  }

  async start(req: StartRequest): Promise<ContainerInstance> {
    const { pod, container: c } = req;
    const uid = pod.metadata.uid!;
    if (req.argv.length === 0) {
      throw new StartError(
        'CreateContainerError',
        `container ${c.name} has no command or args; the process runtime has no image entrypoint to fall back to`,
      );
    }
    const ids = this.runAs(pod, c);
    const home = path.join(this.store.podDir(uid), 'home');
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    // A container run as another user (the agent is root) must still own its home.
    if (ids.uid !== undefined) fs.chownSync(home, ids.uid, ids.gid ?? ids.uid);
    const cwd = c.workingDir || home;
    const env: [string, string][] = [
      ['HOSTNAME', pod.spec.hostname ?? pod.metadata.name!],
      ['HOME', home],
      ...req.env,
    ];
    if (!env.some(([k]) => k === 'PATH')) env.push(['PATH', DEFAULT_PATH]);
    const id = randomBytes(32).toString('hex');
    const logPath = path.join(this.store.podDir(uid), 'logs', c.name, `${req.attempt}.log`);
    fs.mkdirSync(path.dirname(logPath), { recursive: true, mode: 0o700 });
    const image = c.image ?? '';
    const rec: ProcessRecord = {
      id: `process://${id}`,
      name: c.name,
      init: req.init,
      attempt: req.attempt,
      state: 'running',
      startedAt: Date.now(),
      image,
      imageID: `process://${image}`,
      podUid: uid,
      namespace: pod.metadata.namespace!,
      podName: pod.metadata.name!,
      logPath,
      logFormat: 'raw',
      env: [...new Map(env)],
      cwd,
      graceSeconds: pod.spec.terminationGracePeriodSeconds ?? 30,
    };
    if (!fs.existsSync(cwd)) {
      return this.failed(rec, `workingDir ${JSON.stringify(cwd)} does not exist on this node`);
    }
    const log = fs.openSync(logPath, 'a', 0o600);
    // No shell: argv[0] is looked up in the container's PATH, the rest passed as is.
    const child = spawn(req.argv[0], req.argv.slice(1), {
      cwd,
      env: Object.fromEntries(rec.env),
      detached: true,
      stdio: [c.stdin ? 'pipe' : 'ignore', log, log],
      ...ids,
    });
    if (child.stdin) {
      // The pipe must not keep the agent alive, nor crash it when the process never reads.
      (child.stdin as unknown as { unref?: () => void }).unref?.();
      child.stdin.on('error', () => undefined);
      this.stdins.set(rec.id, { pipe: child.stdin, once: c.stdinOnce === true });
    }
    fs.closeSync(log);
    const spawned = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (err) => resolve(err));
    });
    if (spawned) {
      const code = (spawned as NodeJS.ErrnoException).code;
      return this.failed(
        rec,
        `exec: ${JSON.stringify(req.argv[0])}: ${code === 'ENOENT' ? 'executable file not found in $PATH' : spawned.message}`,
      );
    }
    child.unref();
    rec.pid = child.pid!;
    rec.startTicks = procStat(rec.pid)?.startTicks;
    this.confine(rec, c);
    this.children.add(rec.id);
    child.once('exit', (code, signal) => {
      this.children.delete(rec.id);
      this.stdins.delete(rec.id);
      const cgroup = this.cgroupOf.get(rec.id);
      this.cgroupOf.delete(rec.id);
      // k8s: a container its memory limit's OOM kill ended is OOMKilled (exit 137).
      const oom = cgroup !== undefined && signal === 'SIGKILL' && this.cgroups!.oomKilled(cgroup);
      if (cgroup) this.cgroups!.remove(cgroup);
      if (rec.state === 'running')
        Object.assign(rec, {
          state: 'exited',
          finishedAt: Date.now(),
          ...exitOf(code, signal),
          ...(oom ? { reason: 'OOMKilled' } : {}),
        });
      this.store.save(rec);
      this.notify(uid);
    });
    this.keep(rec);
    return rec;
  }

  /**
   * Puts the instance's process in a cgroup of its own with its limits (cgroup v2 hosts where the agent
   * may). It is moved right after it started: a child it forked in that instant stays outside.
   */
  private confine(rec: ProcessRecord, c: Container): void {
    const limits = limitsOf(c);
    if (!this.cgroups || !limits || !rec.pid) return;
    try {
      const dir = this.cgroups.create(`${rec.podUid}_${c.name}_${rec.attempt}`, limits);
      this.cgroups.addProcess(dir, rec.pid);
      this.cgroupOf.set(rec.id, dir);
    } catch (err) {
      this.opts.log(
        `pod ${rec.namespace}/${rec.podName} container ${c.name}: limits not applied: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  // k8s: a command that cannot be executed is a container that terminated with StartError, exit code 128.
  private failed(rec: ProcessRecord, message: string): ContainerInstance {
    Object.assign(rec, {
      state: 'exited',
      finishedAt: Date.now(),
      exitCode: 128,
      reason: 'StartError',
      message,
    });
    this.keep(rec);
    return rec;
  }

  /** Saves the record and forgets instances older than the newest two of that container. */
  private keep(rec: ProcessRecord): void {
    this.records.set(rec.id, rec);
    this.store.save(rec);
    const same = [...this.records.values()].filter(
      (r) =>
        r.podUid === rec.podUid &&
        r.name === rec.name &&
        r.init === rec.init &&
        r.state === 'exited',
    );
    const newest = [...this.records.values()]
      .filter((r) => r.podUid === rec.podUid && r.name === rec.name && r.init === rec.init)
      .sort(byAge)
      .slice(-KEEP_PER_CONTAINER);
    for (const old of same) {
      if (newest.includes(old)) continue;
      this.records.delete(old.id);
      this.store.drop(old);
    }
  }

  async stop(podUid: string, id: string, graceSeconds: number): Promise<void> {
    const rec = this.records.get(id);
    if (!rec || rec.state !== 'running' || !rec.pid) return;
    const pgid = rec.pid;
    // An adopted PID is signalled only while it is still the process we started.
    const ours = () =>
      this.children.has(id) ||
      (rec.startTicks !== undefined && isSameProcess(rec.pid!, rec.startTicks));
    if (!ours()) {
      this.lost(rec, 'The process had already ended when the agent stopped it');
      this.notify(podUid);
      return;
    }
    signalGroup(pgid, 'SIGTERM');
    let signal: NodeJS.Signals = 'SIGTERM';
    const deadline = Date.now() + graceSeconds * 1000;
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
    if (groupAlive(pgid)) {
      signal = 'SIGKILL';
      signalGroup(pgid, 'SIGKILL');
      const until = Date.now() + 5_000;
      while (groupAlive(pgid) && Date.now() < until) await sleep(50);
    }
    // Our own child reports its real exit code; give its exit event a moment to arrive.
    const until = Date.now() + 2_000;
    while (rec.state === 'running' && this.children.has(id) && Date.now() < until) await sleep(20);
    if (rec.state === 'running') {
      Object.assign(rec, { state: 'exited', finishedAt: Date.now(), ...exitOf(null, signal) });
      this.store.save(rec);
      this.notify(podUid);
    }
  }

  containers(podUid: string): ContainerInstance[] {
    return [...this.records.values()].filter((r) => r.podUid === podUid).sort(byAge);
  }

  pods(): string[] {
    return [...new Set([...this.records.values()].map((r) => r.podUid))];
  }

  /** The process group a running instance leads (its PID), for the metrics collector. */
  processGroup(id: string): number | undefined {
    const rec = this.records.get(id);
    return rec?.state === 'running' ? rec.pid : undefined;
  }

  /** Process groups of `kubectl exec` and exec probes running in the instance now: its use too. */
  execGroups(id: string): number[] {
    return [...(this.execs.get(id) ?? [])];
  }

  private trackExec(id: string, pgid: number, ended: Promise<unknown>): void {
    let groups = this.execs.get(id);
    if (!groups) this.execs.set(id, (groups = new Set()));
    groups.add(pgid);
    // The exec runs under the container's limits too, as kubelet's joins the container's cgroup.
    const cgroup = this.cgroupOf.get(id);
    if (cgroup) {
      try {
        this.cgroups!.addProcess(cgroup, pgid);
      } catch {
        // already gone
      }
    }
    void ended.finally(() => {
      groups.delete(pgid);
      if (groups.size === 0 && this.execs.get(id) === groups) this.execs.delete(id);
    });
  }

  async remove(podUid: string): Promise<void> {
    for (const [id, r] of this.records) if (r.podUid === podUid) this.records.delete(id);
    this.store.removePod(podUid);
  }

  /** Runs a command with the container's environment and directory, in a group of its own, killed at the timeout. */
  exec(podUid: string, id: string, command: string[], timeoutMs: number): Promise<ExecResult> {
    const rec = this.records.get(id);
    if (!rec || rec.podUid !== podUid || rec.state !== 'running')
      return Promise.resolve({ exitCode: 1, output: 'container is not running' });
    return new Promise((resolve) => {
      const child = spawn(command[0], command.slice(1), {
        cwd: rec.cwd,
        env: Object.fromEntries(rec.env),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const take = (b: Buffer) => {
        if (output.length < EXEC_OUTPUT_LIMIT)
          output += b.toString().slice(0, EXEC_OUTPUT_LIMIT - output.length);
      };
      child.stdout!.on('data', take);
      child.stderr!.on('data', take);
      if (child.pid)
        this.trackExec(id, child.pid, new Promise((r) => child.once('close', r).once('error', r)));
      const timer = setTimeout(() => {
        if (child.pid) signalGroup(child.pid, 'SIGKILL');
        resolve({ exitCode: 1, output: `command timed out after ${timeoutMs / 1000}s` });
      }, timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        resolve({ exitCode: 126, output: err.message });
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({
          exitCode: code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0),
          output,
        });
      });
    });
  }

  /** kubectl exec: the newest running instance of the container gives the environment, directory and user. */
  async execStream(podUid: string, req: StreamRequest): Promise<StreamProcess> {
    const rec = this.running(podUid, req.container);
    return spawnExec(rec, req, (pgid, ended) => this.trackExec(rec.id, pgid, ended));
  }

  /** kubectl attach: output of the newest running instance from now on, and its stdin pipe if it has one. */
  async attach(podUid: string, req: StreamRequest): Promise<StreamProcess> {
    const rec = this.running(podUid, req.container);
    const pipe = this.stdins.get(rec.id);
    return attachProcess({ rec, stdin: pipe?.pipe, stdinOnce: pipe?.once ?? false }, req.stdin);
  }

  private running(podUid: string, name: string): ProcessRecord {
    const rec = [...this.records.values()]
      .filter((r) => r.podUid === podUid && r.name === name && r.state === 'running')
      .sort(byAge)
      .pop();
    if (!rec) throw new Error(`container ${name} is not running`);
    return rec;
  }

  onChange(listener: (podUid: string) => void): void {
    this.listeners.add(listener);
  }

  async close(opts: { stopContainers: boolean }): Promise<void> {
    clearInterval(this.poll);
    if (opts.stopContainers) {
      const live = [...this.records.values()].filter((r) => r.state === 'running');
      await Promise.all(live.map((r) => this.stop(r.podUid, r.id, r.graceSeconds)));
    }
    this.listeners.clear();
  }
}

function byAge(a: ContainerInstance, b: ContainerInstance): number {
  return a.startedAt - b.startedAt || a.attempt - b.attempt;
}
