// The service proxy: pure rules, then two in-process proxies against a real `edgeplane dev` cluster on loopback.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, type AgentApi } from '../../src/agent/api';
import { computeRules, type ListenerRule } from '../../src/agent/proxy/rules';
import { startServiceProxy, type ServiceProxy } from '../../src/agent/proxy/service-proxy';
import type { Endpoint, EndpointSlice, Service, ServicePort } from '../../src/agent/proxy/types';
import { cleanupClusters, startCluster, tempDir, type Cluster } from '../helpers/cluster';

function service(
  name: string,
  spec: NonNullable<Service['spec']> & { ports: ServicePort[] },
  namespace = 'default',
): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec };
}

function endpoint(
  ip: string,
  opts: { ready?: boolean; serving?: boolean; terminating?: boolean; nodeName?: string } = {},
): Endpoint {
  const { nodeName, ...conditions } = opts;
  return nodeName ? { addresses: [ip], conditions, nodeName } : { addresses: [ip], conditions };
}

function slice(
  name: string,
  serviceName: string,
  ports: { name?: string; port: number; protocol?: string }[],
  endpoints: Endpoint[],
  opts: { namespace?: string; addressType?: string } = {},
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: opts.namespace ?? 'default',
      labels: { 'kubernetes.io/service-name': serviceName },
    },
    addressType: opts.addressType ?? 'IPv4',
    ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
    endpoints,
  };
}

const ctx = { nodeName: 'node-a', nodeAddress: '127.0.0.2' };
const backendsOf = (rules: ListenerRule[], key: string) =>
  rules.find((r) => r.key === key)?.backends.map((b) => `${b.ip}:${b.port}`);

