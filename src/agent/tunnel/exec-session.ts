// One exec or attach on the agent: a runtime's StreamProcess bridged to tunnel frames, with credit
// both ways (stdout/stderr within the DO's grants; stdin granted back only as the process takes it).
import { Readable } from 'node:stream';
import {
  frame,
  FrameType,
  json,
  windowFrame,
  type Frame,
  type OpenRequest,
} from '../../tunnel/frames';
import { exitStatus, failureStatus } from '../../tunnel/exit-status';
import type { Runtime } from '../runtime';
import type { StreamProcess } from '../stream-process';
import { CreditedSender } from './credit';

export class ExecSession {
  private proc: StreamProcess | undefined;
  private readonly out: CreditedSender;
  private finished = false;
  private resetBeforeStart = false;
  /** Frames that arrived while the runtime was still starting the process, replayed in order. */
  private early: Frame[] | undefined = [];

  constructor(
    private readonly sid: number,
    private readonly open: OpenRequest,
    private readonly runtime: Runtime,
    private readonly send: (frames: Frame[]) => void,
    private readonly done: (sid: number) => void,
  ) {
    this.out = new CreditedSender(sid, send);
  }

  async start(): Promise<void> {
    const { open, runtime } = this;
    const fn = open.kind === 'exec' ? runtime.execStream : runtime.attach;
    if (!fn)
      return this.end({ error: `the ${runtime.name} runtime does not support ${open.kind}` });
    try {
      this.proc = await fn.call(runtime, open.podUid, {
        container: open.container,
        command: open.command,
        stdin: open.stdin,
        tty: open.tty,
      });
    } catch (err) {
      return this.end({ error: err instanceof Error ? err.message : String(err) });
    }
    if (this.resetBeforeStart) return this.proc.close();
    const early = this.early ?? [];
    this.early = undefined;
    for (const f of early) this.onFrame(f);
    const outputs: Promise<void>[] = [this.pipe(this.proc.stdout, 1, open.stdout)];
    if (this.proc.stderr) outputs.push(this.pipe(this.proc.stderr, 2, open.stderr));
    this.proc.stdin?.on('error', () => undefined); // a process that exits before reading its stdin
    const end = await this.proc.ended;
    await Promise.all(outputs);
    await this.out.whenIdle();
    this.end(end);
  }

  /** Streams one output to the DO, pausing while the session has no credit. */
  private pipe(src: Readable, chan: number, wanted: boolean): Promise<void> {
    return new Promise((resolve) => {
      src.on('data', (d: Buffer) => {
        if (!wanted || this.finished) return;
        if (!this.out.push(chan, d)) {
          src.pause();
          void this.out.whenIdle().then(() => src.resume());
        }
      });
      src.once('end', resolve);
      src.once('close', resolve);
      src.once('error', () => resolve());
    });
  }

  private end(end: { exitCode: number } | { error: string }): void {
    if (this.finished) return;
    this.finished = true;
    const status = 'error' in end ? failureStatus(end.error) : exitStatus(end.exitCode);
    this.send([frame(FrameType.EXIT, this.sid, 0, JSON.stringify(status))]);
    this.done(this.sid);
  }

  onFrame(f: Frame): void {
    if (this.early && f.type !== FrameType.RESET && f.type !== FrameType.WINDOW) {
      this.early.push(f);
      return;
    }
    switch (f.type) {
      case FrameType.DATA: {
        const stdin = this.proc?.stdin;
        const n = f.payload.byteLength;
        // Credit goes back once the process's pipe took the bytes: a process that stops reading stops its sender.
        if (!stdin || stdin.destroyed) this.send([windowFrame(this.sid, n)]);
        else stdin.write(Buffer.from(f.payload), () => this.send([windowFrame(this.sid, n)]));
        break;
      }
      case FrameType.EOF:
        if (f.chan === 0) this.proc?.stdin?.end();
        break;
      case FrameType.WINDOW:
        this.out.grant(new DataView(f.payload.buffer, f.payload.byteOffset, 4).getUint32(0));
        break;
      case FrameType.RESIZE:
        // kubectl sends one JSON object per message; tolerate several, newline separated.
        for (const line of new TextDecoder().decode(f.payload).split('\n')) {
          if (!line.trim()) continue;
          try {
            const size = json<{ Width: number; Height: number }>(new TextEncoder().encode(line));
            this.proc?.resize(size.Width, size.Height);
          } catch {
            // a malformed resize is ignored, as kubelet does
          }
        }
        break;
      case FrameType.RESET:
        this.abort();
        break;
    }
  }

  /** The client went away or the tunnel dropped: an exec is killed, an attach detaches. */
  abort(): void {
    if (!this.proc) this.resetBeforeStart = true;
    this.proc?.close();
    if (!this.finished) {
      this.finished = true;
      this.done(this.sid);
    }
  }
}
