// The fake runtime's exec: a tiny built-in shell, so simulated nodes can exercise the whole streaming
// path (tests and `npm run bench -- stream`) with no process behind it.
// Builtins: echo ARGS, cat (copies stdin to stdout until EOF), env, exit N, true, false; and
// `sh -c 'a; b'` runs its script, bare `sh` reads commands from stdin line by line.
import { PassThrough } from 'node:stream';
import type { StreamEnd, StreamProcess, StreamRequest } from '../stream-process';

type Line = string[];

/** Splits a command line into words: whitespace separated, with '...' and "..." quoting. */
export function words(line: string): Line {
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

export function fakeShell(req: StreamRequest, env: Record<string, string>): StreamProcess {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let resolveEnd: (e: StreamEnd) => void = () => undefined;
  const ended = new Promise<StreamEnd>((r) => (resolveEnd = r));
  let closed = false;
  const finish = (code: number) => {
    if (closed) return;
    closed = true;
    stdout.end();
    stderr.end();
    resolveEnd({ exitCode: code });
  };
  const lines = stdinLines(stdin);

  /** Runs one command; answers its exit code, or 'exit' with a code. */
  const run = async (argv: Line): Promise<{ code: number; exit?: boolean }> => {
    const [cmd, ...args] = argv;
    switch (cmd) {
      case undefined:
        return { code: 0 };
      case 'echo':
        stdout.write(args.join(' ') + '\n');
        return { code: 0 };
      case 'true':
        return { code: 0 };
      case 'false':
        return { code: 1 };
      case 'env':
        for (const [k, v] of Object.entries(env)) stdout.write(`${k}=${v}\n`);
        return { code: 0 };
      case 'exit':
        return { code: Number(args[0] ?? 0) & 255, exit: true };
      case 'cat':
        for await (const chunk of lines.raw())
          if (!stdout.write(chunk)) await new Promise((r) => stdout.once('drain', r));
        return { code: 0 };
      case 'sh':
      case '/bin/sh': {
        if (args[0] === '-c') return script(args[1] ?? '');
        let code = 0;
        for await (const line of lines.lines()) {
          const r = await script(line);
          code = r.code;
          if (r.exit) return { code };
        }
        return { code };
      }
      default:
        stderr.write(`sh: ${cmd}: not found\n`);
        return { code: 127 };
    }
  };
  const script = async (text: string): Promise<{ code: number; exit?: boolean }> => {
    let code = 0;
    for (const part of text.split(/;|\n/)) {
      const r = await run(words(part));
      code = r.code;
      if (r.exit) return { code, exit: true };
    }
    return { code };
  };
  void run(req.command).then(
    (r) => finish(r.code),
    () => finish(1),
  );
  return {
    stdin: req.stdin ? stdin : undefined,
    stdout,
    stderr: req.tty ? undefined : stderr,
    resize: () => undefined,
    close: () => finish(137),
    ended,
  };
}

/** One reader over stdin, shared by `cat` (raw chunks) and an interactive `sh` (lines). */
function stdinLines(stdin: PassThrough) {
  let buffered = '';
  return {
    async *raw(): AsyncGenerator<Buffer> {
      if (buffered) {
        const b = Buffer.from(buffered);
        buffered = '';
        yield b;
      }
      for await (const chunk of stdin) yield chunk as Buffer;
    },
    async *lines(): AsyncGenerator<string> {
      for await (const chunk of stdin) {
        buffered += (chunk as Buffer).toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          yield line;
        }
      }
      if (buffered) yield buffered;
    },
  };
}
