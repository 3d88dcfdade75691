// The agent's cluster DNS: the zone's answers (services, headless endpoints, StatefulSet hostnames,
// SRV, ExternalName, NXDOMAIN), the server over UDP and TCP forwarding other names, and the pod
// resolver settings from dnsPolicy and dnsConfig.
import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDns } from '../../src/agent/dns/cluster-dns';
import { podDns } from '../../src/agent/dns/pod-dns';
import { parseResolvConf } from '../../src/agent/dns/resolv-conf';
import { startDnsServer, type DnsServer } from '../../src/agent/dns/server';
import { ClusterZone, type DnsService, type DnsSlice } from '../../src/agent/dns/zone';
import {
  containerArgs,
  sandboxArgs,
  type ContainerArgsInput,
} from '../../src/agent/runtimes/podman-args';
import type { Pod } from '../../src/agent/types';

const svc = (name: string, spec: DnsService['spec']): DnsService => ({
  metadata: { name, namespace: 'default' },
  spec,
});

const slice = (service: string, endpoints: DnsSlice['endpoints'], port = 80): DnsSlice => ({
  metadata: {
    name: `${service}-x`,
    namespace: 'default',
    labels: { 'kubernetes.io/service-name': service },
  },
  addressType: 'IPv4',
  ports: [{ name: 'http', protocol: 'TCP', port }],
  endpoints,
});

