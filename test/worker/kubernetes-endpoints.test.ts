// The API's own endpoints: default/kubernetes Endpoints and EndpointSlice name ADVERTISE_ADDRESS,
// follow it to a new port, the Service's targetPort follows, and a hostname (no IP) leaves none.
import { describe, expect, it } from 'vitest';
import { apiClient } from './api';
import { storeWith, testEnv } from './helpers';
import {
  parseAdvertiseAddress,
  reconcileKubernetesEndpoints,
} from '../../src/server/kubernetes-endpoints';
import { isNotFound } from '../../src/client/errors';
import type { KObject } from '../../src/api/types';

const store = () => storeWith(Number(testEnv.PARTITIONS ?? '1'));

const PATHS: Record<string, string> = {
  endpoints: 'endpoints',
  slice: 'endpointslices.discovery.k8s.io',
  service: 'services',
};

async function read(what: keyof typeof PATHS): Promise<KObject | undefined> {
  try {
    return await apiClient().get(PATHS[what], 'kubernetes', { namespace: 'default' });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

describe('the kubernetes Service endpoints', () => {
  it('parses ip:port and nothing else', () => {
    expect(parseAdvertiseAddress('127.0.0.1:6443')).toEqual({ ip: '127.0.0.1', port: 6443 });
    expect(parseAdvertiseAddress('api.example.com:443')).toBeUndefined();
    expect(parseAdvertiseAddress('127.0.0.1')).toBeUndefined();
    expect(parseAdvertiseAddress('300.0.0.1:1')).toBeUndefined();
    expect(parseAdvertiseAddress(undefined)).toBeUndefined();
  });

  it('names the advertised address, follows a new port, and is removed for a hostname', async () => {
    // The API's own bootstrap runs on its first request (no ADVERTISE_ADDRESS here): let it run first.
    await read('service');
    await reconcileKubernetesEndpoints(store(), '127.0.0.1:4443');
    const ep = await read('endpoints');
    expect(ep?.subsets).toEqual([
      { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 4443, protocol: 'TCP' }] },
    ]);
    expect(ep?.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror']).toBe('true');
    const slice = await read('slice');
    expect(slice?.metadata.labels?.['kubernetes.io/service-name']).toBe('kubernetes');
    expect(slice).toMatchObject({
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'https', port: 4443, protocol: 'TCP' }],
    });
    const svc = await read('service');
    expect((svc?.spec as { ports: unknown[] }).ports).toEqual([
      { name: 'https', port: 443, protocol: 'TCP', targetPort: 4443 },
    ]);

    // A restart on another port: the same objects, updated in place.
    await reconcileKubernetesEndpoints(store(), '127.0.0.1:5443');
    const ep2 = await read('endpoints');
    expect(ep2?.metadata.uid).toBe(ep?.metadata.uid);
    expect((ep2?.subsets as { ports: { port: number }[] }[])[0].ports[0].port).toBe(5443);
    const slice2 = await read('slice');
    expect((slice2?.ports as { port: number }[])[0].port).toBe(5443);
    // Unchanged: no write at all.
    await reconcileKubernetesEndpoints(store(), '127.0.0.1:5443');
    const ep3 = await read('endpoints');
    expect(ep3?.metadata.resourceVersion).toBe(ep2?.metadata.resourceVersion);

    // Behind a hostname there is no IP to advertise: nothing stale is left.
    await reconcileKubernetesEndpoints(store(), 'api.example.com:443');
    expect(await read('endpoints')).toBeUndefined();
    expect(await read('slice')).toBeUndefined();
  });
});
