// kubectl exec for the process runtime: the command runs on the host with the container's environment,
// working directory and user, in a process group of its own (killed whole when the client leaves).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { Writable } from 'node:stream';
import type { StreamEnd, StreamProcess, StreamRequest } from '../stream-process';
import { signalGroup } from './procfs';
import type { ProcessRecord } from './process-store';
import { PTY_HELPER } from './pty-helper';

/** The uid and gid the container's main process runs as, so exec runs as the same user (root agents only). */
function idsOf(pid: number | undefined): { uid?: number; gid?: number } {
  if (!pid || process.getuid?.() !== 0) return {};
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const uid = /^Uid:\s+(\d+)/m.exec(status);
    const gid = /^Gid:\s+(\d+)/m.exec(status);
    return { uid: uid ? Number(uid[1]) : undefined, gid: gid ? Number(gid[1]) : undefined };
  } catch {
    return {};
  }
}

/**
 * `onGroup` learns the exec's process group (its PID) and when it ends, so the runtime can count what
 * it uses as the container's: kubelet's exec runs inside the container's cgroup.
 */
export function spawnExec(
  rec: ProcessRecord,
  req: StreamRequest,
  onGroup?: (pgid: number, ended: Promise<unknown>) => void,
): StreamProcess {
  const env = Object.fromEntries(rec.env);
  // k8s: a TTY exec gets TERM=xterm when the container sets none (dockershim and CRI runtimes do).
  if (req.tty && !env.TERM) env.TERM = 'xterm';
  return spawnStream(
    req.command,
    { cwd: fs.existsSync(rec.cwd) ? rec.cwd : os.homedir(), env, ...idsOf(rec.pid), onGroup },
    req,
  );
}

export interface SpawnOptions {
  cwd?: string;
  env: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  /** Told the new process group and a promise that settles when it ends. */
  onGroup?: (pgid: number, ended: Promise<unknown>) => void;
}

/**
 * Runs argv with live pipes, in a process group of its own (killed whole on close). With a TTY the
 * command runs under the python3 pty helper, which applies resizes; stderr then comes through stdout.
 */
export function spawnStream(
  argv: string[],
  opts: SpawnOptions,
  req: Pick<StreamRequest, 'stdin' | 'tty'>,
): StreamProcess {
  const stdin = req.stdin ? 'pipe' : 'ignore';
  const { onGroup, ...spawnOpts } = opts;
  const base = { ...spawnOpts, detached: true };
  const child: ChildProcess = req.tty
    ? spawn('python3', ['-c', PTY_HELPER, ...argv], {
        ...base,
        stdio: [stdin, 'pipe', 'pipe', 'pipe'],
      })
    : spawn(argv[0], argv.slice(1), { ...base, stdio: [stdin, 'pipe', 'pipe'] });
  const control = req.tty ? (child.stdio[3] as Writable) : undefined;
  control?.on('error', () => undefined);
  const ended = new Promise<StreamEnd>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      const missing = err.code === 'ENOENT';
      const what = req.tty && missing ? 'python3 (needed for a TTY)' : JSON.stringify(argv[0]);
      resolve({
        error: `exec: ${what}: ${missing ? 'executable file not found in $PATH' : err.message}`,
      });
    });
    child.once('close', (code, signal) =>
      resolve({ exitCode: code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0) }),
    );
  });
  if (child.pid) onGroup?.(child.pid, ended);
  return {
    stdin: child.stdin ?? undefined,
    stdout: child.stdout!,
    // With a TTY everything comes through the pty on stdout; the helper's own stderr only says why exec failed.
    stderr: child.stderr ?? undefined,
    resize: (w, h) => control?.write(`${Math.max(0, w | 0)} ${Math.max(0, h | 0)}\n`),
    close: () => {
      if (child.pid && child.exitCode === null && child.signalCode === null)
        signalGroup(child.pid, 'SIGKILL');
    },
    ended,
  };
}
