// kubectl attach for the process runtime: the main process's output from now on (tailed from its log
// file, which is where its stdout and stderr go) and, when the spec says stdin: true, its stdin pipe.
// The pipe is held by the agent: a restarted agent adopts the process but not its stdin (the process
// then reads EOF). A container with tty: true gets no terminal from this runtime.
import fs from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import type { StreamEnd, StreamProcess } from '../stream-process';
import type { ProcessRecord } from './process-store';

const POLL_MS = 50;

export interface AttachTarget {
  rec: ProcessRecord;
  /** The container's stdin pipe, when its spec asked for one and this agent started it. */
  stdin?: Writable;
  stdinOnce: boolean;
}

export function attachProcess(t: AttachTarget, wantStdin: boolean): StreamProcess {
  const stdout = new PassThrough();
  let offset = fileSize(t.rec.logPath);
  let done = false;
  let resolveEnd: (e: StreamEnd) => void = () => undefined;
  const ended = new Promise<StreamEnd>((r) => (resolveEnd = r));
  const drain = () => {
    const size = fileSize(t.rec.logPath);
    if (size < offset) offset = 0; // the runtime emptied a shipped log file
    if (size > offset) {
      const fd = fs.openSync(t.rec.logPath, 'r');
      try {
        const buf = Buffer.alloc(Math.min(size - offset, 1024 * 1024));
        const n = fs.readSync(fd, buf, 0, buf.length, offset);
        offset += n;
        stdout.write(buf.subarray(0, n));
      } finally {
        fs.closeSync(fd);
      }
    }
  };
  const finish = () => {
    if (done) return;
    done = true;
    clearInterval(timer);
    stdout.end();
    detachStdin();
    // k8s: the kubelet ends an attach with success when the container exits; kubectl run reads the exit code from the pod.
    resolveEnd({ exitCode: 0 });
  };
  const timer = setInterval(() => {
    drain();
    if (t.rec.state !== 'running') {
      drain();
      finish();
    }
  }, POLL_MS);
  // The client's stdin feeds the container's pipe; the client's EOF closes the pipe only for stdinOnce.
  let stdin: Writable | undefined;
  const detachStdin = () => {
    if (t.stdinOnce && t.stdin && !t.stdin.destroyed) t.stdin.end();
  };
  if (wantStdin && t.stdin) {
    const target = t.stdin;
    stdin = new Writable({
      write: (chunk: Buffer, _enc, cb) =>
        target.destroyed ? cb() : target.write(chunk, () => cb()),
      final: (cb) => {
        detachStdin();
        cb();
      },
    });
  }
  return {
    stdin,
    stdout,
    resize: () => undefined,
    close: () => {
      if (done) return;
      done = true;
      clearInterval(timer);
      stdout.end();
      detachStdin();
      resolveEnd({ exitCode: 0 });
    },
    ended,
  };
}

function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}
