// Ships container output to the API (the agent takes no inbound connections, so `kubectl logs` reads what it sent).
// A raw (process runtime) file is kept under 10 MiB on disk by emptying it once everything in it was shipped.
//
// Every second the files of a node's container instances are read from where the last successful
// batch ended and POSTed as "<RFC3339Nano> <text>" lines to
// /edgeplane/v1/namespaces/<ns>/pods/<name>/logs?uid=<uid>, by container and instance (the restart
// count), at most 256 KiB per request; the server keeps the last 1 MiB of the current and the
// previous instance. Offsets are saved in the state folder, so an agent restart neither loses nor
// repeats lines. When a pod ends (deleted, or in a terminal phase), its last lines go out and then
// .../logs/end, which ends every `kubectl logs -f` on it.
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient } from '../client/client';
import { ApiStatusError } from '../client/errors';
import { parseLog, type ParseState } from './log-lines';
import type { ContainerInstance, Runtime } from './runtime';
import type { Pod } from './types';

const READ_LIMIT = 256 * 1024;
/** A followed pod's output goes out this often, for this long after the last sign of a follower. */
const FOLLOWED_SHIP_MS = 50;
const FOLLOWED_FOR_MS = 10_000;
/** Set by the API on a batch's answer while the pod has `logs -f` readers (src/tunnel/follow.ts). */
const FOLLOWED_HEADER = 'x-edgeplane-followed';
// k8s: kubelet's containerLogMaxSize (10 MiB). A raw file is emptied once shipped past this size;
// the process keeps writing through its O_APPEND descriptor from the new start.
const MAX_LOCAL_LOG = 10 * 1024 * 1024;

interface Cursor extends ParseState {
  offset: number;
}

export interface LogShipperOptions {
  client: KubeClient;
  runtime: Runtime;
  /** The API's pod for a runtime pod UID (the pod worker's copy). */
  podFor: (uid: string) => Pod | undefined;
  /** Where shipped offsets are kept; undefined keeps them in memory only. */
  offsetsFile?: string;
  log: (message: string) => void;
  intervalMs?: number;
}

export class LogShipper {
  private readonly cursors = new Map<string, Cursor>();
  private readonly ended = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private dirty = false;
  /** Followed pods (a `logs -f` is reading) and until when; they ship every FOLLOWED_SHIP_MS. */
  private readonly followed = new Map<string, number>();
  private fast?: NodeJS.Timeout;
  private fastBusy = false;

  constructor(private readonly opts: LogShipperOptions) {
    if (opts.offsetsFile && fs.existsSync(opts.offsetsFile)) {
      try {
        const saved = JSON.parse(fs.readFileSync(opts.offsetsFile, 'utf8')) as Record<
          string,
          number
        >;
        for (const [id, offset] of Object.entries(saved))
          this.cursors.set(id, { offset, partial: '' });
      } catch {
        // unreadable offsets: ship from the start again rather than lose lines
      }
    }
  }

  start(): void {
    const every = this.opts.intervalMs ?? 1000;
    const tick = () => {
      void this.serial(() => this.shipAll()).finally(() => {
        if (this.timer) this.timer = setTimeout(tick, every);
      });
    };
    this.timer = setTimeout(tick, every);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    clearInterval(this.fast);
    this.fast = undefined;
    await this.chain;
  }

  /** Sends what a pod has left, then ends its followers; once per pod UID. */
  finishPod(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid!;
    if (this.ended.has(uid)) return Promise.resolve();
    return this.serial(async () => {
      if (this.ended.has(uid)) return;
      // A pod whose runtime keeps no output (the fake one) has no followers worth a request.
      if (!this.opts.runtime.containers(uid).some((i) => i.logPath)) {
        this.ended.add(uid);
        return;
      }
      await this.shipPod(uid, pod, true);
      await this.post(pod, 'logs/end', undefined);
      this.ended.add(uid);
    });
  }

  /** Someone follows this pod's logs (told through the node tunnel, or by a batch's answer): ship at once. */
  follow(uid: string): void {
    if (!this.timer) return;
    this.followed.set(uid, Date.now() + FOLLOWED_FOR_MS);
    if (!this.fast) {
      this.fast = setInterval(() => this.shipFollowed(), FOLLOWED_SHIP_MS);
      this.fast.unref();
    }
  }

  private shipFollowed(): void {
    const now = Date.now();
    for (const [uid, until] of this.followed) if (until < now) this.followed.delete(uid);
    if (this.followed.size === 0) {
      clearInterval(this.fast);
      this.fast = undefined;
      return;
    }
    if (this.fastBusy) return;
    this.fastBusy = true;
    void this.serial(async () => {
      for (const uid of [...this.followed.keys()]) {
        const pod = this.opts.podFor(uid);
        if (pod && !this.ended.has(uid)) await this.shipPod(uid, pod, false);
      }
      this.saveOffsets();
    }).finally(() => (this.fastBusy = false));
  }

