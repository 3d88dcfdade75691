// The fake runtime's exec: a tiny shell that lets simulated nodes exercise the streaming path.
import { describe, expect, it } from 'vitest';
import { fakeShell } from '../../src/agent/runtimes/fake-shell';
import type { StreamProcess } from '../../src/agent/stream-process';

async function run(
  command: string[],
  input?: string,
): Promise<{ out: string; err: string; end: unknown }> {
  const p: StreamProcess = fakeShell(
    { container: 'c', command, stdin: input !== undefined, tty: false },
    { HOSTNAME: 'pod-1' },
  );
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  if (input !== undefined) p.stdin!.end(input);
  const end = await p.ended;
  return { out, err, end };
}

describe('fake shell', () => {
  it('echo, env and exit codes', async () => {
    expect(await run(['echo', 'hi', 'there'])).toMatchObject({
      out: 'hi there\n',
      end: { exitCode: 0 },
    });
    expect((await run(['env'])).out).toContain('HOSTNAME=pod-1\n');
    expect((await run(['sh', '-c', 'echo a; exit 3; echo b'])).end).toEqual({ exitCode: 3 });
    expect(await run(['nope'])).toMatchObject({
      err: 'sh: nope: not found\n',
      end: { exitCode: 127 },
    });
  });

  it('cat copies stdin until it closes; a bare sh reads commands from stdin', async () => {
    expect(await run(['cat'], 'line 1\nline 2\n')).toMatchObject({
      out: 'line 1\nline 2\n',
      end: { exitCode: 0 },
    });
    expect(await run(['sh'], 'echo one\necho two\nexit 4\necho never\n')).toMatchObject({
      out: 'one\ntwo\n',
      end: { exitCode: 4 },
    });
  });
});