const zone = new ClusterZone(
  [
    svc('web', { clusterIP: '127.0.100.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
    svc('db', { clusterIP: 'None', ports: [{ name: 'http', port: 5432, protocol: 'TCP' }] }),
    svc('ext', { type: 'ExternalName', externalName: 'example.test' }),
  ],
  [
    slice('web', [{ addresses: ['127.0.1.5'], conditions: { ready: true } }]),
    slice(
      'db',
      [
        { addresses: ['127.0.1.7'], hostname: 'db-0', conditions: { ready: true } },
        { addresses: ['127.0.1.8'], hostname: 'db-1', conditions: { ready: true } },
        { addresses: ['127.0.1.9'], hostname: 'db-2', conditions: { ready: false } },
      ],
      5432,
    ),
  ],
);

/** dns-packet decodes rcode and record data, which its typings leave out. */
const rcode = (p: packet.DecodedPacket) => (p as unknown as { rcode: string }).rcode;
const datas = (p: packet.DecodedPacket) =>
  p.answers?.map((a) => (a as unknown as { data: unknown }).data);

const data = (r: ReturnType<ClusterZone['answer']>) =>
  r.kind === 'answer' ? r.answers.map((a) => a.data) : r.kind;

describe('cluster zone', () => {
  it('answers a Service name with its ClusterIP, case and trailing dot aside', () => {
    expect(data(zone.answer('web.default.svc.cluster.local', 'A'))).toEqual(['127.0.100.10']);
    expect(data(zone.answer('WEB.Default.svc.cluster.local.', 'A'))).toEqual(['127.0.100.10']);
  });

  it('answers a headless Service with its ready endpoints, and each hostname with its pod', () => {
    expect(data(zone.answer('db.default.svc.cluster.local', 'A'))).toEqual([
      '127.0.1.7',
      '127.0.1.8',
    ]);
    expect(data(zone.answer('db-1.db.default.svc.cluster.local', 'A'))).toEqual(['127.0.1.8']);
    expect(zone.answer('db-2.db.default.svc.cluster.local', 'A').kind).toBe('nxdomain');
    // A ClusterIP Service has no per-endpoint names.
    expect(zone.answer('127-0-1-5.web.default.svc.cluster.local', 'A').kind).toBe('nxdomain');
  });

  it('answers SRV for named ports: the Service for a ClusterIP, each endpoint for a headless one', () => {
    const web = zone.answer('_http._tcp.web.default.svc.cluster.local', 'SRV');
    expect(data(web)).toEqual([
      { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' },
    ]);
    const db = zone.answer('_http._tcp.db.default.svc.cluster.local', 'SRV');
    expect(data(db)).toEqual([
      { priority: 0, weight: 50, port: 5432, target: 'db-0.db.default.svc.cluster.local' },
      { priority: 0, weight: 50, port: 5432, target: 'db-1.db.default.svc.cluster.local' },
    ]);
    expect(db.kind === 'answer' && db.additionals.map((a) => a.data)).toEqual([
      '127.0.1.7',
      '127.0.1.8',
    ]);
    expect(zone.answer('_grpc._tcp.web.default.svc.cluster.local', 'SRV').kind).toBe('nxdomain');
  });

  it('gives ExternalName a CNAME, an existing name of another type no records, pod names their address', () => {
    expect(data(zone.answer('ext.default.svc.cluster.local', 'A'))).toEqual(['example.test']);
    expect(zone.answer('web.default.svc.cluster.local', 'AAAA')).toEqual({
      kind: 'answer',
      answers: [],
      additionals: [],
    });
    expect(data(zone.answer('127-0-1-5.default.pod.cluster.local', 'A'))).toEqual(['127.0.1.5']);
  });

  it('says NXDOMAIN for unknown cluster names and forwards everything else', () => {
    expect(zone.answer('nope.default.svc.cluster.local', 'A').kind).toBe('nxdomain');
    expect(zone.answer('web.other.svc.cluster.local', 'A').kind).toBe('nxdomain');
    expect(zone.answer('example.test.cluster.local', 'A').kind).toBe('nxdomain');
    expect(zone.answer('example.test', 'A').kind).toBe('forward');
    expect(zone.answer('cluster.localhost', 'A').kind).toBe('forward');
  });
});

/** A fake upstream resolver on loopback: every A question is answered with 127.0.9.9. */
function fakeUpstream(): Promise<{ port: number; close: () => void; seen: string[] }> {
  const seen: string[] = [];
  const sock = dgram.createSocket('udp4');
  const tcp = net.createServer((c) => {
    c.on('data', (d) => {
      const q = packet.decode(d.subarray(2));
      seen.push(`tcp:${q.questions![0].name}`);
      c.end(
        packet.streamEncode({
          type: 'response',
          id: q.id,
          questions: q.questions,
          answers: [{ type: 'A', name: q.questions![0].name, ttl: 60, data: '127.0.9.9' }],
        }),
      );
    });
  });
  sock.on('message', (m, r) => {
    const q = packet.decode(m);
    seen.push(q.questions![0].name);
    sock.send(
      packet.encode({
        type: 'response',
        id: q.id,
        flags: packet.RECURSION_AVAILABLE,
        questions: q.questions,
        answers: [{ type: 'A', name: q.questions![0].name, ttl: 60, data: '127.0.9.9' }],
      }),
      r.port,
      r.address,
    );
  });
  return new Promise((resolve) =>
    sock.bind(0, '127.0.0.1', () => {
      const port = sock.address().port;
      tcp.listen(port, '127.0.0.1', () =>
        resolve({ port, seen, close: () => (sock.close(), tcp.close()) }),
      );
    }),
  );
}

function queryUdp(port: number, name: string, type: packet.RecordType = 'A') {
  return new Promise<packet.DecodedPacket>((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => (sock.close(), reject(new Error('no answer'))), 3000);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(packet.decode(m));
    });
    sock.send(
      packet.encode({
        type: 'query',
        id: 4242,
        flags: packet.RECURSION_DESIRED,
        questions: [{ type, name }],
      }),
      port,
      '127.0.0.1',
    );
  });
}

function queryTcp(port: number, name: string) {
  return new Promise<packet.DecodedPacket>((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    sock.on('error', reject);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.destroy();
        resolve(packet.decode(buf.subarray(2)));
      }
    });
    sock.write(packet.streamEncode({ type: 'query', id: 7, questions: [{ type: 'A', name }] }));
  });
}

