// How the agents on one host share the ClusterIP listeners: SO_REUSEPORT when it works, else one owner by lock file.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

export type SharingMode = 'reusePort' | 'lock';

const listen = (server: net.Server, port: number) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, reusePort: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });

/**
 * True when two sockets really can hold one port: Node before 23.1 silently ignores `reusePort`,
 * and some platforms refuse it, so only a second bind tells.
 */
export async function probeReusePort(): Promise<boolean> {
  const first = net.createServer();
  const second = net.createServer();
  try {
    await listen(first, 0);
    await listen(second, (first.address() as net.AddressInfo).port);
    return true;
  } catch {
    return false;
  } finally {
    first.close();
    second.close();
  }
}

export const DEFAULT_LOCK_FILE = path.join(os.tmpdir(), 'edgeplane-service-proxy-clusterip.lock');

interface LockOwner {
  pid: number;
  id: string;
}

function alive(pid: number): boolean {
  if (fs.existsSync('/proc/self')) {
    try {
      // A zombie holds no sockets any more: it counts as gone.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0); // no /proc on this platform
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// A lock file younger than this may still be being written by its creator, so it is not stale yet.
const WRITE_GRACE_MS = 5000;

/**
 * The fallback: one agent per host (the lock file's owner) serves every ClusterIP. Ownership is
 * re-checked on each call, so a dead owner (its PID gone from /proc) is replaced, and of two agents
 * that raced for a stale lock only the one the file names keeps it.
 */
export class HostLock {
  /** Distinguishes proxies inside one process, which share a PID. */
  readonly id = randomUUID();

  constructor(readonly file: string = DEFAULT_LOCK_FILE) {}

  private read(): LockOwner | undefined {
    try {
      const owner = JSON.parse(fs.readFileSync(this.file, 'utf8')) as LockOwner;
      return typeof owner.pid === 'number' && typeof owner.id === 'string' ? owner : undefined;
    } catch {
      return undefined;
    }
  }

  private create(): boolean {
    try {
      fs.writeFileSync(
        this.file,
        JSON.stringify({ pid: process.pid, id: this.id } satisfies LockOwner),
        { flag: 'wx' },
      );
      return true;
    } catch {
      return false;
    }
  }

  /** True when this proxy owns the lock now (taking it if free or stale). */
  acquire(): boolean {
    if (this.create()) return true;
    const owner = this.read();
    if (owner?.id === this.id) return true;
    if (owner && alive(owner.pid)) return false;
    if (!owner && this.age() < WRITE_GRACE_MS) return false;
    // Stale (or unreadable): remove it and try once; the loser of a race sees the winner's id next time.
    fs.rmSync(this.file, { force: true });
    return this.create();
  }

  private age(): number {
    try {
      return Date.now() - fs.statSync(this.file).mtimeMs;
    } catch {
      return Infinity;
    }
  }

  release(): void {
    if (this.read()?.id === this.id) fs.rmSync(this.file, { force: true });
  }
}
