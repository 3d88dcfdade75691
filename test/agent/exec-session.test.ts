// One exec on the agent: stdin that arrives while the runtime is still starting the process is kept
// and delivered in order; output goes out within credit; the exit Status ends the session.
import { describe, expect, it } from 'vitest';
import { ExecSession } from '../../src/agent/tunnel/exec-session';
import { fakeShell } from '../../src/agent/runtimes/fake-shell';
import { FakeRuntime } from '../../src/agent/runtimes/fake';
import { frame, FrameType, type Frame } from '../../src/tunnel/frames';
import type { StreamRequest } from '../../src/agent/stream-process';

describe('agent exec session', () => {
  it('keeps stdin that arrives before the process started', async () => {
    // A runtime that takes 50 ms to start the command (podman's CLI, a slow disk).
    const runtime = Object.assign(new FakeRuntime(), {
      execStream: async (_uid: string, req: StreamRequest) => {
        await new Promise((r) => setTimeout(r, 50));
        return fakeShell(req, {});
      },
    });
    const sent: Frame[] = [];
    let done = false;
    const s = new ExecSession(
      9,
      {
        kind: 'exec',
        namespace: 'd',
        pod: 'p',
        podUid: 'u',
        container: 'c',
        command: ['cat'],
        stdin: true,
        stdout: true,
        stderr: true,
        tty: false,
      },
      runtime,
      (f) => sent.push(...f),
      () => (done = true),
    );
    const started = s.start();
    s.onFrame(frame(FrameType.DATA, 9, 0, 'early '));
    s.onFrame(frame(FrameType.DATA, 9, 0, 'bytes'));
    s.onFrame(frame(FrameType.EOF, 9, 0));
    await started;
    const out = sent
      .filter((f) => f.type === FrameType.DATA && f.chan === 1)
      .map((f) => new TextDecoder().decode(f.payload))
      .join('');
    expect(out).toBe('early bytes');
    const exit = sent.find((f) => f.type === FrameType.EXIT)!;
    expect(JSON.parse(new TextDecoder().decode(exit.payload))).toEqual({
      metadata: {},
      status: 'Success',
    });
    expect(done).toBe(true);
  }, 5_000);
});
