// pods/proxy and services/proxy are not built yet; the refusal must say so, not claim (as it once did)
// that there is no channel to a container: the node tunnel carries exec, attach and port-forward.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';

let c: Cluster;
beforeAll(async () => {
  c = await startCluster();
}, 120_000);
afterAll(cleanupClusters);

it('kubectl get --raw .../pods/P/proxy/ answers a 400 that says proxying is not implemented yet', async () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: 'x' }] },
  };
  expect((await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) })).code).toBe(0);
  for (const p of [
    '/api/v1/namespaces/default/pods/p/proxy/',
    '/api/v1/namespaces/default/services/s/proxy/',
  ]) {
    const r = await c.kubectl(['get', '--raw', p]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /proxy is not implemented by edgeplane yet: .*use kubectl port-forward/,
    );
    expect(r.stderr).not.toMatch(/no streaming channel|accept no inbound/);
  }
});
