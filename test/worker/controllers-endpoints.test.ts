// Endpoints and EndpointSlice controllers against the real API Worker: ready pods in, unready and gone pods out.
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import type { KubeClient } from '../../src/client/client';
import type { KObject } from '../../src/api/types';
import { isNotFound } from '../../src/client/errors';
import { keyedHarness } from './controller-harness';
import { endpointsController } from '../../workers/controllers/endpoints';
import { endpointSliceController } from '../../workers/controllers/endpointslice';

const SLICES = 'discovery.k8s.io/v1/endpointslices';

const harnesses = new Map<string, Awaited<ReturnType<typeof keyedHarness>>>();

/** One controller-manager pass of both controllers (as the leader runs them) over this namespace; answers its write count. */
const both = async (_c: KubeClient, ns: string): Promise<number> => {
  let h = harnesses.get(ns);
  if (!h)
    harnesses.set(
      ns,
      (h = await keyedHarness(ns, () => [endpointsController, endpointSliceController])),
    );
  const before = h.writes;
  await h.pass();
  return h.writes - before;
};

async function pod(
  c: KubeClient,
  ns: string,
  name: string,
  opts: {
    ip?: string;
    ready?: boolean;
    webPort?: number;
    labels?: Record<string, string>;
    nodeName?: string;
  } = {},
): Promise<KObject> {
  const created = await c.create('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: opts.labels ?? { app: 'web' } },
    spec: {
      nodeName: opts.nodeName,
      containers: [
        {
          name: 'app',
          image: 'nginx',
          ports: [{ name: 'web', containerPort: opts.webPort ?? 8080 }, { containerPort: 9090 }],
        },
      ],
    },
  });
  if (!opts.ip) return created;
  return setStatus(c, created, opts.ip, opts.ready ?? true);
}

async function setStatus(c: KubeClient, p: KObject, ip: string, ready: boolean): Promise<KObject> {
  const cur = await c.get('pods', p.metadata.name!, { namespace: p.metadata.namespace });
  const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return c.updateStatus('pods', {
    ...cur,
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: t }],
    },
  });
}

async function service(
  c: KubeClient,
  ns: string,
  name = 'web',
  selector: Record<string, string> | null = { app: 'web' },
): Promise<KObject> {
  return c.create('services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { tier: 'front' } },
    spec: {
      selector: selector ?? undefined,
      ports: [
        { name: 'http', port: 80, targetPort: 'web' },
        { name: 'metrics', port: 9090, targetPort: 9090 },
      ],
    },
  });
}

interface Subset {
  addresses?: { ip: string; nodeName?: string; targetRef: { name: string } }[];
  notReadyAddresses?: { ip: string }[];
  ports?: { name?: string; port: number; protocol: string }[];
}

/** Endpoints as a sorted list of "ready ips | not-ready ips | ports" lines. */
async function endpoints(c: KubeClient, ns: string, name = 'web'): Promise<string[] | undefined> {
  let ep: KObject;
  try {
    ep = await c.get('endpoints', name, { namespace: ns });
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  return ((ep.subsets as Subset[] | undefined) ?? [])
    .map((s) =>
      [
        (s.addresses ?? [])
          .map((a) => a.ip)
          .sort()
          .join(','),
        (s.notReadyAddresses ?? [])
          .map((a) => a.ip)
          .sort()
          .join(','),
        (s.ports ?? [])
          .map((p) => `${p.name ?? ''}:${p.port}`)
          .sort()
          .join(','),
      ].join(' | '),
    )
    .sort();
}

interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  nodeName?: string;
  targetRef: { kind: string; name: string };
}

async function slices(c: KubeClient, ns: string): Promise<KObject[]> {
  return (await c.list(SLICES, { namespace: ns })).items;
}

/** Slices as sorted lines: "ports => ip(ready/serving/terminating) ...". */
async function sliceView(c: KubeClient, ns: string): Promise<string[]> {
  return (await slices(c, ns))
    .map((s) => {
      const ports = ((s.ports as { name: string; port: number }[] | undefined) ?? [])
        .map((p) => `${p.name}:${p.port}`)
        .sort()
        .join(',');
      const eps = ((s.endpoints as SliceEndpoint[] | undefined) ?? [])
        .map(
          (e) =>
            `${e.addresses[0]}(${+e.conditions.ready}${+e.conditions.serving}${+e.conditions.terminating})`,
        )
        .sort()
        .join(' ');
      return `${ports} => ${eps}`;
    })
    .sort();
}

