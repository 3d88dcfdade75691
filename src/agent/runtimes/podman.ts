// The podman and docker runtimes: real containers through the Docker-compatible CLI.
//
// Each pod gets a sandbox container (catatonit, built locally into an image) holding its network
// and UTS namespaces, as kubelet's pause container does; the pod's containers join it. Networking:
// every containerPort (and probe port) is published on the pod IP only, `-p <podIP>:<port>:<port>`,
// where the pod IP is a loopback address of the node's podCIDR. Chosen over `--network host` because
// the runtime itself then guarantees the rule "reachable on the pod IP or loopback only": an image
// that listens on 0.0.0.0 (nearly all do) neither leaks onto the host's interfaces nor collides with
// its own replicas, and images run unmodified. podman's sandbox uses slirp4netns, so a pod has no
// host-visible bridge address at all; docker's has its default bridge. $POD_IP (downward API) is the
// address clients reach the pod on; inside the container bind 0.0.0.0 (binding $POD_IP itself works
// only with hostNetwork: true, where the containers share the host's network).
//
// The containers' labels are the only record (owner = this agent's state folder, pod UID, container,
// attempt), so an agent restart adopts what runs instead of starting it twice. State changes are
// found by relisting, as kubelet's PLEG does: `ps` every relistMs, `inspect` of what changed.
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient } from '../../client/client';
import {
  StartError,
  type ContainerInstance,
  type ExecResult,
  type Runtime,
  type StartRequest,
} from '../runtime';
import type { Container, Pod } from '../types';
import {
  containerArgs,
  hostNetwork,
  instanceName,
  needsImageUser,
  sandboxArgs,
  type Dialect,
  type SandboxDns,
} from './podman-args';
import { podDns, usesClusterDns, type ClusterDnsSettings } from '../dns/pod-dns';
import { podmanAttach, podmanExec } from './podman-stream';
import type { StreamProcess, StreamRequest } from '../stream-process';
import { Cli, cliError } from './podman-cli';
import { ImageManager, qualifyImage } from './podman-images';
import { LABEL, parsePs, toInstance, type PodmanInstance } from './podman-inspect';
import { writePullAuth } from './podman-auth';
import { mountArgs, refreshProjections, unenforcedVolumeFeatures } from './podman-volumes';

export type PodmanFlavor = 'podman' | 'docker';

export interface PodmanRuntimeOptions {
  flavor: PodmanFlavor;
  stateDir: string;
  /** Reads the ConfigMaps and Secrets that volumes name (the node may read those its pods reference). */
  client: KubeClient;
  log: (message: string) => void;
  /** Default: the flavor's own name. */
  binary?: string;
  /** Before every subcommand. Default for podman: `--runtime runc --cgroup-manager cgroupfs`. */
  globalArgs?: string[];
  /** Added to every `run`. Default for podman: `--ulimit nofile=1024:1024 --ulimit nproc=1000:1000`. */
  runArgs?: string[];
  /** The sandbox's network. Default: podman `slirp4netns:port_handler=slirp4netns`, docker `bridge`. */
  network?: string;
  /** A pause image to use instead of building one from the host's catatonit. */
  pauseImage?: string;
  /** The node's address, where hostPorts are published. */
  nodeAddress?: string;
  relistMs?: number;
  /** How often configMap and secret volumes are rewritten from the API at most (default one minute). */
  projectionRefreshMs?: number;
  /** The node's cluster DNS: pods' resolvers follow their dnsPolicy and dnsConfig against it. */
  dns?: ClusterDnsSettings;
}

export const PODMAN_DEFAULTS = {
  globalArgs: ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'],
  runArgs: ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1000:1000'],
  network: 'slirp4netns:port_handler=slirp4netns',
};

const KEEP_PER_CONTAINER = 2;
const EXEC_OUTPUT_LIMIT = 10 * 1024;
const PAUSE_BINARIES = [
  '/usr/bin/catatonit',
  '/usr/libexec/podman/catatonit',
  '/usr/libexec/catatonit/catatonit',
];
// k8s: a sandbox that must go takes the pod's containers with the minimum grace.
const SANDBOX_LOSS_GRACE_SECONDS = 2;
// k8s: kubelet's configMap and secret volumes follow the objects within about a minute (its sync period).
const PROJECTION_REFRESH_MS = 60_000;

