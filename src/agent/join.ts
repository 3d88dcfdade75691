// Joining a cluster: verify the server as the join token says (a pinned key, as kubeadm pins its CA,
// or the system's trust store), then trade the token for a node credential.
// k8s: cmd/kubeadm/app/discovery/token (discovery-token-ca-cert-hash: SHA-256 of the CA's SubjectPublicKeyInfo).
import { X509Certificate, createHash } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { isIP } from 'node:net';
import path from 'node:path';
import tls, { type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { ApiStatusError, statusFromResponse } from '../client/errors';
import type { TlsOptions } from './api';

export interface JoinToken {
  id: string;
  secret: string;
  /** Lower-case hex SHA-256 of a SubjectPublicKeyInfo in the server's chain; absent under system trust. */
  caHash?: string;
  /** The token says "system": the server's chain must verify against this machine's trust store. */
  systemTrust: boolean;
}

/**
 * `<id>.<secret>.<sha256-hex>` (a pinned key) or `<id>.<secret>.system` (system trust); anything else
 * is not a join token (it may be a plain bearer credential).
 */
export function parseJoinToken(token: string): JoinToken | undefined {
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.(?:(system)|(?:sha256:)?([0-9a-fA-F]{64}))$/.exec(
    token.trim(),
  );
  if (!m) return undefined;
  return m[3]
    ? { id: m[1], secret: m[2], systemTrust: true }
    : { id: m[1], secret: m[2], caHash: m[4].toLowerCase(), systemTrust: false };
}

export function spkiSha256(certDer: Buffer): string {
  const spki = new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

function pem(der: Buffer): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

function selfSigned(der: Buffer): boolean {
  const x = new X509Certificate(der);
  return x.checkIssued(x) && x.verify(x.publicKey);
}

/** The certificate in a presented chain whose key matches the pin, if any. */
function findPinned(
  leaf: PeerCertificate | DetailedPeerCertificate | undefined,
  caHash: string,
): Buffer | undefined {
  const seen = new Set<string>();
  for (
    let c = leaf as DetailedPeerCertificate | undefined;
    c?.raw && !seen.has(c.fingerprint256);
    c = c.issuerCertificate
  ) {
    seen.add(c.fingerprint256);
    if (spkiSha256(c.raw) === caHash) return c.raw;
  }
  return undefined;
}

/** The pinned certificate (PEM) and whether it is a self-signed CA that can stand as the trust anchor. */
export async function fetchPinned(
  server: string,
  caHash: string,
  timeoutMs = 10_000,
): Promise<{ pem: string; selfSigned: boolean }> {
  const pem = await fetchPinnedCa(server, caHash, timeoutMs);
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return { pem, selfSigned: selfSigned(der) };
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
    const socket = tls.connect({
      host,
      port,
      servername: isIP(host) ? undefined : host,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('timeout', () =>
      fail(new Error(`no TLS handshake with ${host}:${port} within ${timeoutMs / 1000}s`)),
    );
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      const found = findPinned(socket.getPeerCertificate(true), caHash);
      if (found) {
        socket.end();
        resolve(pem(found));
        return;
      }
      fail(
        new Error(
          `the certificate ${server} presents does not match the CA hash in the join token (sha256:${caHash}); check the server URL and the token`,
        ),
      );
    });
  });
}

export interface JoinResult {
  nodeName: string;
  token: string;
}

/**
 * POST /edgeplane/v1/join with the bootstrap token; answers the node's own credential. With `pin`,
 * the connection's verified chain must also hold the pinned key, checked during the handshake, so
 * the token is never sent to a server that merely has some certificate the trust store accepts.
 */
