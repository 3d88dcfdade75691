// Cluster DNS in the podman lane: `edgeplane dev --agents 1 --runtime podman`, its agent serving DNS
// on 127.0.0.1:53 (pods reach it as 10.0.2.2), and busybox pods resolving through it with nslookup:
// a ClusterIP Service by its full name and its short name, a pod of a headless Service by
// <hostname>.<subdomain>, and an outside name forwarded to a fake upstream resolver on loopback.
import dgram from 'node:dgram';
import path from 'node:path';
import * as packet from 'dns-packet';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../agent/helpers';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import { apply, getJson, type KObj } from '../helpers/control-plane';
import { BUSYBOX_IMAGE, ensureBusyboxImage, removeOwned, requirePodman } from './setup';

const EXTERNAL = 'outside.example.test';
const EXTERNAL_IP = '192.0.2.77';

let c: Cluster;
let agentState: string;
let upstream: dgram.Socket;
const forwarded: string[] = [];
let setupError: Error | undefined;

/** The node's "resolver" for this test: answers EXTERNAL, NXDOMAIN for anything else. */
function startUpstream(): Promise<number> {
  upstream = dgram.createSocket('udp4');
  upstream.on('message', (m, r) => {
    const q = packet.decode(m);
    const question = q.questions![0];
    forwarded.push(`${question.type} ${question.name}`);
    const known = question.name.toLowerCase() === EXTERNAL;
    upstream.send(
      packet.encode({
        type: 'response',
        id: q.id,
        flags: packet.RECURSION_AVAILABLE | (known ? 0 : 3),
        questions: q.questions,
        answers:
          known && question.type === 'A'
            ? [{ type: 'A', name: question.name, ttl: 30, data: EXTERNAL_IP }]
            : [],
      }),
      r.port,
      r.address,
    );
  });
  return new Promise((resolve) =>
    upstream.bind(0, '127.0.0.1', () => resolve(upstream.address().port)),
  );
}

const sleeper = (name: string, namespace: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: name } },
  spec: {
    terminationGracePeriodSeconds: 1,
    containers: [
      {
        name: 'main',
        image: BUSYBOX_IMAGE,
        imagePullPolicy: 'IfNotPresent',
        command: ['sleep', '3600'],
      },
    ],
    ...extra,
  },
});

