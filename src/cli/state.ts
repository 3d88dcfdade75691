// The dev cluster's state folder: settings, the admin token, TLS material, data, and what is running.
import fs from 'node:fs';
import path from 'node:path';
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import {
  issueServingCertificate,
  selfSignedCertificate,
  type SelfSigned,
  type Serving,
} from './tls';
import { ipToString, parseCidr } from '../lib/cidr';

export const DEFAULT_SERVICE_CIDR = '127.96.0.0/16';
/** The host's 127.0.0.1 as a slirp4netns (podman) pod reaches it with allow_host_loopback. */
export const SLIRP_HOST_LOOPBACK = '10.0.2.2';

/** The names the API's certificate must hold (k8s: the apiserver's default alternate names). */
export function servingNames(serviceCidr: string): { dnsNames: string[]; ips: string[] } {
  return {
    dnsNames: [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
    ],
    ips: ['127.0.0.1', ipToString(parseCidr(serviceCidr).base + 1), SLIRP_HOST_LOOPBACK],
  };
}

/** The wanted names a certificate (the first of a PEM chain) does not hold. */
export function missingNames(
  certPem: string,
  want: { dnsNames: string[]; ips: string[] },
): string[] {
  const held = new Set(
    (new X509Certificate(certPem).subjectAltName ?? '').split(', ').map((s) => s.trim()),
  );
  return [
    ...want.dnsNames.map((d) => `DNS:${d}`),
    ...want.ips.map((ip) => `IP Address:${ip}`),
  ].filter((n) => !held.has(n));
}

/**
 * Whether the first certificate of `pem` is a self-signed CA that issueServingCertificate can issue
 * under: a P-256 key (it signs ECDSA with SHA-256) and a subject that is one CN (it writes the issuer
 * from it). A self-signed certificate made elsewhere (openssl's are CAs too: RSA, a full subject)
 * would get a serving certificate that does not verify, so it is served as it is.
 */
function selfSignedCa(pem: string): boolean {
  const x = new X509Certificate(pem);
  return (
    x.ca &&
    x.checkIssued(x) &&
    x.verify(x.publicKey) &&
    x.publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1' &&
    /^CN=[^\n=+,]*$/.test(x.subject)
  );
}

/**
 * Whether a kept serving certificate can be served again: issued under `caPem`, naming `names`, and
 * its key the one certified. A pair left half written (a start stopped between the two files) or
 * unreadable is issued again rather than failing every start.
 */
function usableServing(
  serving: { chainPem: string; keyPem: string },
  caPem: string,
  names: { dnsNames: string[]; ips: string[] },
): boolean {
  try {
    return (
      serving.chainPem.endsWith(caPem) &&
      missingNames(serving.chainPem, names).length === 0 &&
      new X509Certificate(serving.chainPem).checkPrivateKey(createPrivateKey(serving.keyPem))
    );
  } catch {
    return false;
  }
}

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

  /**
   * The cluster's CA (self-signed; its key is what join tokens pin, and kubeconfigs and agents
   * trust it) and the API's serving certificate, issued by it. Besides localhost the serving
   * certificate names what in-cluster clients dial: the `kubernetes` Service's ClusterIP (the first
   * address of `serviceCidr`) and DNS names, and 10.0.2.2, the host's loopback as a podman
   * (slirp4netns) pod reaches it. A serving certificate lacking any of these (a state folder made
   * before, where the CA itself served) is issued again; the CA is kept, so kubeconfigs, join tokens
   * and agents made before keep working.
   */
  tls(serviceCidr = DEFAULT_SERVICE_CIDR): SelfSigned & { serving: Serving } {
    const cert = this.file('tls', 'server.crt');
    const key = this.file('tls', 'server.key');
    const hash = this.file('tls', 'ca-hash');
    fs.mkdirSync(this.file('tls'), { recursive: true, mode: 0o700 });
    let ca: SelfSigned;
    if (fs.existsSync(cert) && fs.existsSync(key) && fs.existsSync(hash)) {
      ca = {
        certPem: fs.readFileSync(cert, 'utf8'),
        keyPem: fs.readFileSync(key, 'utf8'),
        caHash: fs.readFileSync(hash, 'utf8').trim(),
      };
    } else {
      ca = selfSignedCertificate({
        commonName: 'edgeplane-dev',
        dnsNames: ['localhost'],
        ips: ['127.0.0.1'],
        days: 3650,
      });
      fs.writeFileSync(key, ca.keyPem, { mode: 0o600 });
      fs.writeFileSync(cert, ca.certPem);
      fs.writeFileSync(hash, ca.caHash + '\n');
    }
    // A certificate put here by hand that is not a self-signed CA (a chain from another CA, as
    // test/agent/join-public-ca.test.ts does to play a hosted API) is served as it is.
    if (!selfSignedCa(ca.certPem))
      return { ...ca, serving: { chainPem: ca.certPem, keyPem: ca.keyPem } };
    const chainFile = this.file('tls', 'serving.crt');
    const servingKey = this.file('tls', 'serving.key');
    const names = servingNames(serviceCidr);
    if (fs.existsSync(chainFile) && fs.existsSync(servingKey)) {
      const serving = {
        chainPem: fs.readFileSync(chainFile, 'utf8'),
        keyPem: fs.readFileSync(servingKey, 'utf8'),
      };
      if (usableServing(serving, ca.certPem, names)) return { ...ca, serving };
    }
    const serving = issueServingCertificate(ca, {
      commonName: 'edgeplane-api',
      ...names,
      days: 3650,
    });
    fs.writeFileSync(servingKey, serving.keyPem, { mode: 0o600 });
    fs.writeFileSync(chainFile, serving.chainPem);
    return { ...ca, serving };
  }

  private secret(name: string, make: () => string): string {
    const f = this.file(name);
    if (fs.existsSync(f)) return fs.readFileSync(f, 'utf8').trim();
    const v = make();
    fs.writeFileSync(f, v + '\n', { mode: 0o600 });
    return v;
  }
}
