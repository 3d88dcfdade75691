// The process runtime's records on disk: one JSON file per container instance, so a restarted agent adopts them.
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerInstance } from '../runtime';

export interface ProcessRecord extends ContainerInstance {
  podUid: string;
  namespace: string;
  podName: string;
  pid?: number;
  startTicks?: string;
  logPath: string;
  /** For exec probes after an adoption: the container's environment and directory (the file is 0600). */
  env: [string, string][];
  cwd: string;
  graceSeconds: number;
}

export class ProcessStore {
  constructor(readonly dir: string) {
    fs.mkdirSync(path.join(dir, 'pods'), { recursive: true, mode: 0o700 });
  }

  podDir(uid: string): string {
    return path.join(this.dir, 'pods', uid);
  }

  private file(rec: { podUid: string; id: string }): string {
    return path.join(
      this.podDir(rec.podUid),
      'containers',
      `${rec.id.replace(/^process:\/\//, '')}.json`,
    );
  }

  save(rec: ProcessRecord): void {
    const f = this.file(rec);
    fs.mkdirSync(path.dirname(f), { recursive: true, mode: 0o700 });
    // Written aside then renamed, so a crash never leaves half a record.
    fs.writeFileSync(`${f}.tmp`, JSON.stringify(rec), { mode: 0o600 });
    fs.renameSync(`${f}.tmp`, f);
  }

  drop(rec: ProcessRecord): void {
    fs.rmSync(this.file(rec), { force: true });
    fs.rmSync(rec.logPath, { force: true });
  }

  removePod(uid: string): void {
    fs.rmSync(this.podDir(uid), { recursive: true, force: true });
  }

  loadAll(): ProcessRecord[] {
    const out: ProcessRecord[] = [];
    const pods = path.join(this.dir, 'pods');
    for (const uid of fs.readdirSync(pods)) {
      const dir = path.join(pods, uid, 'containers');
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir)) {
        if (!f.endsWith('.json')) continue;
        try {
          out.push(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as ProcessRecord);
        } catch {
          // a record we cannot read describes nothing we can adopt
        }
      }
    }
    return out;
  }
}