beforeAll(async () => {
  try {
    requirePodman();
    ensureBusyboxImage();
    const port = await startUpstream();
    c = await startCluster({
      extraArgs: ['--agents', '1', '--runtime', 'podman'],
      env: { ...process.env, EDGEPLANE_CLUSTER_DNS_UPSTREAM: `127.0.0.1:${port}` },
    });
    agentState = path.join(c.stateDir, 'agents', 'node-1');
    await apply(
      c,
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sts' } },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'default' },
        spec: { selector: { app: 'nothing' }, ports: [{ name: 'http', port: 80 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'sts' },
        spec: {
          clusterIP: 'None',
          selector: { app: 'web-0' },
          ports: [{ name: 'http', port: 80 }],
        },
      },
      sleeper('client', 'default'),
      // What a StatefulSet gives its pods: hostname and subdomain naming the headless Service.
      sleeper('web-0', 'sts', { hostname: 'web-0', subdomain: 'web' }),
    );
    for (const [ns, pod] of [
      ['default', 'client'],
      ['sts', 'web-0'],
    ]) {
      const r = await c.kubectl(
        ['wait', '--for=condition=Ready', `pod/${pod}`, '-n', ns, '--timeout=90s'],
        { timeoutMs: 100_000 },
      );
      if (r.code !== 0) throw new Error(`pod ${ns}/${pod} not ready: ${r.stdout}${r.stderr}`);
    }
  } catch (err) {
    setupError = err as Error;
  }
}, 180_000);

afterAll(async () => {
  await cleanupClusters();
  if (agentState) removeOwned(agentState);
  upstream?.close();
}, 120_000);

beforeEach(() => {
  if (setupError) throw setupError;
});

/** `nslookup NAME` inside the pod; the addresses it printed after the server's own lines. */
async function lookup(
  ns: string,
  pod: string,
  name: string,
): Promise<{ out: string; addresses: string[] }> {
  const r = await c.kubectl(['exec', '-n', ns, pod, '--', 'nslookup', name], { timeoutMs: 30_000 });
  const out = `${r.stdout}${r.stderr}`;
  const answer = out
    .split(/\n\s*\n/)
    .slice(1)
    .join('\n');
  return { out, addresses: [...answer.matchAll(/Address:\s*([0-9.]+)\s*$/gm)].map((m) => m[1]) };
}

/** The address the libc resolver gives NAME (busybox ping prints it before it needs a raw socket). */
async function libcLookup(ns: string, pod: string, name: string) {
  const r = await c.kubectl(['exec', '-n', ns, pod, '--', 'ping', '-c', '1', '-W', '1', name], {
    timeoutMs: 30_000,
  });
  const out = `${r.stdout}${r.stderr}`;
  return { out, address: /^PING \S+ \(([0-9.]+)\)/m.exec(out)?.[1] };
}

describe('cluster DNS in podman pods', () => {
  it("a pod's resolv.conf names the agent, the namespace search path and ndots:5", async () => {
    const r = await c.kubectl(['exec', 'client', '--', 'cat', '/etc/resolv.conf']);
    expect(r.stdout).toMatch(/^nameserver 10\.0\.2\.2$/m);
    expect(r.stdout).toMatch(
      /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local\b/m,
    );
    expect(r.stdout).toMatch(/^options ndots:5$/m);
  });

  it('resolves web.default.svc.cluster.local and web to the ClusterIP', async () => {
    const svc = await getJson<KObj>(c, '/api/v1/namespaces/default/services/web');
    const ip = svc.spec.clusterIP as string;
    const full = await eventually('nslookup web.default.svc.cluster.local', async () => {
      const l = await lookup('default', 'client', 'web.default.svc.cluster.local');
      return l.addresses.includes(ip) && l;
    });
    expect(full.addresses).toEqual([ip]);
    const short = await lookup('default', 'client', 'web');
    expect(short.addresses, short.out).toEqual([ip]);
    expect((await libcLookup('default', 'client', 'web')).address).toBe(ip);
  });

  it('resolves web-0.web to the pod IP through the headless Service', async () => {
    const pod = await getJson<KObj>(c, '/api/v1/namespaces/sts/pods/web-0');
    const podIP = pod.status.podIP as string;
    // busybox nslookup skips the search path for dotted names; the libc resolver (ping's lookup)
    // applies it as any program's would, with ndots:5.
    const viaSearch = await eventually('web-0.web through the search path', async () => {
      const r = await libcLookup('sts', 'web-0', 'web-0.web');
      return r.address === podIP && r;
    });
    expect(viaSearch.address).toBe(podIP);
    const full = await lookup('sts', 'web-0', 'web-0.web.sts.svc.cluster.local');
    expect(full.addresses, full.out).toEqual([podIP]);
    const all = await lookup('sts', 'web-0', 'web.sts.svc.cluster.local');
    expect(all.addresses, all.out).toEqual([podIP]);
  });

  it("forwards an outside name to the node's resolver, and an unknown cluster name fails", async () => {
    const l = await lookup('default', 'client', EXTERNAL);
    expect(l.addresses, l.out).toEqual([EXTERNAL_IP]);
    expect(forwarded).toContain(`A ${EXTERNAL}`);
    // Cluster names are never forwarded: the search path's tries ended at the agent.
    expect(forwarded.some((f) => f.includes('svc.cluster.local'))).toBe(false);
    const missing = await lookup('default', 'client', 'nope.default.svc.cluster.local');
    expect(missing.addresses).toEqual([]);
    expect(missing.out).toMatch(/NXDOMAIN|can't find/i);
  });
});
