// `edgeplane user create|list|revoke`: bearer tokens for people who are not cluster-admin. Each is a
// kube-system Secret (type edgeplane.dev/user-token) holding only the token's SHA-256, the user's
// name and groups; RBAC bindings to that name or those groups decide what the user may do.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { KObject } from '../api/types';
import { adminClient } from './admin-client';
import { parseArgs, seconds, str, UsageError } from './args';
import { kubeconfigYaml } from './kubeconfig';

export const USER_TOKEN_TYPE = 'edgeplane.dev/user-token';
const PREFIX = 'ep-user.';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s?: string) => (s ? Buffer.from(s, 'base64').toString('utf8') : '');

const USAGE =
  'usage: edgeplane user create NAME [--group G]... [--ttl 720h] [--out FILE] | list | revoke NAME';

/** `--group a --group b` and `--group a,b` both give [a, b]; the other flags parse as usual. */
function splitGroups(argv: string[]): { groups: string[]; rest: string[] } {
  const groups: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--group' && i + 1 < argv.length) groups.push(...argv[++i].split(','));
    else if (a.startsWith('--group=')) groups.push(...a.slice('--group='.length).split(','));
    else rest.push(a);
  }
  return { groups: groups.map((g) => g.trim()).filter(Boolean), rest };
}

function checkName(what: string, v: string): void {
  if (!v) throw new UsageError(`${what} may not be empty`);
  // system: names and groups are the cluster's own identities (system:masters is cluster-admin).
  if (v.startsWith('system:'))
    throw new UsageError(`${what} ${JSON.stringify(v)}: names under system: are reserved`);
  if (v.includes(',')) throw new UsageError(`${what} ${JSON.stringify(v)} may not contain a comma`);
}

export function newUserToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export function userTokenSecret(
  name: string,
  groups: string[],
  token: string,
  ttlSeconds: number,
): KObject {
  const hash = createHash('sha256').update(token).digest('hex');
  const expiration =
    ttlSeconds > 0
      ? new Date(Date.now() + ttlSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
      : '';
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `user-token-${hash.slice(0, 32)}`,
      namespace: 'kube-system',
      annotations: { 'edgeplane.dev/user': name },
    },
    type: USER_TOKEN_TYPE,
    data: {
      user: b64(name),
      groups: b64(groups.join(',')),
      'token-sha256': b64(hash),
      ...(expiration ? { expiration: b64(expiration) } : {}),
    },
  } as KObject;
}

export async function runUser(argv: string[]): Promise<void> {
  const { groups, rest } = splitGroups(argv);
  const p = parseArgs(rest);
  const [, sub, name] = p.positional;
  const api = adminClient(str(p, 'kubeconfig'));
  try {
    const tokens = async () =>
      (
        await api.client.list('secrets', {
          namespace: 'kube-system',
          fieldSelector: `type=${USER_TOKEN_TYPE}`,
        })
      ).items as (KObject & { data?: Record<string, string> })[];
    switch (sub) {
      case 'create': {
        checkName('user name', name ?? '');
        for (const g of groups) checkName('group', g);
        const token = newUserToken();
        await api.client.create(
          'secrets',
          userTokenSecret(name, groups, token, seconds(p, 'ttl', 0)),
          { namespace: 'kube-system', fieldManager: 'edgeplane-cli' },
        );
        const yaml = kubeconfigYaml({
          server: api.access.server,
          token,
          caPem: api.access.caPem,
          userName: name,
        });
        const out = str(p, 'out');
        if (out) {
          fs.writeFileSync(out, yaml, { mode: 0o600 });
          process.stdout.write(`kubeconfig for user ${name} written to ${out}\n`);
        } else process.stdout.write(yaml);
        return;
      }
      case 'list': {
        const rows = (await tokens()).map((s) => [
          unb64(s.data?.user),
          unb64(s.data?.groups) || '<none>',
          unb64(s.data?.expiration) || '<never>',
          String(s.metadata.creationTimestamp ?? ''),
        ]);
        const w = Math.max(6, ...rows.map((r) => r[0].length + 2));
        const g = Math.max(8, ...rows.map((r) => r[1].length + 2));
        process.stdout.write(
          [
            `${'NAME'.padEnd(w)}${'GROUPS'.padEnd(g)}${'EXPIRES'.padEnd(23)}CREATED`,
            ...rows.map((r) => `${r[0].padEnd(w)}${r[1].padEnd(g)}${r[2].padEnd(23)}${r[3]}`),
          ].join('\n') + '\n',
        );
        return;
      }
      case 'revoke': {
        if (!name) throw new UsageError(USAGE);
        let n = 0;
        for (const s of await tokens()) {
          if (unb64(s.data?.user) !== name) continue;
          await api.client.delete('secrets', s.metadata.name!, { namespace: 'kube-system' });
          n++;
        }
        if (n === 0) throw new UsageError(`no token for user ${name}`);
        process.stdout.write(`user ${name}: ${n} token(s) revoked\n`);
        return;
      }
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    api.close();
  }
}
