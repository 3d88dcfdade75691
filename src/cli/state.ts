// The dev cluster's state folder: settings, the admin token, TLS material, data, and what is running.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { selfSignedCertificate, type SelfSigned } from './tls';

export interface ClusterFile {
  partitions: number;
  createdAt: string;
}

export class StateDir {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  file(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  /** Records the partition count on first start; a different count later is refused. */
  cluster(partitions: number): ClusterFile {
    const f = this.file('cluster.json');
    if (fs.existsSync(f)) {
      const c = JSON.parse(fs.readFileSync(f, 'utf8')) as ClusterFile;
      if (c.partitions !== partitions) {
        throw new Error(
          `this state folder (${this.dir}) was created with --partitions ${c.partitions}; ` +
            `starting with --partitions ${partitions} would put existing objects in the wrong shards. ` +
            `Start with --partitions ${c.partitions}, or use a new --state folder.`,
        );
      }
      return c;
    }
    const c: ClusterFile = { partitions, createdAt: new Date().toISOString() };
    fs.writeFileSync(f, JSON.stringify(c, null, 2) + '\n');
    return c;
  }

  /** A fresh random admin token per state folder, kept for later starts (never a fixed value). */
  adminToken(): string {
    return this.secret('admin-token', () => randomBytes(32).toString('base64url'));
  }

  tls(): SelfSigned {
    const cert = this.file('tls', 'server.crt');
    const key = this.file('tls', 'server.key');
    const hash = this.file('tls', 'ca-hash');
    if (fs.existsSync(cert) && fs.existsSync(key) && fs.existsSync(hash)) {
      return {
        certPem: fs.readFileSync(cert, 'utf8'),
        keyPem: fs.readFileSync(key, 'utf8'),
        caHash: fs.readFileSync(hash, 'utf8').trim(),
      };
    }
    const made = selfSignedCertificate({
      commonName: 'edgeplane-dev',
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
      days: 3650,
    });
    fs.mkdirSync(this.file('tls'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(key, made.keyPem, { mode: 0o600 });
    fs.writeFileSync(cert, made.certPem);
    fs.writeFileSync(hash, made.caHash + '\n');
    return made;
  }

  private secret(name: string, make: () => string): string {
    const f = this.file(name);
    if (fs.existsSync(f)) return fs.readFileSync(f, 'utf8').trim();
    const v = make();
    fs.writeFileSync(f, v + '\n', { mode: 0o600 });
    return v;
  }
}
