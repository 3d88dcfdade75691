// The podman lane's prerequisites: podman, runc and a static busybox, a local busybox image, and cleanup by owner label.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PODMAN_DEFAULTS } from '../../src/agent/runtimes/podman';
import { LABEL } from '../../src/agent/runtimes/podman-inspect';
import { removeLeftovers } from '../../src/agent/runtimes/podman-leftovers';

export const BUSYBOX_IMAGE = 'localhost/edgeplane-busybox:test';
const INSTALL = 'install them with `apt-get install -y podman runc busybox-static` (.ci/run does)';

export function podman(
  args: string[],
  input?: Buffer,
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('podman', [...PODMAN_DEFAULTS.globalArgs, ...args], {
    input,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    code: r.status ?? (r.error ? 127 : 1),
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? r.error?.message ?? '',
  };
}

function busyboxPath(): string | undefined {
  return ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
}

/** An ELF executable with a PT_INTERP program header needs a dynamic loader (64-bit little-endian only). */
function hasInterpreter(file: string): boolean {
  const b = fs.readFileSync(file);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) return false;
  const phoff = Number(b.readBigUInt64LE(0x20));
  const size = b.readUInt16LE(0x36);
  const count = b.readUInt16LE(0x38);
  for (let i = 0; i < count; i++) if (b.readUInt32LE(phoff + i * size) === 3) return true;
  return false;
}

/**
 * Fails (never skips) with what to install when a prerequisite is missing. */
export function requirePodman(): void {
  const missing: string[] = [];
  const v = podman(['version', '--format', '{{.Client.Version}}']);
  if (v.code !== 0) missing.push(`podman (${v.stderr.trim().split('\n')[0] || 'not found'})`);
  if (spawnSync('runc', ['--version']).status !== 0) missing.push('runc');
  const bb = busyboxPath();
  // A dynamically linked busybox (Debian's "busybox" package) cannot run alone in an empty rootfs.
  if (!bb) missing.push('busybox-static');
  else if (hasInterpreter(bb)) missing.push(`busybox-static (${bb} is dynamically linked)`);
  if (missing.length) throw new Error(`the podman lane needs ${missing.join(', ')}: ${INSTALL}`);
}

/** `localhost/edgeplane-busybox:test`: a rootfs of busybox and its applet links, imported (no registry here). */
export function ensureBusyboxImage(): void {
  if (podman(['image', 'exists', BUSYBOX_IMAGE]).code === 0) return;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-busybox-'));
  try {
    const bb = busyboxPath()!;
    for (const d of ['bin', 'tmp', 'www', 'etc']) fs.mkdirSync(path.join(root, d));
    fs.chmodSync(path.join(root, 'tmp'), 0o1777);
    fs.copyFileSync(bb, path.join(root, 'bin', 'busybox'));
    fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
    const applets = spawnSync(bb, ['--list'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((a) => a && a !== 'busybox');
    for (const a of applets) fs.symlinkSync('busybox', path.join(root, 'bin', a));
    fs.writeFileSync(
      path.join(root, 'etc', 'passwd'),
      'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n',
    );
    fs.writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    const tar = spawnSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
    if (tar.status !== 0) throw new Error(`tar of the busybox rootfs failed: ${tar.stderr}`);
    const imported = podman(
      ['import', '--change', 'CMD ["/bin/sh"]', '--change', 'ENV PATH=/bin', '-', BUSYBOX_IMAGE],
      tar.stdout,
    );
    if (imported.code !== 0) throw new Error(`podman import failed: ${imported.stderr}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Removes every container an agent with this state folder made (the runtime's own leftover cleanup). */
export function removeOwned(stateDir: string): number {
  return removeLeftovers({ flavor: 'podman', stateDir });
}

/** Containers of one pod, by the runtime's labels: id and state. */
export function podContainers(
  stateDir: string,
  podUid: string,
): { id: string; state: string; sandbox: boolean }[] {
  const out = podman([
    'ps',
    '-a',
    '--no-trunc',
    '--filter',
    `label=${LABEL.owner}=${path.resolve(stateDir)}`,
    '--filter',
    `label=${LABEL.podUid}=${podUid}`,
    '--format',
    'json',
  ]);
  const rows = (out.stdout.trim() ? JSON.parse(out.stdout) : []) as {
    Id: string;
    State: string;
    Labels?: Record<string, string>;
  }[];
  return rows.map((r) => ({
    id: r.Id,
    state: r.State,
    sandbox: r.Labels?.[LABEL.sandbox] === 'true',
  }));
}