  /** Forgets a pod whose containers the runtime removed. */
  forgetPod(uid: string): void {
    this.ended.delete(uid);
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.chain
      .then(fn)
      .catch((err: unknown) =>
        this.opts.log(`log shipping: ${err instanceof Error ? err.message : String(err)}`),
      );
    this.chain = run;
    return run;
  }

  private async shipAll(): Promise<void> {
    const live = new Set<string>();
    for (const uid of this.opts.runtime.pods()) {
      for (const i of this.opts.runtime.containers(uid)) live.add(i.id);
      const pod = this.opts.podFor(uid);
      if (pod && !this.ended.has(uid)) await this.shipPod(uid, pod, false);
    }
    for (const id of this.cursors.keys()) {
      if (!live.has(id)) {
        this.cursors.delete(id);
        this.dirty = true;
      }
    }
    this.saveOffsets();
  }

  private async shipPod(uid: string, pod: Pod, final: boolean): Promise<void> {
    for (const inst of this.opts.runtime.containers(uid)) {
      if (!inst.logPath) continue;
      // A container that exited (or a pod that is ending) has written its last byte: flush its partial line.
      for (let more = true; more;)
        more = await this.shipInstance(pod, inst, final || inst.state === 'exited');
    }
  }

  /** One batch of one instance; true when more is waiting. */
  private async shipInstance(pod: Pod, inst: ContainerInstance, eof: boolean): Promise<boolean> {
    const cursor = this.cursors.get(inst.id) ?? { offset: 0, partial: '' };
    let size: number;
    try {
      size = fs.statSync(inst.logPath!).size;
    } catch {
      return false;
    }
    if (size < cursor.offset) cursor.offset = 0; // truncated: start over
    const length = Math.min(size - cursor.offset, READ_LIMIT);
    if (length <= 0 && !(eof && cursor.partial)) return false;
    const buf = Buffer.alloc(Math.max(length, 0));
    if (length > 0) {
      const fd = fs.openSync(inst.logPath!, 'r');
      try {
        fs.readSync(fd, buf, 0, length, cursor.offset);
      } finally {
        fs.closeSync(fd);
      }
    }
    const atEnd = cursor.offset + length >= size;
    const state: ParseState = { partial: cursor.partial, partialTime: cursor.partialTime };
    const parsed = parseLog(buf, inst.logFormat ?? 'raw', state, eof && atEnd);
    if (parsed.lines.length > 0) {
      const sent = await this.post(pod, 'logs', {
        container: inst.name,
        instance: inst.attempt,
        lines: parsed.lines,
      });
      if (!sent) return false;
    }
    let offset = cursor.offset + parsed.consumed;
    if (
      (inst.logFormat ?? 'raw') === 'raw' &&
      offset >= MAX_LOCAL_LOG &&
      offset === fs.statSync(inst.logPath!).size
    ) {
      fs.truncateSync(inst.logPath!, 0);
      offset = 0;
    }
    this.cursors.set(inst.id, { offset, partial: state.partial, partialTime: state.partialTime });
    if (parsed.consumed > 0) this.dirty = true;
    return !atEnd && parsed.consumed > 0;
  }

  /** True when the API took it, or refused it for good (the pod is gone): either way the lines are done. */
  private async post(pod: Pod, what: 'logs' | 'logs/end', body: unknown): Promise<boolean> {
    const { namespace, name, uid } = pod.metadata;
    const url = `/edgeplane/v1/namespaces/${encodeURIComponent(namespace!)}/pods/${encodeURIComponent(name!)}/${what}?uid=${encodeURIComponent(uid!)}`;
    try {
      const res = await this.opts.client.raw('POST', url, {
        body: JSON.stringify(body ?? {}),
        contentType: 'application/json',
      });
      await res.arrayBuffer();
      if (res.headers.get(FOLLOWED_HEADER)) this.follow(uid!);
      return true;
    } catch (err) {
      if (
        err instanceof ApiStatusError &&
        (err.code === 404 || err.code === 403 || err.code === 400)
      )
        return true;
      throw err;
    }
  }

  private saveOffsets(): void {
    if (!this.dirty || !this.opts.offsetsFile) return;
    this.dirty = false;
    const out: Record<string, number> = {};
    for (const [id, c] of this.cursors) out[id] = c.offset;
    fs.mkdirSync(path.dirname(this.opts.offsetsFile), { recursive: true, mode: 0o700 });
    fs.writeFileSync(`${this.opts.offsetsFile}.tmp`, JSON.stringify(out), { mode: 0o600 });
    fs.renameSync(`${this.opts.offsetsFile}.tmp`, this.opts.offsetsFile);
  }
}
