// The API's serving certificate names what in-cluster clients dial (the kubernetes Service's
// ClusterIP and DNS names, podman's 10.0.2.2) and is issued by the cluster's CA; a state folder
// made when the CA itself served keeps its CA, so clients that trust it accept the new certificate.
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { missingNames, servingNames, StateDir } from '../../src/cli/state';
import { issueServingCertificate, selfSignedCertificate } from '../../src/cli/tls';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-tls-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A TLS request to a server holding `served`, from a client trusting `trusted`, by `host`. */
async function handshake(
  served: { chainPem: string; keyPem: string },
  trusted: string,
  host: string,
): Promise<string> {
  const server = https.createServer({ cert: served.chainPem, key: served.keyPem }, (_req, res) =>
    res.end('ok'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve) => {
      const req = https.get(
        {
          host: '127.0.0.1',
          port,
          ca: trusted,
          agent: false,
          // The name checked is the one an in-cluster client dials.
          checkServerIdentity: (_h, cert) => checkServerIdentity(host, cert),
        },
        (res) => res.on('data', () => {}).on('end', () => resolve('ok')),
      );
      req.on('error', (e) => resolve(e.message));
    });
  } finally {
    server.close();
  }
}

const spki = (pem: string) =>
  createHash('sha256')
    .update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');

describe('the dev certificates', () => {
  it('serve a chain put in tls/ by hand (not a self-signed CA) as it is', () => {
    const dir = tmp();
    const root = selfSignedCertificate({ commonName: 'r', dnsNames: [], ips: [], days: 1 });
    const chain = issueServingCertificate(root, {
      commonName: 'api.example.com',
      dnsNames: ['api.example.com'],
      ips: [],
      days: 1,
    });
    fs.mkdirSync(path.join(dir, 'tls'));
    fs.writeFileSync(path.join(dir, 'tls', 'server.crt'), chain.chainPem);
    fs.writeFileSync(path.join(dir, 'tls', 'server.key'), chain.keyPem);
    fs.writeFileSync(path.join(dir, 'tls', 'ca-hash'), 'unused\n');
    const tls = new StateDir(dir).tls();
    expect(tls.serving).toEqual({ chainPem: chain.chainPem, keyPem: chain.keyPem });
    expect(fs.existsSync(path.join(dir, 'tls', 'serving.crt'))).toBe(false);
  });

  it('serve a self-signed certificate made elsewhere (RSA, a full subject) as it is', async () => {
    // openssl's self-signed certificates are CAs too, but this code issues only with a P-256 key
    // under a CN-only name: a serving certificate issued under this one would not verify.
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'tls'));
    const [crt, key] = ['server.crt', 'server.key'].map((f) => path.join(dir, 'tls', f));
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
        ...['-subj', '/O=Acme/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'],
        ...['-keyout', key, '-out', crt],
      ],
      { stdio: 'ignore' },
    );
    fs.writeFileSync(path.join(dir, 'tls', 'ca-hash'), 'unused\n');
    const own = fs.readFileSync(crt, 'utf8');
    const tls = new StateDir(dir).tls();
    expect(tls.serving.chainPem).toBe(own);
    expect(await handshake(tls.serving, own, 'localhost')).toBe('ok');
  });

  it('serve the in-cluster names from the start, under the CA', async () => {
    const tls = new StateDir(tmp()).tls('127.96.0.0/16');
    expect(missingNames(tls.serving.chainPem, servingNames('127.96.0.0/16'))).toEqual([]);
    expect(servingNames('127.96.0.0/16').ips).toContain('127.96.0.1');
    expect(servingNames('10.43.0.0/16').ips).toContain('10.43.0.1');
    for (const host of ['127.96.0.1', '10.0.2.2', 'kubernetes.default.svc', 'localhost'])
      expect(await handshake(tls.serving, tls.certPem, host)).toBe('ok');
    expect(await handshake(tls.serving, tls.certPem, '127.96.0.2')).toMatch(/IP: 127.96.0.2/);
  });

  it('issue the serving certificate again when its key does not match or a file is unreadable', async () => {
    const dir = tmp();
    const state = new StateDir(dir);
    const first = state.tls();
    const [crt, key] = ['serving.crt', 'serving.key'].map((f) => path.join(dir, 'tls', f));
    // A start stopped between writing the new key and the new certificate.
    fs.writeFileSync(
      key,
      selfSignedCertificate({ commonName: 'x', dnsNames: [], ips: [], days: 1 }).keyPem,
    );
    const second = state.tls();
    expect(second.serving.chainPem).not.toBe(first.serving.chainPem);
    expect(await handshake(second.serving, first.certPem, 'kubernetes.default.svc')).toBe('ok');
    fs.writeFileSync(crt, '-----BEGIN CERTIFICATE-----\ntruncated');
    const third = state.tls();
    expect(await handshake(third.serving, first.certPem, 'localhost')).toBe('ok');
    expect(fs.readFileSync(crt, 'utf8')).toBe(third.serving.chainPem);
  });

  it('keep an old state folder CA: its kubeconfigs and join pin still work', async () => {
    const dir = tmp();
    const old = selfSignedCertificate({
      commonName: 'edgeplane-dev',
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
      days: 3650,
    });
    fs.mkdirSync(path.join(dir, 'tls'));
    fs.writeFileSync(path.join(dir, 'tls', 'server.crt'), old.certPem);
    fs.writeFileSync(path.join(dir, 'tls', 'server.key'), old.keyPem);
    fs.writeFileSync(path.join(dir, 'tls', 'ca-hash'), old.caHash + '\n');

    const state = new StateDir(dir);
    const tls = state.tls('127.96.0.0/16');
    expect(tls.certPem).toBe(old.certPem);
    expect(tls.caHash).toBe(old.caHash);
    // The pin (the CA's key) is found in the presented chain, as an agent joining looks for it.
    const presented = tls.serving.chainPem.match(/-----BEGIN[^]+?-----END CERTIFICATE-----\n/g)!;
    expect(presented).toHaveLength(2);
    expect(spki(presented[0])).not.toBe(old.caHash.replace('sha256:', ''));
    expect(`sha256:${spki(presented[1])}`).toBe(old.caHash);
    // A client holding the old certificate as its CA accepts the new one for the in-cluster names.
    expect(await handshake(tls.serving, old.certPem, 'kubernetes.default.svc')).toBe('ok');
    expect(await handshake(tls.serving, old.certPem, '127.96.0.1')).toBe('ok');
    // Kept from then on; a new service range issues it again.
    expect(state.tls('127.96.0.0/16').serving.chainPem).toBe(tls.serving.chainPem);
    const other = state.tls('127.97.0.0/16');
    expect(other.serving.chainPem).not.toBe(tls.serving.chainPem);
    expect(await handshake(other.serving, old.certPem, '127.97.0.1')).toBe('ok');
  });
});
