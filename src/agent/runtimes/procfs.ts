// Linux /proc facts the process runtime relies on: is a PID still the process we started, does its group live.
import fs from 'node:fs';

interface Stat {
  state: string;
  pgid: number;
  /** Clock ticks after boot when the process started: with the PID, unique for the machine's uptime. */
  startTicks: string;
}

export function procStat(pid: number): Stat | undefined {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], pgid: Number(f[2]), startTicks: f[19] };
  } catch {
    return undefined;
  }
}

/** True when `pid` runs (not a zombie) and is the same process that started at `startTicks`. */
export function isSameProcess(pid: number, startTicks: string): boolean {
  const s = procStat(pid);
  return s !== undefined && s.state !== 'Z' && s.startTicks === startTicks;
}

/** True while any process of the group is alive (a zombie the kernel still lists counts as gone). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  // kill(0) also succeeds for a group whose only member is an unreaped zombie.
  const leader = procStat(pgid);
  if (leader && leader.state !== 'Z') return true;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = procStat(Number(entry));
    if (s && s.pgid === pgid && s.state !== 'Z') return true;
  }
  return false;
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone already
  }
}