interface Known {
  inst: PodmanInstance;
  /** The state `ps` last showed, to inspect only what changed. */
  raw: string;
  /** When it entered the map: a listing begun before that cannot say it vanished. */
  since: number;
  /** The runtime no longer has it; kept so restart counts survive. */
  gone?: boolean;
}

export class PodmanRuntime implements Runtime {
  readonly name: string;
  readonly version: string;
  readonly needsEnv = true;
  readonly recordsEvents = true;
  readonly runsProbes = true;
  private readonly cli: Cli;
  private readonly images: ImageManager;
  private readonly dialect: Dialect;
  private readonly owner: string;
  private readonly root: string;
  private readonly known = new Map<string, Known>();
  /** Names being created right now: a listing that catches one half-made must not report it as failed. */
  private readonly creating = new Set<string>();
  private readonly startErrors = new Map<string, string>();
  private readonly removing = new Set<string>();
  /** When each pod's configMap and secret volumes were last rewritten. */
  private readonly projected = new Map<string, number>();
  private readonly listeners = new Set<(podUid: string) => void>();
  private readonly timer: NodeJS.Timeout;
  private relisting?: Promise<void>;
  private listFailed = false;

  constructor(private readonly opts: PodmanRuntimeOptions) {
    const podman = opts.flavor === 'podman';
    this.name = opts.flavor;
    this.cli = new Cli(
      opts.binary ?? opts.flavor,
      opts.globalArgs ?? (podman ? PODMAN_DEFAULTS.globalArgs : []),
    );
    this.images = new ImageManager(this.cli);
    this.dialect = {
      joinUts: podman,
      entrypointJson: podman,
      logDriverPath: podman,
      network: opts.network ?? (podman ? PODMAN_DEFAULTS.network : 'bridge'),
      runArgs: opts.runArgs ?? (podman ? PODMAN_DEFAULTS.runArgs : []),
    };
    this.owner = path.resolve(opts.stateDir);
    this.root = path.join(this.owner, opts.flavor);
    fs.mkdirSync(path.join(this.root, 'pods'), { recursive: true, mode: 0o700 });
    let version: string;
    try {
      version = this.cli.runSync(['version', '--format', '{{.Client.Version}}']).trim();
    } catch (err) {
      const hint = podman
        ? 'apt-get install -y podman runc'
        : 'install docker and start its daemon';
      throw new Error(
        `the ${opts.flavor} runtime needs a working \`${this.cli.binary}\` (${hint}): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      );
    }
    this.version = `${opts.flavor}://${version}`;
    // Synchronously, so no pod syncs before the containers it already runs are known (adoption).
    const rows = parsePs(this.cli.runSync(this.psArgs()));
    if (rows.length)
      this.apply(
        JSON.parse(this.cli.runSync(['container', 'inspect', ...rows.map((r) => r.id)])),
        rows,
        0,
      );
    this.timer = setInterval(() => void this.relist(), opts.relistMs ?? 2000);
    this.timer.unref();
  }

  private psArgs(): string[] {
    const format = this.opts.flavor === 'podman' ? 'json' : '{{json .}}';
    return [
      'ps',
      '-a',
      '--no-trunc',
      '--filter',
      `label=${LABEL.owner}=${this.owner}`,
      '--format',
      format,
    ];
  }

  private notify(uid: string): void {
    for (const l of this.listeners) l(uid);
  }

  private podDir(uid: string): string {
    return path.join(this.root, 'pods', uid);
  }

  /** Folds inspect output in; answers the pods whose containers changed. */
  private apply(
    json: unknown[],
    rows: { id: string; state: string }[],
    since: number,
  ): Set<string> {
    const changed = new Set<string>();
    const raw = new Map(rows.map((r) => [r.id, r.state]));
    for (const j of json as { Id: string; Name?: string; State?: { Status?: string } }[]) {
      const name = (j.Name ?? '').replace(/^\//, '');
      if (this.creating.has(name)) continue;
      const inst = toInstance(j as Parameters<typeof toInstance>[0], this.name, this.startErrors);
      if (!inst) continue;
      const old = this.known.get(j.Id);
      if (!old || old.inst.state !== inst.state || old.inst.exitCode !== inst.exitCode)
        changed.add(inst.podUid);
      if (old?.inst.sandbox && old.inst.state === 'running' && inst.state === 'exited')
        this.sandboxLost(inst.podUid);
      this.known.set(j.Id, {
        inst,
        raw: raw.get(j.Id) ?? j.State?.Status ?? '',
        since: old?.since ?? since,
      });
    }
    return changed;
  }

  /** `inspect` of some containers; one that is gone is marked so (it left without us removing it). */
  private async refresh(cids: string[]): Promise<Set<string>> {
    if (!cids.length) return new Set();
    const r = await this.cli.run(['container', 'inspect', ...cids], { timeoutMs: 60_000 });
    let json: unknown[] = [];
    try {
      json = r.stdout.trim().startsWith('[') ? JSON.parse(r.stdout) : [];
    } catch {
      json = [];
    }
    if (r.code !== 0 && !json.length && !/no such/i.test(r.stderr)) {
      this.opts.log(`${this.name} inspect: ${cliError(r)}`);
      return new Set();
    }
    const changed = this.apply(json, [], Date.now());
    const found = new Set((json as { Id: string }[]).map((j) => j.Id));
    for (const cid of cids) if (!found.has(cid)) this.vanished(cid, changed);
    return changed;
  }

  // k8s: pkg/kubelet/container: a container the runtime can no longer locate is ContainerStatusUnknown.
  private vanished(cid: string, changed: Set<string>): void {
    const k = this.known.get(cid);
    if (!k || k.gone || this.removing.has(k.inst.podUid)) return;
    k.gone = true;
    if (k.inst.sandbox) {
      this.known.delete(cid);
      if (k.inst.state === 'running') this.sandboxLost(k.inst.podUid);
    } else if (k.inst.state === 'running') {
      Object.assign(k.inst, {
        state: 'exited',
        finishedAt: Date.now(),
        exitCode: 137,
        reason: 'ContainerStatusUnknown',
        message: 'The container was removed from the runtime while it ran',
      });
    }
    changed.add(k.inst.podUid);
  }

  /** The periodic listing: new containers, changed states, and containers removed behind our back. */
  private relist(): Promise<void> {
    return (this.relisting ??= (async () => {
      const began = Date.now();
      const r = await this.cli.run(this.psArgs(), { timeoutMs: 60_000 });
      if (r.code !== 0) {
        if (!this.listFailed) this.opts.log(`${this.name} ps: ${cliError(r)}`);
        this.listFailed = true;
        return;
      }
      this.listFailed = false;
      const rows = parsePs(r.stdout);
      const ids = new Set(rows.map((x) => x.id));
      const stale = rows.filter((x) => this.known.get(x.id)?.raw !== x.state);
      const changed = await this.refreshRows(stale);
      for (const [cid, k] of this.known)
        if (!ids.has(cid) && k.since < began) this.vanished(cid, changed);
      for (const uid of changed) this.notify(uid);
    })().finally(() => (this.relisting = undefined)));
  }

  private async refreshRows(rows: { id: string; state: string }[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const changed = await this.refresh(rows.map((x) => x.id));
    for (const x of rows) {
      const k = this.known.get(x.id);
      if (k) k.raw = x.state;
    }
    return changed;
  }

  /** The sandbox died under running containers: they lost their network, so they stop and restart in a new one. */
  private sandboxLost(uid: string): void {
    const live = this.appInstances(uid).filter((i) => i.state === 'running');
    if (!live.length) return;
    this.opts.log(
      `the sandbox of pod ${uid} exited; stopping its ${live.length} running container(s) so they restart in a new one`,
    );
    void Promise.all(live.map((i) => this.stop(uid, i.id, SANDBOX_LOSS_GRACE_SECONDS))).catch(
      () => undefined,
    );
  }

  private appInstances(uid: string): PodmanInstance[] {
    return [...this.known.values()]
      .filter((k) => k.inst.podUid === uid && !k.inst.sandbox)
      .map((k) => k.inst);
  }

  private sandboxOf(uid: string): Known | undefined {
    return [...this.known.values()]
      .filter((k) => k.inst.podUid === uid && k.inst.sandbox && !k.gone)
      .sort((a, b) => a.inst.startedAt - b.inst.startedAt)
      .at(-1);
  }

  async pull(pod: Pod, container: Container): Promise<string> {
    const uid = pod.metadata.uid!;
    const auth = await writePullAuth(
      this.opts.client,
      pod,
      path.join(this.podDir(uid), 'auth'),
      this.opts.log,
    );
    // podman reads an auth file; docker reads config.json from a --config folder given before the subcommand.
    const pullArgs = (ref: string) =>
      !auth
        ? ['pull', ref]
        : this.opts.flavor === 'podman'
          ? ['pull', '--authfile', path.join(auth, 'config.json'), ref]
          : ['--config', auth, 'pull', ref];
    return this.images.ensure(uid, container, pullArgs);
  }

  /** Every pod update the worker sees: configMap and secret volumes are refreshed at most once a minute. */
  observe(pod: Pod): void {
    const uid = pod.metadata.uid!;
    const last = this.projected.get(uid);
    if (
      last !== undefined &&
      Date.now() - last < (this.opts.projectionRefreshMs ?? PROJECTION_REFRESH_MS)
    )
      return;
    if (!this.appInstances(uid).some((i) => i.state === 'running')) return;
    this.projected.set(uid, Date.now());
    void refreshProjections(
      { client: this.opts.client, pod, podDir: this.podDir(uid) },
      this.opts.log,
    );
  }

  unsupported(pod: Pod): string[] {
    return unenforcedVolumeFeatures(pod);
  }

  private sandboxDns(pod: Pod): SandboxDns | undefined {
    const settings = this.opts.dns;
    if (!settings) return undefined;
    const d = podDns(pod, settings);
    return d && { ...d, hostLoopback: usesClusterDns(d, settings) };
  }

  /** The pod's running sandbox, created or restarted as needed; undefined for hostNetwork pods. */
  private async ensureSandbox(pod: Pod, podIP: string): Promise<string | undefined> {
    if (hostNetwork(pod)) return undefined;
    const uid = pod.metadata.uid!;
    const sb = this.sandboxOf(uid);
    if (sb?.inst.state === 'running' && sb.inst.podIP === podIP) return sb.inst.cid;
    if (sb) {
      // k8s: computePodActions: a sandbox that changed or died takes the pod's containers with it.
      const live = this.appInstances(uid).filter((i) => i.state === 'running');
      await Promise.all(live.map((i) => this.stop(uid, i.id, SANDBOX_LOSS_GRACE_SECONDS)));
      if (sb.inst.podIP === podIP) {
        const r = await this.cli.run(['start', sb.inst.cid], { timeoutMs: 60_000 });
        await this.refresh([sb.inst.cid]);
        if (r.code === 0) return sb.inst.cid;
        this.opts.log(`restarting the sandbox of pod ${uid}: ${cliError(r)}; making a new one`);
      }
      await this.removeContainers(uid);
    }
    const image = await this.images.pauseImage({
      image: this.opts.pauseImage,
      binaries: PAUSE_BINARIES,
    });
    const name = instanceName(pod, 'POD', 0);
    const cid = await this.create(
      name,
      sandboxArgs(
        pod,
        podIP,
        image,
        this.dialect,
        { owner: this.owner },
        this.opts.nodeAddress,
        this.sandboxDns(pod),
      ),
    );
    if (!cid.ok) {
      if (cid.id) await this.cli.run(['rm', '-f', cid.id], { timeoutMs: 60_000 });
      throw new StartError(
        'CreateContainerError',
        `failed to create the pod sandbox: ${cid.message}`,
      );
    }
    await this.refresh([cid.id]);
    return cid.id;
  }

  /** `run -d`; on failure, the id of what it left behind (a container that could not start). */
  private async create(
    name: string,
    args: string[],
  ): Promise<{ ok: true; id: string } | { ok: false; id?: string; message: string }> {
    this.creating.add(name);
    try {
      const r = await this.cli.run(args, { timeoutMs: 120_000 });
      const id = r.stdout.trim().split('\n').at(-1)?.trim();
      if (r.code === 0 && id) return { ok: true, id };
      const left = await this.cli.run(['container', 'inspect', '--format', '{{.Id}}', name], {
        timeoutMs: 30_000,
      });
      return {
        ok: false,
        id: left.code === 0 ? left.stdout.trim() : undefined,
        message: cliError(r),
      };
    } finally {
      this.creating.delete(name);
    }
  }

  async start(req: StartRequest): Promise<ContainerInstance> {
    const { pod, container: c } = req;
    const uid = pod.metadata.uid!;
    const image = qualifyImage(c.image ?? '');
    const sandbox = await this.ensureSandbox(pod, req.podIP);
    const mounts = await mountArgs({
      client: this.opts.client,
      pod,
      container: c,
      podDir: this.podDir(uid),
    });
    if (!this.projected.has(uid)) this.projected.set(uid, Date.now());
    const imageUser = needsImageUser(pod, c) ? await this.imageUser(image) : undefined;
    let logPath: string | undefined;
    if (this.dialect.logDriverPath) {
      logPath = path.join(this.podDir(uid), 'logs', c.name, `${req.attempt}.log`);
      fs.mkdirSync(path.dirname(logPath), { recursive: true, mode: 0o700 });
    }
    const args = containerArgs({
      req,
      image,
      sandbox,
      mounts,
      logPath,
      imageUser,
      d: this.dialect,
      names: { owner: this.owner },
      dns: sandbox ? undefined : this.sandboxDns(pod),
    });
    const made = await this.create(instanceName(pod, c.name, req.attempt), args);
    if (!made.ok && !made.id) throw new StartError('CreateContainerError', made.message);
    // Created but not started (the command is missing, say): an instance that ended with StartError.
    if (!made.ok) this.startErrors.set(made.id!, made.message);
    await this.refresh([made.id!]);
    const inst = this.known.get(made.id!)?.inst;
    if (!inst)
      throw new StartError(
        'CreateContainerError',
        `container ${c.name} vanished as soon as it was created`,
      );
    this.prune(uid, c.name, req.init);
    return inst;
  }

  private async imageUser(image: string): Promise<string | undefined> {
    const r = await this.cli.run(['image', 'inspect', '--format', '{{.Config.User}}', image], {
      timeoutMs: 30_000,
    });
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  /** Forgets (and removes) instances older than the newest two of that container. */
  private prune(uid: string, name: string, init: boolean): void {
    const same = [...this.known.entries()].filter(
      ([, k]) =>
        k.inst.podUid === uid && !k.inst.sandbox && k.inst.name === name && k.inst.init === init,
    );
    same.sort(([, a], [, b]) => byAge(a.inst, b.inst));
    for (const [cid, k] of same.slice(0, -KEEP_PER_CONTAINER)) {
      if (k.inst.state === 'running') continue;
      this.known.delete(cid);
      this.startErrors.delete(cid);
      if (k.inst.logPath?.startsWith(this.root)) fs.rmSync(k.inst.logPath, { force: true });
      if (!k.gone)
        void this.cli
          .run(['rm', '-f', cid], { timeoutMs: 60_000 })
          .then((r) => r.code !== 0 && this.opts.log(`removing ${cid}: ${cliError(r)}`));
    }
  }

  async stop(podUid: string, id: string, graceSeconds: number): Promise<void> {
    const k = this.known.get(id.replace(/^[a-z]+:\/\//, ''));
    if (!k || k.gone || k.inst.podUid !== podUid || k.inst.state !== 'running') return;
    // SIGTERM (the image's STOPSIGNAL), SIGKILL after the grace period: the CLI does both.
    const r = await this.cli.run(
      ['stop', '-t', String(Math.max(0, Math.round(graceSeconds))), k.inst.cid],
      { timeoutMs: (graceSeconds + 60) * 1000 },
    );
    if (r.code !== 0 && !/no such/i.test(r.stderr))
      this.opts.log(`stopping ${k.inst.name} of pod ${podUid}: ${cliError(r)}`);
    const changed = await this.refresh([k.inst.cid]);
    for (const uid of changed) this.notify(uid);
  }

  containers(podUid: string): ContainerInstance[] {
    return this.appInstances(podUid).sort(byAge);
  }

  pods(): string[] {
    return [...new Set([...this.known.values()].map((k) => k.inst.podUid))];
  }

  /**
   * `stats --no-stream` for running containers, by container ID: cumulative CPU in nanoseconds and
   * memory in use, in bytes (for the metrics collector). A container that vanished mid-call is left out.
   */
  async stats(ids: string[]): Promise<Map<string, { cpuNs: number; memoryBytes: number }>> {
    const out = new Map<string, { cpuNs: number; memoryBytes: number }>();
    if (ids.length === 0) return out;
    const format = ['--no-stream', '--format', '{{json .ContainerStats}}'];
    let r = await this.cli.run(['stats', ...format, ...ids], { timeoutMs: 30_000 });
    if (r.code !== 0 && ids.length > 1) {
      const each = await Promise.all(
        ids.map((id) => this.cli.run(['stats', ...format, id], { timeoutMs: 30_000 })),
      );
      r = {
        code: 0,
        stdout: each.map((e) => (e.code === 0 ? e.stdout : '')).join('\n'),
        stderr: '',
      };
    }
    for (const line of r.stdout.split('\n')) {
      if (!line.trim().startsWith('{')) continue;
      try {
        const s = JSON.parse(line) as { ContainerID?: string; CPUNano?: number; MemUsage?: number };
        if (s.ContainerID)
          out.set(s.ContainerID, { cpuNs: s.CPUNano ?? 0, memoryBytes: s.MemUsage ?? 0 });
      } catch {
        // a line we cannot read is a container without a figure this time
      }
    }
    return out;
  }

  /** Containers first, then the sandbox they depend on (the CLI refuses the other order). */
  private async removeContainers(uid: string): Promise<void> {
    const mine = [...this.known.values()].filter((k) => k.inst.podUid === uid && !k.gone);
    for (const group of [mine.filter((k) => !k.inst.sandbox), mine.filter((k) => k.inst.sandbox)]) {
      if (!group.length) continue;
      const r = await this.cli.run(['rm', '-f', ...group.map((k) => k.inst.cid)], {
        timeoutMs: 120_000,
      });
      if (r.code !== 0 && !/no such/i.test(r.stderr))
        throw new Error(`removing the containers of pod ${uid}: ${cliError(r)}`);
      // Kept as gone: their attempts still count for the pod's restart counts.
      for (const k of group) {
        k.gone = true;
        if (k.inst.sandbox) this.known.delete(k.inst.cid);
      }
    }
  }

  async remove(podUid: string): Promise<void> {
    this.removing.add(podUid);
    try {
      await this.removeContainers(podUid);
      for (const [cid, k] of this.known) {
        if (k.inst.podUid !== podUid) continue;
        this.known.delete(cid);
        this.startErrors.delete(cid);
      }
      this.images.forget(podUid);
      this.projected.delete(podUid);
      fs.rmSync(this.podDir(podUid), { recursive: true, force: true });
    } finally {
      this.removing.delete(podUid);
    }
  }

  async exec(
    podUid: string,
    id: string,
    command: string[],
    timeoutMs: number,
  ): Promise<ExecResult> {
    const k = this.known.get(id.replace(/^[a-z]+:\/\//, ''));
    if (!k || k.gone || k.inst.podUid !== podUid || k.inst.state !== 'running')
      return { exitCode: 1, output: 'container is not running' };
    // The deadline ends the CLI call; a command inside the container that ignores it may run on.
    const r = await this.cli.run(['exec', k.inst.cid, ...command], { timeoutMs });
    if (r.timedOut) return { exitCode: 1, output: `command timed out after ${timeoutMs / 1000}s` };
    return { exitCode: r.code, output: (r.stdout + r.stderr).slice(0, EXEC_OUTPUT_LIMIT) };
  }

  /** kubectl exec: `exec -i [-t]` in the newest running instance of the container. */
  async execStream(podUid: string, req: StreamRequest): Promise<StreamProcess> {
    return podmanExec(this.cli, this.runningCid(podUid, req.container), req);
  }

  /** kubectl attach: `attach` to the container's main process (its stdin only if the spec kept one open). */
  async attach(podUid: string, req: StreamRequest): Promise<StreamProcess> {
    return podmanAttach(this.cli, this.runningCid(podUid, req.container), req);
  }

  private runningCid(podUid: string, name: string): string {
    const k = [...this.known.values()]
      .filter(
        (x) =>
          !x.gone &&
          !x.inst.sandbox &&
          x.inst.podUid === podUid &&
          x.inst.name === name &&
          x.inst.state === 'running',
      )
      .pop();
    if (!k) throw new Error(`container ${name} is not running`);
    return k.inst.cid;
  }

  onChange(listener: (podUid: string) => void): void {
    this.listeners.add(listener);
  }

  async close(opts: { stopContainers: boolean }): Promise<void> {
    clearInterval(this.timer);
    await this.relisting;
    if (opts.stopContainers) {
      const running = (sandbox: boolean) =>
        [...this.known.values()]
          .filter((k) => !k.gone && k.inst.sandbox === sandbox && k.inst.state === 'running')
          .map((k) => k.inst);
      await Promise.all(running(false).map((i) => this.stop(i.podUid, i.id, i.graceSeconds)));
      await Promise.all(
        running(true).map((i) => this.stop(i.podUid, i.id, SANDBOX_LOSS_GRACE_SECONDS)),
      );
    }
    this.listeners.clear();
  }
}

function byAge(a: ContainerInstance, b: ContainerInstance): number {
  return a.attempt - b.attempt || a.startedAt - b.startedAt;
}