describe('endpoints and endpoint slices', () => {
  it('publish ready pods as addresses and unready ones as notReadyAddresses, resolving named ports per pod', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const svc = await service(c, ns);
    await pod(c, ns, 'a', { ip: '127.1.1.1' });
    await pod(c, ns, 'b', { ip: '127.1.1.2', webPort: 8081 });
    await pod(c, ns, 'c', { ip: '127.1.1.3', ready: false });
    await pod(c, ns, 'no-ip');
    await pod(c, ns, 'other', { ip: '127.1.1.4', labels: { app: 'other' } });

    expect(await both(c, ns)).toBe(3); // the Endpoints, and a slice per port mapping
    // RepackSubsets: ports that share the same addresses share a subset.
    expect(await endpoints(c, ns)).toEqual([
      '127.1.1.1 | 127.1.1.3 | http:8080',
      '127.1.1.1,127.1.1.2 | 127.1.1.3 | metrics:9090',
      '127.1.1.2 |  | http:8081',
    ]);
    const ep = await c.get('endpoints', 'web', { namespace: ns });
    expect(ep.metadata.labels).toEqual({ tier: 'front' });

    expect(await sliceView(c, ns)).toEqual([
      'http:8080,metrics:9090 => 127.1.1.1(110) 127.1.1.3(000)',
      'http:8081,metrics:9090 => 127.1.1.2(110)',
    ]);
    const slice = (await slices(c, ns)).find((s) =>
      (s.endpoints as SliceEndpoint[]).some((e) => e.targetRef.name === 'a'),
    )!;
    expect(slice.addressType).toBe('IPv4');
    expect(slice.metadata.labels).toEqual({
      tier: 'front',
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(slice.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Service',
        name: 'web',
        uid: svc.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect((slice.endpoints as SliceEndpoint[])[0].targetRef).toMatchObject({
      kind: 'Pod',
      name: 'a',
    });

    // Converged: nothing to write.
    expect(await both(c, ns)).toBe(0);
  });

  it('drop a pod that turns unready from the ready addresses, and take it back when it recovers', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await service(c, ns);
    const a = await pod(c, ns, 'a', { ip: '127.1.2.1' });
    await pod(c, ns, 'b', { ip: '127.1.2.2' });
    await both(c, ns);
    expect(await endpoints(c, ns)).toEqual(['127.1.2.1,127.1.2.2 |  | http:8080,metrics:9090']);

    await setStatus(c, a, '127.1.2.1', false);
    expect(await both(c, ns)).toBe(2);
    expect(await endpoints(c, ns)).toEqual(['127.1.2.2 | 127.1.2.1 | http:8080,metrics:9090']);
    expect(await sliceView(c, ns)).toEqual([
      'http:8080,metrics:9090 => 127.1.2.1(000) 127.1.2.2(110)',
    ]);
    expect(await both(c, ns)).toBe(0);

    await setStatus(c, a, '127.1.2.1', true);
    await both(c, ns);
    expect(await endpoints(c, ns)).toEqual(['127.1.2.1,127.1.2.2 |  | http:8080,metrics:9090']);
  });

  it('drop deleted pods; a terminating pod leaves Endpoints and shows as terminating in its slice', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await service(c, ns);
    await pod(c, ns, 'gone', { ip: '127.1.3.1' });
    await pod(c, ns, 'ending', { ip: '127.1.3.2', nodeName: 'node-x' });
    await pod(c, ns, 'stays', { ip: '127.1.3.3' });
    await both(c, ns);

    await c.delete('pods', 'gone', { namespace: ns });
    await c.delete('pods', 'ending', { namespace: ns });
    await both(c, ns);
    expect(await endpoints(c, ns)).toEqual(['127.1.3.3 |  | http:8080,metrics:9090']);
    expect(await sliceView(c, ns)).toEqual([
      'http:8080,metrics:9090 => 127.1.3.2(011) 127.1.3.3(110)',
    ]);
    const ending = ((await slices(c, ns))[0].endpoints as SliceEndpoint[]).find(
      (e) => e.targetRef.name === 'ending',
    );
    expect(ending?.nodeName).toBe('node-x');
    expect(await both(c, ns)).toBe(0);
  });

  it('keep an empty Endpoints and one placeholder slice for a Service with no pods', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await service(c, ns);
    expect(await both(c, ns)).toBe(2);
    expect(await endpoints(c, ns)).toEqual([]);
    const [placeholder, ...rest] = await slices(c, ns);
    expect(rest).toEqual([]);
    expect(placeholder.endpoints ?? []).toEqual([]);
    expect(placeholder.ports ?? []).toEqual([]);
    expect(await both(c, ns)).toBe(0);

    await pod(c, ns, 'a', { ip: '127.1.4.1' });
    await both(c, ns);
    expect(await sliceView(c, ns)).toEqual(['http:8080,metrics:9090 => 127.1.4.1(110)']);
    expect(await both(c, ns)).toBe(0);
  });

  it('leave Services without a selector alone, and remove our Endpoints when their Service goes', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await service(c, ns, 'manual', null);
    await c.create('endpoints', {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'manual', namespace: ns },
      subsets: [{ addresses: [{ ip: '127.1.5.9' }], ports: [{ name: 'http', port: 80 }] }],
    });
    await service(c, ns, 'web');
    await pod(c, ns, 'a', { ip: '127.1.5.1' });
    await both(c, ns);
    expect(await endpoints(c, ns, 'manual')).toEqual(['127.1.5.9 |  | http:80']);
    expect(
      (await slices(c, ns)).map((s) => s.metadata.labels?.['kubernetes.io/service-name']),
    ).toEqual(['web']);

    await c.delete('services', 'web', { namespace: ns });
    await c.delete('services', 'manual', { namespace: ns });
    await both(c, ns);
    expect(await endpoints(c, ns, 'web')).toBeUndefined();
    // Hand-made Endpoints are not ours to remove; the slices go with their Service (garbage collector).
    expect(await endpoints(c, ns, 'manual')).toEqual(['127.1.5.9 |  | http:80']);
    expect(await both(c, ns)).toBe(0);
  });
});
