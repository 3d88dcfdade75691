// LogStore: one pod's container logs, shipped by its node agent; bounded, with followers for `logs -f`.
import { DurableObject } from 'cloudflare:workers';

/** Kept per container instance, like kubelet's rotated log files: the newest bytes win. */
export const MAX_BYTES_PER_INSTANCE = 1024 * 1024;

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

interface Follower {
  container: string;
  instance: number;
  timestamps: boolean;
  controller: ReadableStreamDefaultController<Uint8Array>;
}

const encoder = new TextEncoder();
const chunkKey = (c: string, i: number, seq: number) => `d:${c}:${String(i).padStart(8, '0')}:${String(seq).padStart(12, '0')}`;

/** Each stored line is "<RFC3339Nano timestamp> <text>", the way kubelet's CRI log files keep them. */
function render(lines: string[], timestamps: boolean): string {
  return lines.map((l) => (timestamps ? l : l.slice(l.indexOf(' ') + 1)) + '\n').join('');
}

export class LogStore extends DurableObject {
  private followers = new Set<Follower>();
  private ended = false;

  private async index(container: string): Promise<ContainerIndex> {
    return (await this.ctx.storage.get<ContainerIndex>(`m:${container}`)) ?? { instances: {} };
  }

  /** Appends lines ("<timestamp> <text>") of one container instance, trimming the oldest past the bound. */
  async append(container: string, instance: number, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const idx = await this.index(container);
    const inst = (idx.instances[instance] ??= { first: 0, next: 0, bytes: 0, sizes: {} });
    const body = lines.join('\n');
    const size = body.length;
    const seq = inst.next++;
    inst.sizes[seq] = size;
    inst.bytes += size;
    const deletes: string[] = [];
    while (inst.bytes > MAX_BYTES_PER_INSTANCE && inst.first < seq) {
      deletes.push(chunkKey(container, instance, inst.first));
      inst.bytes -= inst.sizes[inst.first] ?? 0;
      delete inst.sizes[inst.first];
      inst.first++;
    }
    // Only the current instance and the previous one are kept.
    const keep = Object.keys(idx.instances).map(Number).sort((a, b) => b - a).slice(0, 2);
    for (const k of Object.keys(idx.instances).map(Number)) {
      if (keep.includes(k)) continue;
      const old = idx.instances[k];
      for (let s = old.first; s < old.next; s++) deletes.push(chunkKey(container, k, s));
      delete idx.instances[k];
    }
    await this.ctx.storage.put({ [chunkKey(container, instance, seq)]: body, [`m:${container}`]: idx });
    for (let i = 0; i < deletes.length; i += 128) await this.ctx.storage.delete(deletes.slice(i, i + 128));
    for (const f of this.followers) {
      if (f.container === container && instance >= f.instance) {
        f.instance = instance;
        f.controller.enqueue(encoder.encode(render(lines, f.timestamps)));
      }
    }
  }

  /** Which instance a read means: the newest, or with `previous` the one before it. */
  private async pick(opts: ReadOptions): Promise<{ instance: number; lines: string[] } | undefined> {
    const idx = await this.index(opts.container);
    const all = Object.keys(idx.instances).map(Number).sort((a, b) => b - a);
    const instance = opts.previous ? all[1] : all[0];
    if (instance === undefined) return undefined;
    const chunks = await this.ctx.storage.list<string>({ prefix: `d:${opts.container}:${String(instance).padStart(8, '0')}:` });
    let lines = [...chunks.values()].flatMap((c) => c.split('\n'));
    if (opts.sinceTime) lines = lines.filter((l) => l.slice(0, l.indexOf(' ')) >= opts.sinceTime!);
    if (opts.tailLines !== undefined) lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
    return { instance, lines };
  }

  async read(opts: ReadOptions): Promise<{ found: boolean; text: string }> {
    const got = await this.pick(opts);
    if (!got) return { found: false, text: '' };
    let text = render(got.lines, !!opts.timestamps);
    if (opts.limitBytes !== undefined) text = new TextDecoder().decode(encoder.encode(text).slice(0, opts.limitBytes));
    return { found: true, text };
  }

  /** `logs -f`: what is there now, then every append, until the pod's logs end or the client leaves. */
  override async fetch(request: Request): Promise<Response> {
    const opts = JSON.parse(new URL(request.url).searchParams.get('opts') ?? '{}') as ReadOptions;
    const got = await this.pick(opts);
    let follower!: Follower;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        follower = { container: opts.container, instance: got?.instance ?? 0, timestamps: !!opts.timestamps, controller };
        if (got?.lines.length) controller.enqueue(encoder.encode(render(got.lines, !!opts.timestamps)));
        if (this.ended) controller.close();
        else this.followers.add(follower);
      },
      cancel: () => {
        this.followers.delete(follower);
      },
    });
    return new Response(stream, { headers: { 'content-type': 'text/plain', 'content-encoding': 'identity' } });
  }

  /** The pod is gone: followers' streams end, as kubectl logs -f ends. */
  async end(): Promise<void> {
    this.ended = true;
    for (const f of this.followers) {
      try {
        f.controller.close();
      } catch {
        // the reader already left
      }
    }
    this.followers.clear();
  }
}
