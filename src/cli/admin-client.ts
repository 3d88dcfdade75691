// An admin API client from a kubeconfig (--kubeconfig, $KUBECONFIG, or .edgeplane/kubeconfig).
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createApi, type AgentApi } from '../agent/api';
import { UsageError } from './args';

export interface ClusterAccess {
  server: string;
  token: string;
  caPem?: string;
  insecure: boolean;
}

export function readKubeconfig(file?: string): ClusterAccess {
  const f = path.resolve(file ?? process.env.KUBECONFIG?.split(':')[0] ?? '.edgeplane/kubeconfig');
  if (!fs.existsSync(f))
    throw new UsageError(
      `no kubeconfig at ${f}: pass --kubeconfig, set KUBECONFIG, or run edgeplane dev first`,
    );
  const cfg = parse(fs.readFileSync(f, 'utf8')) as {
    'current-context'?: string;
    contexts?: { name: string; context: { cluster: string; user: string } }[];
    clusters?: {
      name: string;
      cluster: {
        server: string;
        'certificate-authority-data'?: string;
        'insecure-skip-tls-verify'?: boolean;
      };
    }[];
    users?: { name: string; user: { token?: string } }[];
  };
  const ctx = cfg.contexts?.find((c) => c.name === cfg['current-context']) ?? cfg.contexts?.[0];
  const cluster = cfg.clusters?.find((c) => c.name === ctx?.context.cluster)?.cluster;
  const user = cfg.users?.find((u) => u.name === ctx?.context.user)?.user;
  if (!cluster?.server || !user?.token)
    throw new UsageError(`${f} has no server and bearer token for its current context`);
  const ca = cluster['certificate-authority-data'];
  return {
    server: cluster.server,
    token: user.token,
    caPem: ca ? Buffer.from(ca, 'base64').toString('utf8') : undefined,
    insecure: cluster['insecure-skip-tls-verify'] === true,
  };
}

export function adminClient(file?: string): AgentApi & { access: ClusterAccess } {
  const access = readKubeconfig(file);
  const api = createApi({
    server: access.server,
    token: access.token,
    caPem: access.caPem,
    insecureSkipVerify: access.insecure,
    userAgent: 'edgeplane-cli',
  });
  return { ...api, access };
}
