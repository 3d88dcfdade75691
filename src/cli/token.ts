// `edgeplane token create|list|revoke` and `edgeplane node revoke`: join tokens and node credentials.
import { createHash, randomInt, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import tls, { type DetailedPeerCertificate } from 'node:tls';
import type { KObject } from '../api/types';
import { isNotFound } from '../client/errors';
import type { KubeClient } from '../client/client';
import { seconds, str, type Parsed, UsageError } from './args';
import { adminClient } from './admin-client';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n: number) =>
  Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s?: string) => (s ? Buffer.from(s, 'base64').toString('utf8') : '');

/** kubeadm's discovery hash: SHA-256 of the CA certificate's SubjectPublicKeyInfo. */
export function caHash(caPem: string): string {
  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

/** The third part of a join token that tells the agent to trust the system's CA store and pin nothing. */
export const SYSTEM_TRUST = 'system';

/**
 * The key a join token pins, read from the chain the server actually presents (verified as the
 * admin's kubeconfig says: its CA, or the system's trust store). A self-signed server certificate
 * (edgeplane dev) is pinned itself; a certificate from a CA (a public one, as on Cloudflare) is
 * pinned through its issuer, the intermediate the server sends, which outlives the leaf's frequent
 * renewals. The agent finds the same certificate in the chain it is shown.
 */
export function presentedPin(
  server: string,
  verify: { caPem?: string; insecure?: boolean },
  timeoutMs = 10_000,
): Promise<string> {
  const url = new URL(server);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      servername: isIP(host) ? undefined : host,
      ca: verify.caPem,
      rejectUnauthorized: !verify.insecure,
      timeout: timeoutMs,
    });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('timeout', () =>
      fail(new Error(`no TLS handshake with ${host}:${port} within ${timeoutMs / 1000}s`)),
    );
    socket.once('error', (e) =>
      fail(new Error(`cannot read the certificate ${server} presents: ${e.message}`)),
    );
    socket.once('secureConnect', () => {
      const leaf: DetailedPeerCertificate = socket.getPeerCertificate(true);
      const issuer = leaf.issuerCertificate;
      const pinned = issuer?.raw && issuer.fingerprint256 !== leaf.fingerprint256 ? issuer : leaf;
      socket.end();
      resolve(
        createHash('sha256')
          .update(new X509Certificate(pinned.raw).publicKey.export({ type: 'spki', format: 'der' }))
          .digest('hex'),
      );
    });
  });
}

/**
 * A join token, kept as a kube-system Secret of type bootstrap.kubernetes.io/token (as kubeadm's),
 * except that only the secret's SHA-256 is stored. The string handed out is
 * `<id>.<secret>.<CA hash>`: the agent pins the server's CA to the hash before it trusts anything.
 */
export async function createJoinToken(
  client: KubeClient,
  ttlSeconds: number,
  caPem: string,
): Promise<string> {
  return issueJoinToken(client, ttlSeconds, caHash(caPem));
}

/**
 * `trust` is the pinned key's SHA-256 (hex), or SYSTEM_TRUST. `allowTakeover` lets the token join
 * under the name of a node that is still alive (the server refuses that otherwise).
 */
export async function issueJoinToken(
  client: KubeClient,
  ttlSeconds: number,
  trust: string,
  allowTakeover = false,
): Promise<string> {
  const id = rand(6);
  const secret = rand(16);
  const expiration =
    ttlSeconds > 0
      ? new Date(Date.now() + ttlSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
      : '';
  await client.create(
    'secrets',
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
      type: 'bootstrap.kubernetes.io/token',
      data: {
        'token-id': b64(id),
        'token-secret-sha256': b64(sha256(secret)),
        ...(expiration ? { expiration: b64(expiration) } : {}),
        'usage-bootstrap-authentication': b64('true'),
        ...(allowTakeover ? { 'allow-takeover': b64('true') } : {}),
      },
    } as KObject,
    { namespace: 'kube-system', fieldManager: 'edgeplane-cli' },
  );
  return `${id}.${secret}.${trust}`;
}

export async function runToken(p: Parsed): Promise<void> {
  const [, sub, arg] = p.positional;
  const api = adminClient(str(p, 'kubeconfig'));
  try {
    switch (sub) {
      case 'create': {
        const mode = str(p, 'trust', 'pin');
        if (mode !== 'pin' && mode !== SYSTEM_TRUST)
          throw new UsageError(
            '--trust takes pin (the default: the token pins the key the server presents) or system (agents trust their system CA store)',
          );
        const trust =
          mode === SYSTEM_TRUST
            ? SYSTEM_TRUST
            : await presentedPin(api.access.server, {
                caPem: api.access.caPem,
                insecure: api.access.insecure,
              });
        process.stdout.write(
          `${await issueJoinToken(api.client, seconds(p, 'ttl', 24 * 3600), trust, [true, 'true'].includes(p.flags.get('allow-takeover') ?? false))}\n`,
        );
        return;
      }
      case 'list': {
        const list = await api.client.list('secrets', {
          namespace: 'kube-system',
          fieldSelector: 'type=bootstrap.kubernetes.io/token',
        });
        const rows = list.items.map((s) => {
          const d = (s as { data?: Record<string, string> }).data ?? {};
          return [
            unb64(d['token-id']),
            unb64(d.expiration) || '<never>',
            String(s.metadata.creationTimestamp ?? ''),
          ];
        });
        process.stdout.write(
          [
            'ID      EXPIRES                CREATED',
            ...rows.map((r) => `${r[0].padEnd(8)}${r[1].padEnd(23)}${r[2]}`),
          ].join('\n') + '\n',
        );
        return;
      }
      case 'revoke': {
        const id = (arg ?? '').split('.')[0];
        if (!/^[a-z0-9]{6}$/.test(id))
          throw new UsageError('token revoke needs the token (or its 6-character id)');
        try {
          await api.client.delete('secrets', `bootstrap-token-${id}`, { namespace: 'kube-system' });
        } catch (e) {
          if (isNotFound(e)) throw new UsageError(`no join token with id ${id}`);
          throw e;
        }
        process.stdout.write(`join token ${id} revoked\n`);
        return;
      }
      default:
        throw new UsageError(
          'token needs a subcommand: create [--ttl 24h] [--trust pin|system] [--allow-takeover], list, or revoke ID',
        );
    }
  } finally {
    api.close();
  }
}

export async function runNode(p: Parsed): Promise<void> {
  const [, sub, name] = p.positional;
  if (sub !== 'revoke' || !name) throw new UsageError('usage: edgeplane node revoke NODE');
  const api = adminClient(str(p, 'kubeconfig'));
  try {
    // The server deletes the credentials and cuts the node's live tunnel (exec, attach, port-forward) at once.
    const res = await api.client.raw(
      'POST',
      `/edgeplane/v1/nodes/${encodeURIComponent(name)}/revoke`,
    );
    const { revoked } = (await res.json()) as { revoked: number };
    process.stdout.write(`node ${name}: ${revoked} credential(s) revoked, its tunnel closed\n`);
  } finally {
    api.close();
  }
}