describe('DNS server', () => {
  let upstream: Awaited<ReturnType<typeof fakeUpstream>>;
  let server: DnsServer;
  let port: number;

  beforeAll(async () => {
    upstream = await fakeUpstream();
    server = await startDnsServer({
      listen: '127.0.0.1:0',
      upstreams: [`127.0.0.1:${upstream.port}`],
      zone: () => zone,
    });
    port = Number(server.address.split(':')[1]);
  });
  afterAll(async () => {
    await server.stop();
    upstream.close();
  });

  it('answers cluster names itself, authoritatively, with the query id', async () => {
    const r = await queryUdp(port, 'web.default.svc.cluster.local');
    expect(r.id).toBe(4242);
    expect(rcode(r)).toBe('NOERROR');
    expect(r.flag_aa).toBe(true);
    expect(r.answers).toEqual([
      expect.objectContaining({
        type: 'A',
        name: 'web.default.svc.cluster.local',
        ttl: 5,
        data: '127.0.100.10',
      }),
    ]);
  });

  it('says NXDOMAIN with the zone SOA for an unknown cluster name', async () => {
    const r = await queryUdp(port, 'nope.default.svc.cluster.local');
    expect(rcode(r)).toBe('NXDOMAIN');
    expect(r.authorities?.[0]).toMatchObject({ type: 'SOA', name: 'cluster.local' });
    expect(upstream.seen).not.toContain('nope.default.svc.cluster.local');
  });

  it('forwards other names to the upstream resolver, over UDP and over TCP', async () => {
    const r = await queryUdp(port, 'example.test');
    expect(r.id).toBe(4242);
    expect(datas(r)).toEqual(['127.0.9.9']);
    const t = await queryTcp(port, 'tcp.example.test');
    expect(datas(t)).toEqual(['127.0.9.9']);
    expect(upstream.seen).toEqual(['example.test', 'tcp:tcp.example.test']);
  });

  it('answers cluster names over TCP too', async () => {
    const t = await queryTcp(port, 'db.default.svc.cluster.local');
    expect(datas(t)).toEqual(['127.0.1.7', '127.0.1.8']);
  });

  it('answers SERVFAIL when no upstream answers', async () => {
    const lonely = await startDnsServer({
      listen: '127.0.0.1:0',
      upstreams: [],
      zone: () => zone,
    });
    try {
      const r = await queryUdp(Number(lonely.address.split(':')[1]), 'example.test');
      expect(rcode(r)).toBe('SERVFAIL');
    } finally {
      await lonely.stop();
    }
  });
});

describe('agents sharing one host', () => {
  it('a second agent whose port is taken by an agent answering cluster names points its pods there', async () => {
    const withApi = new ClusterZone(
      [
        {
          metadata: { name: 'kubernetes', namespace: 'default' },
          spec: { clusterIP: '127.96.0.1' },
        },
      ],
      [],
    );
    const first = await startDnsServer({
      listen: '127.0.0.1:0',
      upstreams: [],
      zone: () => withApi,
    });
    const logs: string[] = [];
    const feed = { services: () => [], slices: () => [], onChange: () => {} };
    const host = { nameservers: [], searches: [], options: [] };
    try {
      const shared = { domain: 'cluster.local', host };
      const second = await startClusterDns(
        feed,
        { listen: first.address, podAddress: '10.0.2.2', domain: 'cluster.local' },
        shared,
        (m) => logs.push(m),
      );
      expect(second).toBeUndefined();
      expect(shared).toMatchObject({ server: '10.0.2.2' });
      expect(logs.join('\n')).toMatch(/served by another process/);
      // Something else on the port (no cluster names): pods keep the node's resolver.
      const lonely = { domain: 'other.local', host };
      await startClusterDns(
        feed,
        { listen: first.address, podAddress: '10.0.2.2', domain: 'other.local' },
        lonely,
        (m) => logs.push(m),
      );
      expect(lonely).not.toHaveProperty('server');
    } finally {
      await first.stop();
    }
  });
});

const pod = (spec: Record<string, unknown>, ns = 'shop'): Pod =>
  ({ metadata: { name: 'p', namespace: ns, uid: 'u1' }, spec: { containers: [], ...spec } }) as Pod;

