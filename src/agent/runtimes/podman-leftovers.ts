// Containers a podman/docker agent left behind (a local node `edgeplane dev` will not start again): removed by owner label.
import path from 'node:path';
import { Cli } from './podman-cli';
import { LABEL } from './podman-inspect';
import { PODMAN_DEFAULTS, type PodmanFlavor } from './podman';

export interface LeftoverOptions {
  flavor: PodmanFlavor;
  /** The agent's state folder: its containers carry it as their owner label. */
  stateDir: string;
  binary?: string;
  globalArgs?: string[];
}

/** Removes them (containers before the sandboxes they depend on); answers how many there were. */
export function removeLeftovers(opts: LeftoverOptions): number {
  const cli = new Cli(
    opts.binary ?? opts.flavor,
    opts.globalArgs ?? (opts.flavor === 'podman' ? PODMAN_DEFAULTS.globalArgs : []),
  );
  const owner = `label=${LABEL.owner}=${path.resolve(opts.stateDir)}`;
  const ids = (...filters: string[]) =>
    cli
      .runSync(['ps', '-a', '-q', '--no-trunc', ...filters.flatMap((f) => ['--filter', f])])
      .split('\n')
      .filter(Boolean);
  const all = ids(owner);
  const sandboxes = new Set(ids(owner, `label=${LABEL.sandbox}=true`));
  const apps = all.filter((id) => !sandboxes.has(id));
  // A container whose `podman stop` was killed mid-wait (an agent SIGKILLed during its grace
  // period) stays "stopping", and `rm -f` of it drops the record but leaves conmon and the
  // process running. So whatever still runs is killed first, apps before sandboxes.
  const states = new Map(
    cli
      .runSync(['ps', '-a', '--no-trunc', '--filter', owner, '--format', '{{.ID}} {{.State}}'])
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ') as [string, string]),
  );
  const running = (id: string) => !/^(exited|created|configured|dead)/i.test(states.get(id) ?? '');
  for (const id of [...apps, ...sandboxes].filter(running)) {
    try {
      cli.runSync(['kill', '-s', 'KILL', id], 60_000);
    } catch {
      // Gone or exited meanwhile: rm below deals with it either way.
    }
  }
  // Nobody waits for these: podman's rm -f would first wait out each container's stop timeout; docker's kills at once.
  const rm = opts.flavor === 'podman' ? ['rm', '-f', '-t', '0'] : ['rm', '-f'];
  if (apps.length) cli.runSync([...rm, ...apps], 120_000);
  if (sandboxes.size) cli.runSync([...rm, ...sandboxes], 120_000);
  return all.length;
}
