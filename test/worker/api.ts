// A KubeClient inside workerd that talks to the real API Worker (SELF) with the test admin token.
import { SELF } from 'cloudflare:test';
import { KubeClient } from '../../src/client/client';
import { testEnv } from './helpers';

/** Called with every write any apiClient() makes (the controller harness waits for its caches to show them). */
export const writeObservers = new Set<
  (method: string, url: string, res: Response) => Promise<void>
>();

export function apiClient(): KubeClient {
  const token = testEnv.ADMIN_TOKEN!;
  return new KubeClient({
    server: 'https://edgeplane.test',
    transport: async (req) => {
      const r = new Request(req);
      r.headers.set('Authorization', `Bearer ${token}`);
      const res = await SELF.fetch(r);
      if (req.method !== 'GET')
        for (const see of writeObservers) await see(req.method, req.url, res);
      return res;
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