describe('pod resolver settings', () => {
  const host = parseResolvConf('nameserver 10.255.255.53\nsearch corp.example\noptions edns0\n');
  const s = { server: '10.0.2.2', domain: 'cluster.local', host };

  it("ClusterFirst: the cluster DNS, the namespace search path then the node's, ndots:5", () => {
    expect(podDns(pod({}), s)).toEqual({
      nameservers: ['10.0.2.2'],
      searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'],
      options: ['ndots:5'],
    });
  });

  it("Default keeps the runtime's resolver; hostNetwork ClusterFirst too; no cluster DNS falls back", () => {
    expect(podDns(pod({ dnsPolicy: 'Default' }), s)).toBeUndefined();
    expect(podDns(pod({ hostNetwork: true }), s)).toBeUndefined();
    expect(podDns(pod({}), { ...s, server: undefined })).toBeUndefined();
  });

  it('None takes dnsConfig alone; dnsConfig adds to ClusterFirst and overrides options by name', () => {
    expect(
      podDns(
        pod({
          dnsPolicy: 'None',
          dnsConfig: {
            nameservers: ['127.0.0.9'],
            searches: ['a.b'],
            options: [{ name: 'ndots', value: '2' }],
          },
        }),
        s,
      ),
    ).toEqual({ nameservers: ['127.0.0.9'], searches: ['a.b'], options: ['ndots:2'] });
    expect(
      podDns(
        pod({
          dnsConfig: {
            searches: ['x.y'],
            options: [{ name: 'ndots', value: '1' }, { name: 'edns0' }],
          },
        }),
        s,
      ),
    ).toEqual({
      nameservers: ['10.0.2.2'],
      searches: [
        'shop.svc.cluster.local',
        'svc.cluster.local',
        'cluster.local',
        'corp.example',
        'x.y',
      ],
      options: ['ndots:1', 'edns0'],
    });
  });

  it('ClusterFirstWithHostNet: a hostNetwork pod uses the server where it listens on the host', () => {
    const withHost = { ...s, hostServer: '127.0.0.1' };
    expect(
      podDns(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), withHost),
    ).toMatchObject({ nameservers: ['127.0.0.1'], options: ['ndots:5'] });
    // Not on port 53 (no hostServer): the node's resolver, as without cluster DNS.
    expect(
      podDns(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), s),
    ).toBeUndefined();
    const args = containerArgs({
      req: {
        pod: pod({ hostNetwork: true }),
        container: { name: 'c', image: 'busybox' },
        attempt: 0,
        init: false,
        argv: [],
        env: [],
      } as unknown as ContainerArgsInput['req'],
      image: 'busybox',
      sandbox: undefined,
      mounts: [],
      logPath: undefined,
      imageUser: undefined,
      d: {
        joinUts: true,
        entrypointJson: true,
        logDriverPath: true,
        network: 'slirp4netns',
        runArgs: [],
      },
      names: { owner: '/x' },
      dns: {
        nameservers: ['127.0.0.1'],
        searches: ['shop.svc.cluster.local'],
        options: ['ndots:5'],
        hostLoopback: false,
      },
    });
    const at = args.indexOf('--network');
    expect(args.slice(at, at + 8)).toEqual([
      '--network',
      'host',
      '--dns',
      '127.0.0.1',
      '--dns-search',
      'shop.svc.cluster.local',
      '--dns-option',
      'ndots:5',
    ]);
  });

  it('puts the resolver on the podman sandbox, with slirp4netns allowed to reach the host loopback', () => {
    const args = sandboxArgs(
      pod({}),
      '127.0.4.2',
      'pause',
      {
        joinUts: true,
        entrypointJson: true,
        logDriverPath: true,
        network: 'slirp4netns:port_handler=slirp4netns',
        runArgs: [],
      },
      { owner: '/x' },
      undefined,
      {
        nameservers: ['10.0.2.2'],
        searches: ['shop.svc.cluster.local'],
        options: ['ndots:5'],
        hostLoopback: true,
      },
    );
    const at = args.indexOf('--network');
    expect(args.slice(at, at + 8)).toEqual([
      '--network',
      'slirp4netns:port_handler=slirp4netns,allow_host_loopback=true',
      '--dns',
      '10.0.2.2',
      '--dns-search',
      'shop.svc.cluster.local',
      '--dns-option',
      'ndots:5',
    ]);
  });
});
