// Writes a kubeconfig with one cluster, one user and one context.
import fs from 'node:fs';

export function kubeconfigYaml(opts: {
  server: string;
  token: string;
  caPem?: string;
  name?: string;
  /** The user entry's name (`<name>-admin` when absent). */
  userName?: string;
}): string {
  const name = opts.name ?? 'edgeplane';
  const user = opts.userName ?? `${name}-admin`;
  const tls = opts.caPem
    ? `    certificate-authority-data: ${Buffer.from(opts.caPem).toString('base64')}`
    : '    insecure-skip-tls-verify: true';
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${opts.server}`,
    tls,
    'users:',
    `- name: ${user}`,
    '  user:',
    `    token: ${opts.token}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${user}`,
    '    namespace: default',
    `current-context: ${name}`,
    '',
  ].join('\n');
}

export function writeKubeconfig(file: string, yaml: string): void {
  fs.writeFileSync(file, yaml, { mode: 0o600 });
}
