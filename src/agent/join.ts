// Joining a cluster: pin the server's CA to the join token's hash (as kubeadm does), trade the token for a node credential.
// k8s: cmd/kubeadm/app/discovery/token (discovery-token-ca-cert-hash: SHA-256 of the CA's SubjectPublicKeyInfo).
import { X509Certificate, createHash } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import tls, { type DetailedPeerCertificate } from 'node:tls';
import { ApiStatusError, statusFromResponse } from '../client/errors';
import { httpsTransport, type TlsOptions } from './api';

export interface JoinToken {
  id: string;
  secret: string;
  /** Lower-case hex SHA-256 of the CA's SubjectPublicKeyInfo. */
  caHash: string;
}

/** `<id>.<secret>.<ca-sha256-hex>`; anything else is not a join token (it may be a plain bearer credential). */
export function parseJoinToken(token: string): JoinToken | undefined {
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.(?:sha256:)?([0-9a-fA-F]{64})$/.exec(token.trim());
  return m ? { id: m[1], secret: m[2], caHash: m[3].toLowerCase() } : undefined;
}

export function spkiSha256(certDer: Buffer): string {
  const spki = new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

function pem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/**
 * Reads the certificate chain the server presents without trusting it, and answers the PEM of the
 * certificate whose public key matches the pin. Every later connection then verifies the server
 * against that CA the ordinary way, so nothing is ever sent over the unverified connection.
 */
export function fetchPinnedCa(server: string, caHash: string, timeoutMs = 10_000): Promise<string> {
  const url = new URL(server);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false, timeout: timeoutMs });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('timeout', () => fail(new Error(`no TLS handshake with ${host}:${port} within ${timeoutMs / 1000}s`)));
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      const seen = new Set<string>();
      for (let c: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true); c?.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
        seen.add(c.fingerprint256);
        if (spkiSha256(c.raw) === caHash) {
          socket.end();
          resolve(pem(c.raw));
          return;
        }
      }
      fail(new Error(`the certificate ${server} presents does not match the CA hash in the join token (sha256:${caHash}); check the server URL and the token`));
    });
  });
}

export interface JoinResult {
  nodeName: string;
  token: string;
}

/** POST /edgeplane/v1/join with the bootstrap token; answers the node's own credential. */
export async function join(server: string, token: JoinToken, nodeName: string, tlsOpts: TlsOptions): Promise<JoinResult> {
  const transport = httpsTransport(tlsOpts);
  try {
    const url = new URL('/edgeplane/v1/join', server);
    const res = await transport(
      new Request(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token.id}.${token.secret}`, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ nodeName }),
      }),
    );
    const text = await res.text();
    if (!res.ok) throw new ApiStatusError(statusFromResponse(res.status, text));
    const body = JSON.parse(text) as Partial<JoinResult>;
    if (typeof body.token !== 'string' || !body.token) throw new Error(`the join answer carries no credential: ${text.slice(0, 200)}`);
    return { nodeName: body.nodeName ?? nodeName, token: body.token };
  } finally {
    transport.close();
  }
}

export interface Credentials {
  token: string;
  tls: TlsOptions;
}

/**
 * The credential the agent uses: a plain bearer token as given; otherwise the node credential
 * kept in <state>/credential from an earlier join; otherwise a join with the join token now.
 * A pinned CA is kept in <state>/ca.crt and used whenever no --ca-file or skip-verify is given.
 */
export async function resolveCredentials(opts: { server: string; token?: string; nodeName: string; stateDir: string; tls: TlsOptions; log: (m: string) => void }): Promise<Credentials> {
  const credFile = path.join(opts.stateDir, 'credential');
  const caFile = path.join(opts.stateDir, 'ca.crt');
  const explicitTls = Boolean(opts.tls.caPem || opts.tls.insecureSkipVerify);
  const kept: TlsOptions = !explicitTls && fs.existsSync(caFile) ? { caPem: fs.readFileSync(caFile, 'utf8') } : opts.tls;
  const joinToken = opts.token ? parseJoinToken(opts.token) : undefined;
  if (opts.token && !joinToken) return { token: opts.token, tls: opts.tls };
  if (fs.existsSync(credFile)) return { token: fs.readFileSync(credFile, 'utf8').trim(), tls: kept };
  if (!joinToken) throw new Error(`no credential: pass --token (a join token from \`edgeplane token create\`), or keep one in ${credFile}`);
  let tlsOpts = opts.tls;
  if (!explicitTls) {
    const caPem = await fetchPinnedCa(opts.server, joinToken.caHash);
    fs.mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(caFile, caPem);
    tlsOpts = { caPem };
  }
  const result = await join(opts.server, joinToken, opts.nodeName, tlsOpts);
  fs.mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(credFile, result.token + '\n', { mode: 0o600 });
  opts.log(`joined the cluster as node ${result.nodeName}; credential kept in ${credFile}`);
  return { token: result.token, tls: tlsOpts };
}
