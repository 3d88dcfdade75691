// Registry credentials for a pod's pulls: its imagePullSecrets merged into one auth file for `pull`.
// k8s: pkg/credentialprovider/secrets/secrets.go MakeDockerKeyring (dockerconfigjson and legacy dockercfg).
import fs from 'node:fs';
import path from 'node:path';
import type { KObject } from '../../api/types';
import type { KubeClient } from '../../client/client';
import { isNotFound } from '../../client/errors';

type Auths = Record<string, unknown>;

function authsOf(secret: KObject): Auths {
  const data = (secret.data ?? {}) as Record<string, string>;
  const decode = (v: string) =>
    JSON.parse(Buffer.from(v, 'base64').toString('utf8')) as Record<string, unknown>;
  if (data['.dockerconfigjson']) return (decode(data['.dockerconfigjson']).auths ?? {}) as Auths;
  if (data['.dockercfg']) return decode(data['.dockercfg']) as Auths;
  return {};
}

/**
 * Writes <dir>/config.json (0600) with the pod's registry credentials and answers the folder, or
 * undefined when the pod names none. As kubelet does, a secret that is missing or unreadable is
 * skipped with a log line, and the pull goes ahead without it.
 */
export async function writePullAuth(
  client: KubeClient,
  pod: KObject,
  dir: string,
  log: (m: string) => void,
): Promise<string | undefined> {
  const refs = ((pod.spec as { imagePullSecrets?: { name?: string }[] }).imagePullSecrets ?? [])
    .map((r) => r.name)
    .filter((n): n is string => !!n);
  if (!refs.length) return undefined;
  const auths: Auths = {};
  for (const name of refs) {
    try {
      const secret = await client.get('secrets', name, { namespace: pod.metadata.namespace });
      // The first secret naming a registry wins, as in kubelet's keyring.
      for (const [registry, cred] of Object.entries(authsOf(secret)))
        if (!(registry in auths)) auths[registry] = cred;
    } catch (err) {
      log(
        `imagePullSecret ${pod.metadata.namespace}/${name}: ${isNotFound(err) ? 'not found' : err instanceof Error ? err.message : String(err)}; pulling without it`,
      );
    }
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ auths }), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
  return dir;
}
