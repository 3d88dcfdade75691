// Whether the kernel's OOM killer killed a container, from the kernel log: podman with cgroupfs on a
// cgroup v1 host reports State.OOMKilled false for a container its memory limit killed (conmon sees
// no OOM event there). kubelet's OOM watcher (cadvisor's oomparser) reads the same kernel lines:
// "oom-kill:constraint=CONSTRAINT_MEMCG,...,oom_memcg=/libpod_parent/libpod-<id>,...".
import { execFileSync } from 'node:child_process';

const CACHE_MS = 1000;
let cached: { at: number; text: string } | undefined;

function kernelLog(): string {
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.text;
  let text = '';
  try {
    text = execFileSync('dmesg', [], { encoding: 'utf8', timeout: 2000, maxBuffer: 16 << 20 });
  } catch {
    // no dmesg, or not allowed to read the kernel log: nothing can be told from it
  }
  cached = { at: Date.now(), text };
  return text;
}

/** True when the kernel log records an OOM kill inside the container's memory cgroup. */
export function killedByKernelOom(containerId: string): boolean {
  if (!/^[0-9a-f]{12,64}$/.test(containerId)) return false;
  return kernelLog()
    .split('\n')
    .some((l) => l.includes('oom-kill:') && new RegExp(`oom_memcg=[^,]*${containerId}`).test(l));
}