describe('proxy rules', () => {
  const web = service('web', {
    type: 'NodePort',
    clusterIP: '127.96.0.20',
    ports: [{ name: 'http', port: 80, nodePort: 30080 }],
  });

  it('gives a NodePort service a shared ClusterIP listener and a NodePort listener on the node address only', () => {
    const { listeners } = computeRules(
      [web],
      [slice('web-1', 'web', [{ name: 'http', port: 8080 }], [endpoint('127.16.2.1')])],
      ctx,
    );
    expect(listeners.map((l) => [l.key, l.kind, l.shared])).toEqual([
      ['127.0.0.2:30080', 'NodePort', false],
      ['127.96.0.20:80', 'ClusterIP', true],
    ]);
    expect(backendsOf(listeners, '127.0.0.2:30080')).toEqual(['127.16.2.1:8080']);
  });

  it('forwards only to ready endpoints (ready unset counts as ready)', () => {
    const eps = [
      endpoint('127.16.2.1', { ready: true }),
      endpoint('127.16.2.2', { ready: false }),
      endpoint('127.16.2.3'),
    ];
    const { listeners } = computeRules(
      [web],
      [slice('web-1', 'web', [{ name: 'http', port: 8080 }], eps)],
      ctx,
    );
    expect(backendsOf(listeners, '127.96.0.20:80')).toEqual(['127.16.2.1:8080', '127.16.2.3:8080']);
  });

  it('falls back to serving terminating endpoints only when none is ready', () => {
    const eps = [
      endpoint('127.16.2.1', { ready: false, serving: true, terminating: true }),
      endpoint('127.16.2.2', { ready: false, serving: false, terminating: true }),
    ];
    const { listeners } = computeRules(
      [web],
      [slice('web-1', 'web', [{ name: 'http', port: 8080 }], eps)],
      ctx,
    );
    expect(backendsOf(listeners, '127.96.0.20:80')).toEqual(['127.16.2.1:8080']);
    const withReady = [...eps, endpoint('127.16.2.3')];
    const again = computeRules(
      [web],
      [slice('web-1', 'web', [{ name: 'http', port: 8080 }], withReady)],
      ctx,
    );
    expect(backendsOf(again.listeners, '127.96.0.20:80')).toEqual(['127.16.2.3:8080']);
  });

  it('keeps a listener with no ready endpoint, so connections are rejected rather than refused by nothing', () => {
    const { listeners } = computeRules(
      [web],
      [
        slice(
          'web-1',
          'web',
          [{ name: 'http', port: 8080 }],
          [endpoint('127.16.2.1', { ready: false })],
        ),
      ],
      ctx,
    );
    expect(backendsOf(listeners, '127.96.0.20:80')).toEqual([]);
  });

  it('matches slice ports to service ports by name, and merges slices with the ready copy of a duplicate winning', () => {
    const two = service('two', {
      clusterIP: '127.96.0.21',
      ports: [
        { name: 'http', port: 80 },
        { name: 'metrics', port: 9090 },
      ],
    });
    const slices = [
      slice(
        'two-1',
        'two',
        [
          { name: 'http', port: 8080 },
          { name: 'metrics', port: 9100 },
        ],
        [endpoint('127.16.2.1', { ready: false })],
      ),
      slice(
        'two-2',
        'two',
        [{ name: 'http', port: 8080 }],
        [endpoint('127.16.2.1'), endpoint('127.16.3.1')],
      ),
    ];
    const { listeners } = computeRules([two], slices, ctx);
    expect(backendsOf(listeners, '127.96.0.21:80')).toEqual(['127.16.2.1:8080', '127.16.3.1:8080']);
    expect(backendsOf(listeners, '127.96.0.21:9090')).toEqual([]);
    expect(listeners.some((l) => l.kind === 'NodePort')).toBe(false);
  });

  it('ignores slices of another namespace, slices of other address types, headless and ExternalName services', () => {
    const slices = [
      slice('x', 'web', [{ name: 'http', port: 8080 }], [endpoint('127.16.9.1')], {
        namespace: 'other',
      }),
      slice('y', 'web', [{ name: 'http', port: 8080 }], [{ addresses: ['web.example.com'] }], {
        addressType: 'FQDN',
      }),
    ];
    const headless = service('headless', { clusterIP: 'None', ports: [{ port: 80 }] });
    const external = service('ext', { type: 'ExternalName', ports: [{ port: 80 }] });
    const { listeners } = computeRules([web, headless, external], slices, ctx);
    expect(listeners.map((l) => l.key)).toEqual(['127.0.0.2:30080', '127.96.0.20:80']);
    expect(backendsOf(listeners, '127.96.0.20:80')).toEqual([]);
  });

  it('skips UDP ports and ClusterIPs outside 127.0.0.0/8 with a reason', () => {
    const dns = service('dns', {
      clusterIP: '127.96.0.10',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'tcp', port: 53 },
      ],
    });
    const far = service('far', { clusterIP: '10.96.0.5', ports: [{ port: 80 }] });
    const { listeners, skipped } = computeRules([dns, far], [], ctx);
    expect(listeners.map((l) => l.key)).toEqual(['127.96.0.10:53']);
    expect(skipped).toEqual([
      expect.objectContaining({
        service: 'default/dns',
        portName: 'dns',
        code: 'Protocol',
        reason: expect.stringMatching(/UDP .*TCP only/),
      }),
      expect.objectContaining({
        service: 'default/far',
        code: 'NonLoopbackClusterIP',
        reason: expect.stringMatching(/outside 127\.0\.0\.0\/8/),
      }),
    ]);
  });

  it("honours externalTrafficPolicy and internalTrafficPolicy Local with this node's endpoints only", () => {
    const local = service('local', {
      type: 'NodePort',
      clusterIP: '127.96.0.22',
      externalTrafficPolicy: 'Local',
      ports: [{ port: 80, nodePort: 30081 }],
    });
    const eps = [
      endpoint('127.16.2.1', { nodeName: 'node-a' }),
      endpoint('127.16.3.1', { nodeName: 'node-b' }),
    ];
    const { listeners } = computeRules([local], [slice('l', 'local', [{ port: 8080 }], eps)], ctx);
    expect(backendsOf(listeners, '127.0.0.2:30081')).toEqual(['127.16.2.1:8080']);
    expect(backendsOf(listeners, '127.96.0.22:80')).toEqual(['127.16.2.1:8080', '127.16.3.1:8080']);
    const internal = service('local', {
      clusterIP: '127.96.0.22',
      internalTrafficPolicy: 'Local',
      ports: [{ port: 80 }],
    });
    const onB = computeRules([internal], [slice('l', 'local', [{ port: 8080 }], eps)], {
      nodeName: 'node-b',
      nodeAddress: '127.0.0.3',
    });
    expect(backendsOf(onB.listeners, '127.96.0.22:80')).toEqual(['127.16.3.1:8080']);
  });

  it('carries ClientIP session affinity with the default three-hour timeout', () => {
    const sticky = service('sticky', {
      clusterIP: '127.96.0.23',
      sessionAffinity: 'ClientIP',
      ports: [{ port: 80 }],
    });
    expect(computeRules([sticky], [], ctx).listeners[0].affinityTimeoutSeconds).toBe(10800);
    expect(computeRules([web], [], ctx).listeners[0].affinityTimeoutSeconds).toBeUndefined();
  });

  it('resolves two services claiming one NodePort the same way every time', () => {
    const a = service('a', {
      type: 'NodePort',
      clusterIP: '127.96.0.30',
      ports: [{ port: 80, nodePort: 30090 }],
    });
    const b = service('b', {
      type: 'NodePort',
      clusterIP: '127.96.0.31',
      ports: [{ port: 80, nodePort: 30090 }],
    });
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const { listeners, skipped } = computeRules(order, [], ctx);
      expect(listeners.find((l) => l.key === '127.0.0.2:30090')?.service).toBe('default/a');
      expect(skipped).toEqual([
        expect.objectContaining({
          service: 'default/b',
          reason: expect.stringMatching(/already served for default\/a/),
        }),
      ]);
    }
  });
});

