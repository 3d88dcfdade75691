// Tracks the processes a dev cluster starts, so a later start can stop what a SIGKILLed run left.
import fs from 'node:fs';

interface RunRecord {
  pid: number;
  /** The dev process's own command line, to tell it apart from a recycled PID. */
  cmd?: string;
  children: { pid: number; cmd: string }[];
}

function cmdline(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Direct and indirect children of `pid`, read from /proc (Linux). */
export function descendants(pid: number): { pid: number; cmd: string }[] {
  const byParent = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  const walk = (p: number) => {
    for (const c of byParent.get(p) ?? []) {
      out.push({ pid: c, cmd: cmdline(c) ?? '' });
      walk(c);
    }
  };
  walk(pid);
  return out;
}

export function recordRun(file: string, children: { pid: number; cmd: string }[]): void {
  const rec: RunRecord = { pid: process.pid, cmd: cmdline(process.pid), children };
  fs.writeFileSync(file, JSON.stringify(rec, null, 2) + '\n');
}

/**
 * Stops what a previous run recorded, by PID, and only when the PID still runs the same command
 * (a recycled PID belongs to someone else). Returns how many processes were stopped.
 */
export function stopLeftovers(file: string): number {
  if (!fs.existsSync(file)) return 0;
  let rec: RunRecord;
  try {
    rec = JSON.parse(fs.readFileSync(file, 'utf8')) as RunRecord;
  } catch {
    fs.rmSync(file, { force: true });
    return 0;
  }
  if (
    rec.pid !== process.pid &&
    alive(rec.pid) &&
    rec.cmd !== undefined &&
    cmdline(rec.pid) === rec.cmd
  ) {
    throw new Error(
      `another edgeplane dev (pid ${rec.pid}) is using this state folder; stop it first`,
    );
  }
  let stopped = 0;
  for (const c of rec.children) {
    if (alive(c.pid) && cmdline(c.pid) === c.cmd) {
      try {
        process.kill(c.pid, 'SIGKILL');
        stopped++;
      } catch {
        // already gone
      }
    }
  }
  fs.rmSync(file, { force: true });
  return stopped;
}
