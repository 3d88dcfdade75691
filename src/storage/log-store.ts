// LogStore: the container logs of one node's pods, shipped by its agent; bounded per container
// instance and per node, deleted with the pod, with followers for `logs -f`.
import { DurableObject } from 'cloudflare:workers';
import { BoundedStream } from '../watch/bounded-stream';

/** Kept per container instance, like kubelet's rotated log files: the newest bytes win. */
export const MAX_BYTES_PER_INSTANCE = 1024 * 1024;
/**
 * Kept per node, all its pods together. Past it, the instance holding the most loses its oldest
 * chunks until the node is back under 90% of the bound, so one chatty container cannot push out
 * the others' logs. 110 pods (kubelet's default maxPods) at 1 MiB each still mostly fit.
 */
export const MAX_BYTES_PER_NODE = 64 * 1024 * 1024;
/** A `logs -f` reader this far behind is cut (its kubectl ends); what it missed stays readable. */
export const FOLLOWER_MAX_QUEUED = 1024 * 1024;
const FOLLOWER_HIGH_WATER = 64 * 1024;
/** Deleted pods are remembered this long, so a batch already in flight is not stored again. */
const FORGOTTEN_MS = 10 * 60 * 1000;

interface InstanceIndex {
  first: number;
  next: number;
  bytes: number;
  sizes: Record<number, number>;
}

interface ContainerIndex {
  /** Instances by restart count; only the current one and the one before it are kept (--previous). */
  instances: Record<number, InstanceIndex>;
}

export interface ReadOptions {
  container: string;
  previous?: boolean;
  tailLines?: number;
  sinceTime?: string;
  limitBytes?: number;
  timestamps?: boolean;
}

export interface LogUsage {
  /** Bytes of log lines kept for the node, and for each pod UID that has any. */
  bytes: number;
  pods: Record<string, number>;
  /** Stored chunks of the pod asked about. */
  chunks?: number;
}

interface Follower {
  uid: string;
  container: string;
  instance: number;
  timestamps: boolean;
  out: BoundedStream;
}

const encoder = new TextEncoder();
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const indexKey = (uid: string, c: string) => `m:${uid}:${c}`;
const chunkPrefix = (uid: string, c: string, i: number) => `d:${uid}:${c}:${pad(i, 8)}:`;
const chunkKey = (uid: string, c: string, i: number, seq: number) =>
  `${chunkPrefix(uid, c, i)}${pad(seq, 12)}`;
const TOTAL = 'total';

/** Each stored line is "<RFC3339Nano timestamp> <text>", the way kubelet's CRI log files keep them. */
function render(lines: string[], timestamps: boolean): string {
  return lines.map((l) => (timestamps ? l : l.slice(l.indexOf(' ') + 1)) + '\n').join('');
}

export class LogStore extends DurableObject {
  private followers = new Set<Follower>();
  /** Pods whose agent said they are gone: new followers end at once. */
  private ended = new Set<string>();

  private async index(uid: string, container: string): Promise<ContainerIndex> {
    return (
      (await this.ctx.storage.get<ContainerIndex>(indexKey(uid, container))) ?? { instances: {} }
    );
  }

  private async total(): Promise<number> {
    return (await this.ctx.storage.get<number>(TOTAL)) ?? 0;
  }

  /**
   * Appends lines ("<timestamp> <text>") of one container instance, trimming the oldest past the bounds.
   * Answers how many followers the pod has, so the agent ships a followed pod's lines at once.
   */
  async append(uid: string, container: string, instance: number, lines: string[]): Promise<number> {
    if (lines.length === 0) return 0;
    if (await this.ctx.storage.get(`x:${uid}`)) return 0;
    const idx = await this.index(uid, container);
    const inst = (idx.instances[instance] ??= { first: 0, next: 0, bytes: 0, sizes: {} });
    const body = lines.join('\n');
    const size = body.length;
    const seq = inst.next++;
    inst.sizes[seq] = size;
    inst.bytes += size;
    let freed = 0;
    const deletes: string[] = [];
    while (inst.bytes > MAX_BYTES_PER_INSTANCE && inst.first < seq) {
      deletes.push(chunkKey(uid, container, instance, inst.first));
      const s = inst.sizes[inst.first] ?? 0;
      inst.bytes -= s;
      freed += s;
      delete inst.sizes[inst.first];
      inst.first++;
    }
    // Only the current instance and the previous one are kept.
    const keep = Object.keys(idx.instances)
      .map(Number)
      .sort((a, b) => b - a)
      .slice(0, 2);
    for (const k of Object.keys(idx.instances).map(Number)) {
      if (keep.includes(k)) continue;
      const old = idx.instances[k];
      for (let s = old.first; s < old.next; s++) deletes.push(chunkKey(uid, container, k, s));
      freed += old.bytes;
      delete idx.instances[k];
    }
    const total = (await this.total()) + size - freed;
    await this.ctx.storage.put({
      [chunkKey(uid, container, instance, seq)]: body,
      [indexKey(uid, container)]: idx,
      [TOTAL]: total,
    });
    await this.deleteKeys(deletes);
    if (total > MAX_BYTES_PER_NODE) await this.trimNode(total);
    for (const f of this.followers) {
      if (f.uid === uid && f.container === container && instance >= f.instance) {
        f.instance = instance;
        f.out.offer(encoder.encode(render(lines, f.timestamps)));
      }
    }
    return [...this.followers].filter((f) => f.uid === uid).length;
  }

