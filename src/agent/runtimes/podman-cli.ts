// Runs the podman or docker CLI (no shell): global flags first, output captured, a deadline on every call.
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The deadline passed and the command was killed. */
  timedOut?: boolean;
}

export interface CliOptions {
  timeoutMs?: number;
  /** Piped to the command's stdin (an image tarball for `import`). */
  stdin?: NodeJS.ReadableStream;
}

const OUTPUT_LIMIT = 4 * 1024 * 1024;

export class Cli {
  constructor(
    readonly binary: string,
    /** Before the subcommand: `--runtime runc --cgroup-manager cgroupfs` for podman in this sandbox. */
    readonly globalArgs: string[],
  ) {}

  /**
   * Resolves with the exit code rather than throwing; a missing binary answers code 127.
   * Each call runs in a process group of its own, so a SIGTERM to the agent's group while the
   * agent stops its containers does not cut the `stop` it is waiting for short.
   */
  run(args: string[], opts: CliOptions = {}): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = spawn(this.binary, [...this.globalArgs, ...args], {
        stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        detached: true,
        env: cliEnv(),
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout!.on('data', (b: Buffer) => {
        if (stdout.length < OUTPUT_LIMIT) stdout += b.toString();
      });
      child.stderr!.on('data', (b: Buffer) => {
        if (stderr.length < OUTPUT_LIMIT) stderr += b.toString();
      });
      if (opts.stdin) opts.stdin.pipe(child.stdin!);
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, opts.timeoutMs ?? 120_000);
      child.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({
          code: err.code === 'ENOENT' ? 127 : 126,
          stdout,
          stderr: `${this.binary}: ${err.message}`,
        });
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({
          code: code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0),
          stdout,
          stderr,
          timedOut,
        });
      });
    });
  }

  /** For the constructor's first listing only: an adopted container must be known before any pod syncs. */
  runSync(args: string[], timeoutMs = 60_000): string {
    return execFileSync(this.binary, [...this.globalArgs, ...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: OUTPUT_LIMIT,
    });
  }
}

/** The CLI needs PATH (conmon, runc, slirp4netns) and HOME; nothing else of the agent's, least of all its credentials. */
export function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of [
    'PATH',
    'HOME',
    'XDG_RUNTIME_DIR',
    'TMPDIR',
    'DOCKER_HOST',
    'CONTAINER_HOST',
    'CONTAINERS_CONF',
    'CONTAINERS_STORAGE_CONF',
    'LANG',
  ]) {
    if (process.env[k] !== undefined) env[k] = process.env[k];
  }
  return env;
}

/** The line a user needs from podman's or docker's stderr: the last `Error: ...`, else the last line. */
export function cliError(r: CliResult): string {
  if (r.timedOut) return 'the command did not finish in time';
  const lines = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const err = [...lines].reverse().find((l) => l.startsWith('Error'));
  const line = err ?? lines.at(-1) ?? `exit code ${r.code}`;
  return line.replace(/^Error( response from daemon)?:\s*/, '');
}
