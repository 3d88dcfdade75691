// removeLeftovers (what `edgeplane dev` and the lane's cleanup use) against a container whose
// `podman stop` was killed mid-wait: podman leaves it "stopping", where `rm -f` alone drops the
// record but leaves conmon and the process running.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeLeftovers } from '../../src/agent/runtimes/podman-leftovers';
import { LABEL } from '../../src/agent/runtimes/podman-inspect';
import { PODMAN_DEFAULTS } from '../../src/agent/runtimes/podman';
import { eventually } from '../agent/helpers';
import { BUSYBOX_IMAGE, ensureBusyboxImage, podman, requirePodman } from './setup';

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-leftovers-'));

/** PIDs whose command line mentions `text` (conmon names its container's ID). */
function processesWith(text: string): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(text)) out.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

afterAll(() => {
  removeLeftovers({ flavor: 'podman', stateDir });
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe('podman leftovers', () => {
  it('removes a container left stopping by a killed podman stop, process and all', async () => {
    requirePodman();
    ensureBusyboxImage();
    // httpd as PID 1 ignores SIGTERM, so `podman stop` waits out its timeout, as the lane's pods do.
    const run = podman([
      'run',
      '-d',
      '--label',
      `${LABEL.owner}=${path.resolve(stateDir)}`,
      ...PODMAN_DEFAULTS.runArgs,
      '--network',
      'none',
      '--pull',
      'never',
      BUSYBOX_IMAGE,
      'sh',
      '-c',
      'exec httpd -f -p 18097',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const cid = run.stdout.trim();
    const stop = spawn('podman', [...PODMAN_DEFAULTS.globalArgs, 'stop', '-t', '30', cid], {
      stdio: 'ignore',
    });
    await eventually(
      'the container stopping',
      async () =>
        podman(['inspect', '--format', '{{.State.Status}}', cid]).stdout.trim() === 'stopping',
    );
    stop.kill('SIGKILL');
    await new Promise((r) => stop.once('exit', r));
    expect(processesWith(cid).length).toBeGreaterThan(0);

    expect(removeLeftovers({ flavor: 'podman', stateDir })).toBe(1);
    expect(podman(['ps', '-a', '-q', '--filter', `id=${cid}`]).stdout.trim()).toBe('');
    await eventually(
      'conmon and the container process gone',
      async () => (processesWith(cid).length === 0 ? true : undefined),
      5000,
    );
  });
});