  /** The node holds too much: the biggest instances lose their oldest chunks until it is under 90%. */
  private async trimNode(total: number): Promise<void> {
    const indexes = await this.ctx.storage.list<ContainerIndex>({ prefix: 'm:' });
    const target = Math.floor(MAX_BYTES_PER_NODE * 0.9);
    const touched = new Map<string, ContainerIndex>();
    const deletes: string[] = [];
    while (total > target) {
      let worst: { key: string; idx: ContainerIndex; instance: number } | undefined;
      for (const [key, idx] of indexes) {
        for (const [i, inst] of Object.entries(idx.instances)) {
          const w = worst && worst.idx.instances[worst.instance];
          if (inst.first < inst.next && (!w || inst.bytes > w.bytes))
            worst = { key, idx, instance: Number(i) };
        }
      }
      if (!worst) break;
      const inst = worst.idx.instances[worst.instance];
      const [, uid, container] = worst.key.split(':');
      const s = inst.sizes[inst.first] ?? 0;
      deletes.push(chunkKey(uid, container, worst.instance, inst.first));
      delete inst.sizes[inst.first];
      inst.first++;
      inst.bytes -= s;
      total -= s;
      touched.set(worst.key, worst.idx);
    }
    await this.ctx.storage.put({ ...Object.fromEntries(touched), [TOTAL]: total });
    await this.deleteKeys(deletes);
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 128)
      await this.ctx.storage.delete(keys.slice(i, i + 128));
  }

  /** Which instance a read means: the newest, or with `previous` the one before it. */
  private async pick(
    uid: string,
    opts: ReadOptions,
  ): Promise<{ instance: number; lines: string[] } | undefined> {
    const idx = await this.index(uid, opts.container);
    const all = Object.keys(idx.instances)
      .map(Number)
      .sort((a, b) => b - a);
    const instance = opts.previous ? all[1] : all[0];
    if (instance === undefined) return undefined;
    const chunks = await this.ctx.storage.list<string>({
      prefix: chunkPrefix(uid, opts.container, instance),
    });
    let lines = [...chunks.values()].flatMap((c) => c.split('\n'));
    if (opts.sinceTime) lines = lines.filter((l) => l.slice(0, l.indexOf(' ')) >= opts.sinceTime!);
    if (opts.tailLines !== undefined)
      lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
    return { instance, lines };
  }

  async read(uid: string, opts: ReadOptions): Promise<{ found: boolean; text: string }> {
    const got = await this.pick(uid, opts);
    if (!got) return { found: false, text: '' };
    let text = render(got.lines, !!opts.timestamps);
    if (opts.limitBytes !== undefined)
      text = new TextDecoder().decode(encoder.encode(text).slice(0, opts.limitBytes));
    return { found: true, text };
  }

  /** `logs -f`: what is there now, then every append, until the pod's logs end or the client leaves. */
  override async fetch(request: Request): Promise<Response> {
    const q = new URL(request.url).searchParams;
    const uid = q.get('uid') ?? '';
    const opts = JSON.parse(q.get('opts') ?? '{}') as ReadOptions;
    const got = await this.pick(uid, opts);
    const follower: Follower = {
      uid,
      container: opts.container,
      instance: got?.instance ?? 0,
      timestamps: !!opts.timestamps,
      out: new BoundedStream({
        highWaterMark: FOLLOWER_HIGH_WATER,
        limit: FOLLOWER_MAX_QUEUED,
        onEnd: () => this.followers.delete(follower),
      }),
    };
    if (got?.lines.length) follower.out.write(encoder.encode(render(got.lines, !!opts.timestamps)));
    if (this.ended.has(uid)) follower.out.close();
    else this.followers.add(follower);
    return new Response(follower.out.readable, {
      headers: { 'content-type': 'text/plain', 'content-encoding': 'identity' },
    });
  }

  /** The pod is gone from its node: its followers' streams end, as kubectl logs -f ends. */
  async end(uid: string): Promise<void> {
    this.ended.add(uid);
    for (const f of [...this.followers]) {
      if (f.uid !== uid) continue;
      f.out.close();
      this.followers.delete(f);
    }
  }

  /** The pod was deleted: its logs go, and batches still in flight for it are refused. */
  async forget(uid: string): Promise<void> {
    await this.end(uid);
    this.ended.delete(uid);
    const now = Date.now();
    const indexes = await this.ctx.storage.list<ContainerIndex>({ prefix: `m:${uid}:` });
    const deletes: string[] = [...indexes.keys()];
    let freed = 0;
    for (const [key, idx] of indexes) {
      const container = key.slice(`m:${uid}:`.length);
      for (const [i, inst] of Object.entries(idx.instances)) {
        for (let s = inst.first; s < inst.next; s++)
          deletes.push(chunkKey(uid, container, Number(i), s));
        freed += inst.bytes;
      }
    }
    const stale = await this.ctx.storage.list<number>({ prefix: 'x:' });
    for (const [key, at] of stale) if (now - at > FORGOTTEN_MS) deletes.push(key);
    await this.ctx.storage.put({
      [`x:${uid}`]: now,
      [TOTAL]: Math.max(0, (await this.total()) - freed),
    });
    await this.deleteKeys(deletes);
  }

  /** What the node's logs take (and, for one pod, how many chunks are stored), for tests and operators. */
  async usage(uid?: string): Promise<LogUsage> {
    const pods: Record<string, number> = {};
    for (const [key, idx] of await this.ctx.storage.list<ContainerIndex>({ prefix: 'm:' })) {
      const owner = key.split(':')[1];
      for (const inst of Object.values(idx.instances))
        pods[owner] = (pods[owner] ?? 0) + inst.bytes;
    }
    const chunks =
      uid === undefined ? undefined : (await this.ctx.storage.list({ prefix: `d:${uid}:` })).size;
    return { bytes: await this.total(), pods, chunks };
  }
}