// ---- Integration: a real API, hand-made Service and EndpointSlice, two tiny HTTP servers as pods ----

interface Answer {
  body: string;
  reused: boolean;
}

function get(host: string, port: number, agent: http.Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', agent, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ body, reused: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${host}:${port} timed out`)));
    req.on('error', reject);
  });
}

const who = async (host: string, port: number) => (await get(host, port)).body;

/** The error code of a GET that fails (ECONNREFUSED, ECONNRESET), or 'answered'. */
async function outcome(host: string, port: number): Promise<string> {
  try {
    await get(host, port);
    return 'answered';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

/** Polls `check` until it holds; answers the milliseconds it took. */
async function within(ms: number, check: () => Promise<boolean>, what: string): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

function startBackend(name: string, host: string, port: number): Promise<http.Server> {
  const server = http.createServer((_req, res) => res.end(name));
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => resolve(server));
  });
}

const NS = 'proxy-test';
const SLICES = 'endpointslices.discovery.k8s.io';

describe('service proxy on two local nodes', () => {
  let cluster: Cluster;
  let api: AgentApi;
  const backends: http.Server[] = [];
  let targetPort = 0;
  let nodePort = 0;
  let clusterIP = '';
  const proxies = new Map<string, ServiceProxy>();
  const logs = new Map<string, string[]>();
  const nodes = [
    { nodeName: 'node-a', nodeAddress: '127.0.0.2' },
    { nodeName: 'node-b', nodeAddress: '127.0.0.3' },
  ];

  function start(
    node: (typeof nodes)[number],
    extra: { sharing?: 'lock'; lockFile?: string } = {},
  ): ServiceProxy {
    const lines: string[] = [];
    logs.set(node.nodeName, lines);
    const proxy = startServiceProxy({
      client: api.client,
      ...node,
      ...extra,
      log: (m) => lines.push(m),
    });
    proxies.set(node.nodeName, proxy);
    return proxy;
  }

  const setEndpoints = (endpoints: Endpoint[]) =>
    api.client.patch(SLICES, 'web-1', 'merge', { endpoints }, { namespace: NS });

  beforeAll(async () => {
    // A service range of its own: every cluster on a host binds its kubernetes ClusterIP:443 with
    // SO_REUSEPORT, so two on the default range would share connections.
    const serviceCidr = `127.${100 + Math.floor(Math.random() * 100)}.0.0/16`;
    cluster = await startCluster({ extraArgs: ['--agents', '0', '--service-cidr', serviceCidr] });
    const caPem = fs.readFileSync(path.join(cluster.stateDir, 'tls', 'server.crt'), 'utf8');
    api = createApi({ server: cluster.url, token: cluster.token, caPem });
    // Two "pods" on one port, as a Deployment's replicas would be, each on its own loopback address.
    backends.push(await startBackend('a', '127.0.0.10', 0));
    targetPort = (backends[0].address() as { port: number }).port;
    backends.push(await startBackend('b', '127.0.0.11', targetPort));
    await api.client.create('namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS },
    });
    // No selector: the endpoints are ours to write, as for any selector-less Service.
    const svc = await api.client.create<Service>(
      'services',
      service(
        'web',
        {
          type: 'NodePort',
          ports: [
            { name: 'http', port: 8080, protocol: 'TCP' },
            { name: 'stats', port: 8125, protocol: 'UDP' },
          ],
        },
        NS,
      ),
    );
    clusterIP = svc.spec!.clusterIP!;
    nodePort = svc.spec!.ports!.find((p) => p.name === 'http')!.nodePort!;
    expect(clusterIP).toMatch(/^127\./);
    await api.client.create(
      SLICES,
      slice(
        'web-1',
        'web',
        [{ name: 'http', port: targetPort }],
        [
          endpoint('127.0.0.10', { ready: true, nodeName: 'node-a' }),
          endpoint('127.0.0.11', { ready: true, nodeName: 'node-b' }),
        ],
        {
          namespace: NS,
        },
      ),
    );
    for (const node of nodes) start(node);
    await Promise.all([...proxies.values()].map((p) => p.ready));
  });

  afterAll(async () => {
    if (process.env.PROXY_TEST_LOGS) for (const [n, l] of logs) console.log(n, l.join('\n'));
    await Promise.all([...proxies.values()].map((p) => p.stop()));
    for (const b of backends) {
      b.closeAllConnections();
      b.close();
    }
    api?.close();
    await cleanupClusters();
  });

  it('answers on the NodePort of each node address, from both pods in turn', async () => {
    for (const { nodeAddress } of nodes) {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await who(nodeAddress, nodePort));
      expect(answers.sort()).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
    }
  });

  it('serves the ClusterIP from both proxies at once through SO_REUSEPORT', async () => {
    const clusterListener = (name: string) =>
      proxies
        .get(name)!
        .rules()
        .listeners.find((l) => l.key === `${clusterIP}:8080`)!;
    for (const { nodeName } of nodes) {
      expect(proxies.get(nodeName)!.rules().sharing).toBe('reusePort');
      expect(clusterListener(nodeName)).toMatchObject({
        kind: 'ClusterIP',
        listening: true,
        shared: true,
      });
    }
    const before = nodes.map((n) => clusterListener(n.nodeName).accepted);
    const answers = new Set<string>();
    for (let i = 0; i < 40; i++) answers.add(await who(clusterIP, 8080));
    const taken = nodes.map((n, i) => clusterListener(n.nodeName).accepted - before[i]);
    expect(answers).toEqual(new Set(['a', 'b']));
    expect(taken[0] + taken[1]).toBe(40);
    // The kernel spread the connections over both agents' sockets.
    expect(taken[0]).toBeGreaterThan(0);
    expect(taken[1]).toBeGreaterThan(0);
  });

  it('forwards the kubernetes Service to the API (TLS end to end), and falls back without endpoints', async () => {
    const svc = await api.client.get<Service>('services', 'kubernetes', { namespace: 'default' });
    const ip = svc.spec!.clusterIP!;
    const a = proxies.get('node-a')!;
    const unprivileged = Number(
      fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'),
    );
    if (process.getuid?.() !== 0 && unprivileged > 443) {
      // Without the right to bind 443, pods are given the API's URL, and the log says why.
      expect(await a.kubernetesService()).toBeUndefined();
      expect(logs.get('node-a')!.join('\n')).toContain('permission denied');
      return;
    }
    for (const p of proxies.values())
      expect(await p.kubernetesService()).toEqual({ host: ip, port: 443 });
    expect(logs.get('node-a')!.join('\n')).toContain(
      `pods reach the API through the kubernetes Service at ${ip}:443`,
    );
    // The certificate is verified for the ClusterIP, through the proxy, against the cluster CA.
    const caPem = fs.readFileSync(path.join(cluster.stateDir, 'tls', 'server.crt'), 'utf8');
    const version = (base: string) =>
      new Promise<number>((resolve, reject) => {
        const t0 = performance.now();
        https
          .get(`${base}/version`, { ca: caPem, agent: false }, (res) => {
            res.resume();
            res.on('end', () =>
              res.statusCode === 200
                ? resolve(performance.now() - t0)
                : reject(new Error(`${res.statusCode}`)),
            );
          })
          .on('error', reject);
      });
    const p50 = async (base: string) => {
      const ms: number[] = [];
      for (let i = 0; i < 20; i++) ms.push(await version(base));
      return ms.sort((x, y) => x - y)[10];
    };
    const [proxied, direct] = [await p50(`https://${ip}`), await p50(cluster.url)];
    console.log(
      `GET /version, new TLS connection each: p50 ${proxied.toFixed(1)} ms through ${ip}:443, ${direct.toFixed(1)} ms direct`,
    );
    // No endpoints (an API behind a hostname): pods get the API's URL, and the log says so.
    const slice = await api.client.get(SLICES, 'kubernetes', { namespace: 'default' });
    await api.client.delete(SLICES, 'kubernetes', { namespace: 'default' });
    await within(3000, async () => (await a.kubernetesService()) === undefined, 'the fallback');
    expect(logs.get('node-a')!.join('\n')).toContain(
      "pods get the API's own URL in KUBERNETES_SERVICE_HOST/PORT, not the kubernetes Service: the default/kubernetes Service has no endpoints",
    );
    const { name, namespace, labels } = slice.metadata;
    await api.client.create(SLICES, { ...slice, metadata: { name, namespace, labels } });
    await within(3000, async () => (await a.kubernetesService()) !== undefined, 'served again');
  });

  it('skips the UDP port with one clear message', async () => {
    for (const { nodeName } of nodes) {
      expect(proxies.get(nodeName)!.rules().skipped).toEqual([
        expect.objectContaining({ service: `${NS}/web`, portName: 'stats' }),
      ]);
      expect(
        logs.get(nodeName)!.filter((l) => l.includes('UDP port 8125 is not proxied')),
      ).toHaveLength(1);
    }
  });

  it('sends no new connection to an endpoint marked not ready within a second; its open connection finishes', async () => {
    // A keep-alive connection that landed on b before b turns unready.
    let kept: http.Agent | undefined;
    for (let i = 0; i < 4 && !kept; i++) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      if ((await get('127.0.0.2', nodePort, agent)).body === 'b') kept = agent;
      else agent.destroy();
    }
    expect(kept).toBeDefined();
    await setEndpoints([
      endpoint('127.0.0.10', { ready: true, nodeName: 'node-a' }),
      endpoint('127.0.0.11', { ready: false, nodeName: 'node-b' }),
    ]);
    const t0 = Date.now();
    let streak = 0;
    let streakFrom = 0;
    while (streak < 8 && Date.now() - t0 < 5000) {
      const at = Date.now();
      const answers = await Promise.all(nodes.map((n) => who(n.nodeAddress, nodePort)));
      if (answers.every((a) => a === 'a')) {
        if (streak === 0) streakFrom = at;
        streak += answers.length;
      } else streak = 0;
    }
    expect(streak).toBeGreaterThanOrEqual(8);
    if (process.env.PROXY_TEST_LOGS) console.log('unready applied after', streakFrom - t0, 'ms');
    expect(streakFrom - t0).toBeLessThan(1000);
    const again = await get('127.0.0.2', nodePort, kept);
    expect(again).toEqual({ body: 'b', reused: true });
    kept!.destroy();
  });

  it('applies an endpoint change within a second', async () => {
    backends.push(await startBackend('c', '127.0.0.12', targetPort));
    await setEndpoints([
      endpoint('127.0.0.10', { ready: true, nodeName: 'node-a' }),
      endpoint('127.0.0.12', { ready: true, nodeName: 'node-b' }),
    ]);
    const took = await within(
      3000,
      async () => (await who('127.0.0.3', nodePort)) === 'c',
      'the new endpoint c answers',
    );
    if (process.env.PROXY_TEST_LOGS) console.log('endpoint change applied after', took, 'ms');
    expect(took).toBeLessThan(1000);
    for (const { nodeName } of nodes) {
      expect(
        proxies
          .get(nodeName)!
          .rules()
          .listeners.find((l) => l.kind === 'NodePort')!.backends,
      ).toEqual([`127.0.0.10:${targetPort}`, `127.0.0.12:${targetPort}`]);
    }
  });

  it('resets connections at once when no endpoint is ready', async () => {
    await setEndpoints([
      endpoint('127.0.0.10', { ready: false }),
      endpoint('127.0.0.12', { ready: false }),
    ]);
    await within(
      1000,
      async () => (await outcome('127.0.0.2', nodePort)) !== 'answered',
      'connections are rejected',
    );
    const started = Date.now();
    const targets: [string, number][] = [
      ['127.0.0.2', nodePort],
      ['127.0.0.3', nodePort],
      [clusterIP, 8080],
    ];
    for (const [host, port] of targets) expect(await outcome(host, port)).toBe('ECONNRESET');
    expect(Date.now() - started).toBeLessThan(500);
    expect(
      proxies
        .get('node-a')!
        .rules()
        .listeners.find((l) => l.kind === 'NodePort')!.rejected,
    ).toBeGreaterThan(0);
  });

  it('falls back to one ClusterIP owner per host with the lock file, and a stopped owner is replaced', async () => {
    await setEndpoints([
      endpoint('127.0.0.10', { ready: true }),
      endpoint('127.0.0.11', { ready: true }),
    ]);
    await Promise.all([...proxies.values()].map((p) => p.stop()));
    const lockFile = path.join(tempDir(), 'clusterip.lock');
    for (const node of nodes) start(node, { sharing: 'lock', lockFile });
    await Promise.all([...proxies.values()].map((p) => p.ready));
    const owners = nodes.filter((n) => proxies.get(n.nodeName)!.rules().servesClusterIPs);
    expect(owners).toHaveLength(1);
    const owner = owners[0];
    const standby = nodes.find((n) => n !== owner)!;
    expect(
      proxies
        .get(standby.nodeName)!
        .rules()
        .listeners.map((l) => l.kind),
    ).toEqual(['NodePort']);
    expect(['a', 'b']).toContain(await who(clusterIP, 8080));
    for (const n of nodes) expect(['a', 'b']).toContain(await who(n.nodeAddress, nodePort));
    expect(logs.get(owner.nodeName)!.some((l) => l.includes('owns the host lock'))).toBe(true);

    await proxies.get(owner.nodeName)!.stop();
    await within(
      4000,
      async () => (await outcome(clusterIP, 8080)) === 'answered',
      'the standby takes the ClusterIPs over',
    );
    expect(proxies.get(standby.nodeName)!.rules().servesClusterIPs).toBe(true);
    // The old owner comes back as the standby.
    await start(owner, { sharing: 'lock', lockFile }).ready;
    expect(proxies.get(owner.nodeName)!.rules().servesClusterIPs).toBe(false);
  });

  it('closes the listeners of a deleted Service within a second', async () => {
    await api.client.delete('services', 'web', { namespace: NS });
    const t0 = Date.now();
    await within(
      3000,
      async () => {
        const results = await Promise.all([
          ...nodes.map((n) => outcome(n.nodeAddress, nodePort)),
          outcome(clusterIP, 8080),
        ]);
        return results.every((r) => r === 'ECONNREFUSED');
      },
      'NodePorts and ClusterIP refuse connections',
    );
    expect(Date.now() - t0).toBeLessThan(1000);
    for (const proxy of proxies.values())
      expect(proxy.rules().listeners.filter((l) => l.service === `${NS}/web`)).toEqual([]);
  });
});
