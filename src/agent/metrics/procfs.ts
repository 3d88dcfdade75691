// CPU time and resident memory from /proc: per process group (a process-runtime container) and for the machine.
import fs from 'node:fs';
import os from 'node:os';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux ABI Node runs on. */
const CLOCK_TICKS = 100;
const PAGE_SIZE = 4096;
const NS_PER_TICK = 1e9 / CLOCK_TICKS;

export interface ProcessUsage {
  pid: number;
  pgid: number;
  /** utime + stime of the live process, in nanoseconds. */
  cpuNs: number;
  rssBytes: number;
}

/** One pass over /proc: every live process's group, CPU time and RSS. */
export function scanProcesses(): ProcessUsage[] {
  const out: ProcessUsage[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let raw: string;
    try {
      raw = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone between the listing and the read
    }
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    if (f[0] === 'Z') continue;
    out.push({
      pid: Number(entry),
      pgid: Number(f[2]),
      cpuNs: (Number(f[11]) + Number(f[12])) * NS_PER_TICK,
      rssBytes: Number(f[21]) * PAGE_SIZE,
    });
  }
  return out;
}

export interface MachineUsage {
  /** Busy CPU time of all cores since boot, in nanoseconds. */
  cpuNs: number;
  /** MemTotal − MemAvailable, as `free` counts used memory. */
  memoryBytes: number;
}

export function machineUsage(): MachineUsage {
  let cpuNs = 0;
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    // cpu user nice system idle iowait irq softirq steal ...
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = v.reduce((a, b) => a + b, 0) - (v[3] ?? 0) - (v[4] ?? 0);
    cpuNs = busy * NS_PER_TICK;
  } catch {
    cpuNs = os.cpus().reduce((a, c) => a + c.times.user + c.times.sys + c.times.irq, 0) * 1e6;
  }
  let memoryBytes = os.totalmem() - os.freemem();
  try {
    const info = fs.readFileSync('/proc/meminfo', 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
    const used = (kb('MemTotal') - kb('MemAvailable')) * 1024;
    if (Number.isFinite(used)) memoryBytes = used;
  } catch {
    // no /proc/meminfo: os's figure (free memory, not available) stands
  }
  return { cpuNs, memoryBytes };
}
