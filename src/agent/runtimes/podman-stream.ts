// kubectl exec and attach for the podman/docker runtime, through the CLI: `exec -i [-t]` and
// `attach`. A TTY is a pty the agent owns around the CLI (the python3 helper), so the CLI sees a
// terminal and passes window sizes on to the container.
import type { StreamProcess, StreamRequest } from '../stream-process';
import { cliEnv, type Cli } from './podman-cli';
import { spawnStream } from './process-exec';

export function podmanExec(cli: Cli, cid: string, req: StreamRequest): StreamProcess {
  const flags = [...(req.stdin ? ['-i'] : []), ...(req.tty ? ['-t'] : [])];
  const env = cliEnv();
  if (req.tty) env.TERM = 'xterm';
  const proc = spawnStream(
    [cli.binary, ...cli.globalArgs, 'exec', ...flags, cid, ...req.command],
    { env },
    req,
  );
  // podman exec: 125 is the CLI's own failure (container gone, bad flags); the command's codes pass through.
  return {
    ...proc,
    ended: proc.ended.then((end) =>
      'exitCode' in end && end.exitCode === 125
        ? { error: `${cli.binary} exec failed in container ${cid.slice(0, 12)}` }
        : end,
    ),
  };
}

/** Attaches to the main process; detaching (the client leaving) must not stop the container. */
export function podmanAttach(cli: Cli, cid: string, req: StreamRequest): StreamProcess {
  const args = ['attach', ...(req.stdin ? [] : ['--no-stdin']), '--sig-proxy=false', cid];
  const proc = spawnStream([cli.binary, ...cli.globalArgs, ...args], { env: cliEnv() }, req);
  return { ...proc, ended: proc.ended.then(() => ({ exitCode: 0 })) };
}
