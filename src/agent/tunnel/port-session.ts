// One port-forward connection on the agent: a TCP connection to the pod's port, bridged to tunnel
// frames with credit both ways (the socket's own backpressure decides when the DO may send more).
import net from 'node:net';
import { frame, FrameType, windowFrame, type DialRequest, type Frame } from '../../tunnel/frames';
import type { Runtime } from '../runtime';
import { CreditedSender } from './credit';

export class PortSession {
  private socket: net.Socket | undefined;
  private readonly out: CreditedSender;
  private finished = false;

  constructor(
    private readonly sid: number,
    private readonly dial: DialRequest,
    private readonly runtime: Runtime,
    private readonly send: (frames: Frame[]) => void,
    private readonly done: (sid: number) => void,
  ) {
    this.out = new CreditedSender(sid, send);
  }

  start(): void {
    const { dial } = this;
    const target = this.runtime.dialTarget?.(dial.podUid, dial.podIP, dial.port) ?? {
      host: dial.podIP || '127.0.0.1',
      port: dial.port,
    };
    const socket = net.connect(target);
    this.socket = socket;
    let connected = false;
    socket.setNoDelay(true);
    socket.once('connect', () => {
      connected = true;
      this.send([frame(FrameType.DIAL_OK, this.sid)]);
    });
    socket.on('data', (d: Buffer) => {
      if (!this.out.push(0, d)) {
        socket.pause();
        void this.out.whenIdle().then(() => socket.resume());
      }
    });
    socket.once(
      'end',
      () =>
        void this.out
          .whenIdle()
          .then(() => !this.finished && this.send([frame(FrameType.EOF, this.sid, 0)])),
    );
    socket.once('error', (err: NodeJS.ErrnoException) => {
      // k8s: pkg/kubelet/cri/streaming/portforward: the kubelet's words for a refused dial.
      const why = connected
        ? `error forwarding port ${dial.port} to pod ${dial.pod}: ${err.message}`
        : `failed to connect to localhost:${dial.port} inside namespace "${dial.namespace}" of pod ${dial.pod} (${target.host}:${target.port}): ${err.code ?? err.message}`;
      this.finish([frame(connected ? FrameType.RESET : FrameType.DIAL_ERR, this.sid, 0, why)]);
    });
    socket.once('close', () => void this.out.whenIdle().then(() => this.finish([])));
  }

  private finish(frames: Frame[]): void {
    if (this.finished) return;
    this.finished = true;
    if (frames.length) this.send(frames);
    this.done(this.sid);
  }

  onFrame(f: Frame): void {
    const s = this.socket;
    switch (f.type) {
      case FrameType.DATA: {
        const n = f.payload.byteLength;
        if (!s || s.destroyed) this.send([windowFrame(this.sid, n)]);
        // Credit returns once the kernel took the bytes: a pod that stops reading stops the sender.
        else s.write(Buffer.from(f.payload), () => this.send([windowFrame(this.sid, n)]));
        break;
      }
      case FrameType.EOF:
        s?.end();
        break;
      case FrameType.WINDOW:
        this.out.grant(new DataView(f.payload.buffer, f.payload.byteOffset, 4).getUint32(0));
        break;
      case FrameType.RESET:
        this.abort();
        break;
    }
  }

  abort(): void {
    this.finished = true;
    this.socket?.destroy();
    this.done(this.sid);
  }
}