export function join(
  server: string,
  token: JoinToken,
  nodeName: string,
  tlsOpts: TlsOptions,
  pin?: string,
): Promise<JoinResult> {
  const url = new URL('/edgeplane/v1/join', server);
  const body = JSON.stringify({ nodeName });
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token.id}.${token.secret}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
        ca: tlsOpts.caPem,
        rejectUnauthorized: !tlsOpts.insecureSkipVerify,
        agent: false,
        checkServerIdentity: (host, cert) => {
          const err = tls.checkServerIdentity(host, cert);
          if (err || !pin || findPinned(cert, pin)) return err;
          return new Error(
            `the certificate chain ${server} presents does not hold the key pinned in the join token (sha256:${pin}); check the server URL and the token`,
          );
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300)
            return reject(new ApiStatusError(statusFromResponse(status, text)));
          try {
            const answer = JSON.parse(text) as Partial<JoinResult>;
            if (typeof answer.token !== 'string' || !answer.token)
              throw new Error(`the join answer carries no credential: ${text.slice(0, 200)}`);
            resolve({ nodeName: answer.nodeName ?? nodeName, token: answer.token });
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`no answer to the join request from ${server} within 30s`)),
    );
    req.on('error', (e: NodeJS.ErrnoException) => reject(trustError(server, e, tlsOpts)));
    req.end(body);
  });
}

/** Says what to do when the server's chain does not verify against the trust the agent was told to use. */
function trustError(server: string, e: NodeJS.ErrnoException, tlsOpts: TlsOptions): Error {
  const code = String(e.code ?? '');
  if (tlsOpts.caPem || !/CERT|ISSUER|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return e;
  return new Error(
    `the certificate ${server} presents does not verify against this machine's trust store (${code}: ${e.message}); ` +
      'for a private CA, add it with NODE_EXTRA_CA_CERTS or pass --ca-file, or use a join token that pins the server key',
  );
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
export async function resolveCredentials(opts: {
  server: string;
  token?: string;
  nodeName: string;
  stateDir: string;
  tls: TlsOptions;
  log: (m: string) => void;
}): Promise<Credentials> {
  const credFile = path.join(opts.stateDir, 'credential');
  const caFile = path.join(opts.stateDir, 'ca.crt');
  const explicitTls = Boolean(opts.tls.caPem || opts.tls.insecureSkipVerify);
  const kept: TlsOptions =
    !explicitTls && fs.existsSync(caFile) ? { caPem: fs.readFileSync(caFile, 'utf8') } : opts.tls;
  const joinToken = opts.token ? parseJoinToken(opts.token) : undefined;
  if (opts.token && !joinToken) return { token: opts.token, tls: opts.tls };
  if (fs.existsSync(credFile))
    return { token: fs.readFileSync(credFile, 'utf8').trim(), tls: kept };
  if (!joinToken)
    throw new Error(
      `no credential: pass --token (a join token from \`edgeplane token create\`), or keep one in ${credFile}`,
    );
  let tlsOpts = opts.tls;
  let pin: string | undefined;
  if (!explicitTls && joinToken.caHash) {
    const pinned = await fetchPinned(opts.server, joinToken.caHash);
    if (pinned.selfSigned) {
      // A private CA (edgeplane dev's own certificate): it becomes the only trust anchor.
      fs.mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(caFile, pinned.pem);
      tlsOpts = { caPem: pinned.pem };
    } else {
      // A CA-issued chain (a public CA, as on Cloudflare): the system's trust store verifies it,
      // and the join itself also checks that the pinned key is in the chain.
      pin = joinToken.caHash;
      opts.log(
        `the server's chain holds the pinned key sha256:${pin}; verifying it against the system trust store`,
      );
    }
  } else if (!explicitTls) {
    opts.log(
      "the join token says system trust: verifying the server against this machine's trust store",
    );
  }
  const result = await join(opts.server, joinToken, opts.nodeName, tlsOpts, pin);
  fs.mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(credFile, result.token + '\n', { mode: 0o600 });
  opts.log(`joined the cluster as node ${result.nodeName}; credential kept in ${credFile}`);
  return { token: result.token, tls: tlsOpts };
}
