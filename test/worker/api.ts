// A KubeClient inside workerd that talks to the real API Worker (SELF) with the test admin token.
import { SELF } from 'cloudflare:test';
import { KubeClient } from '../../src/client/client';
import { testEnv } from './helpers';

export function apiClient(): KubeClient {
  const token = testEnv.ADMIN_TOKEN!;
  return new KubeClient({
    server: 'https://edgeplane.test',
    transport: (req) => {
      const r = new Request(req);
      r.headers.set('Authorization', `Bearer ${token}`);
      return SELF.fetch(r);
    },
  });
}

let seq = 0;
/** A new namespace per test, so tests never see each other's objects. */
export async function freshNamespace(client: KubeClient): Promise<string> {
  const name = `t${Date.now().toString(36)}${seq++}${Math.random().toString(36).slice(2, 6)}`;
  await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}
