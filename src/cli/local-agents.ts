// The local nodes of `edgeplane dev`: N agent processes on 127.0.0.2, 127.0.0.3, ..., joined with a
// join token exactly as a remote machine joins, each with its own state folder and log file.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './bundle';
import { ProcessStore } from '../agent/runtimes/process-store';
import { isSameProcess } from '../agent/runtimes/procfs';
import { removeLeftovers } from '../agent/runtimes/podman-leftovers';

export interface LocalAgent {
  name: string;
  address: string;
  child: ChildProcess;
  ready: Promise<void>;
}

export interface LocalAgentsOptions {
  count: number;
  runtime: string;
  server: string;
  joinToken: string;
  stateDir: string;
  log: (m: string) => void;
}

export const agentName = (i: number) => `node-${i + 1}`;
/** Slot 2 upwards: 127.0.0.1 is the control plane's own address. */
export const agentAddress = (i: number) => `127.0.0.${i + 2}`;

export function startLocalAgents(opts: LocalAgentsOptions): LocalAgent[] {
  const loader = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const entry = path.join(ROOT, 'src', 'cli', 'main.ts');
  const agents: LocalAgent[] = [];
  for (let i = 0; i < opts.count; i++) {
    const name = agentName(i);
    const address = agentAddress(i);
    const dir = path.join(opts.stateDir, 'agents', name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const out = fs.openSync(path.join(opts.stateDir, 'agents', `${name}.log`), 'a');
    // Agents stay in dev's process group, so a SIGKILL of the group takes them too; their
    // containers run in groups of their own and are adopted (or cleaned up) on the next start.
    const child = spawn(
      process.execPath,
      [
        '--import',
        loader,
        entry,
        'agent',
        '--server',
        opts.server,
        '--name',
        name,
        '--address',
        address,
        '--runtime',
        opts.runtime,
        '--state',
        dir,
        '--stop-pods-on-exit',
      ],
      {
        stdio: ['ignore', 'pipe', out],
        // The join token goes in the environment, not on the command line that `ps` shows everyone.
        env: { ...process.env, EDGEPLANE_AGENT_LOCAL: '1', EDGEPLANE_AGENT_TOKEN: opts.joinToken },
      },
    );
    const ready = new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        fs.writeSync(out, d);
        buf += d.toString();
        if (buf.includes('ready')) resolve();
      });
      child.once('exit', (code) =>
        reject(
          new Error(
            `agent ${name} exited with code ${code}; see ${path.join(opts.stateDir, 'agents', `${name}.log`)}`,
          ),
        ),
      );
    });
    agents.push({ name, address, child, ready });
  }
  return agents;
}

export async function stopLocalAgents(agents: LocalAgent[], graceMs = 35_000): Promise<void> {
  await Promise.all(
    agents.map(
      (a) =>
        new Promise<void>((resolve) => {
          if (a.child.exitCode !== null || a.child.signalCode !== null) return resolve();
          const timer = setTimeout(() => a.child.kill('SIGKILL'), graceMs);
          a.child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          a.child.kill('SIGTERM');
        }),
    ),
  );
}

/**
 * Containers of local nodes that this start will not run again (fewer --agents than last time)
 * are stopped from their records; the nodes that do start adopt theirs.
 */
export function stopOrphanedContainers(stateDir: string, keep: number): number {
  const root = path.join(stateDir, 'agents');
  if (!fs.existsSync(root)) return 0;
  let stopped = 0;
  for (const entry of fs.readdirSync(root)) {
    const m = /^node-(\d+)$/.exec(entry);
    if (!m || Number(m[1]) <= keep) continue;
    try {
      stopped += removeLeftovers({ flavor: 'podman', stateDir: path.join(root, entry) });
    } catch {
      // no podman on this machine: that node never ran podman containers
    }
    const store = new ProcessStore(path.join(root, entry, 'process'));
    for (const rec of store.loadAll()) {
      if (!rec.pid || (rec.startTicks && !isSameProcess(rec.pid, rec.startTicks))) {
        store.drop(rec);
        continue;
      }
      try {
        // Each container runs in its own process group, led by its recorded PID.
        process.kill(-rec.pid, 'SIGKILL');
        stopped++;
      } catch {
        // already gone
      }
      store.drop(rec);
    }
  }
  return stopped;
}
