// The agent's DNS server: answers cluster names from the zone, forwards everything else to the
// node's resolvers, over UDP and TCP. Packets are encoded and decoded by dns-packet.
import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';
import type { ClusterZone, Rr } from './zone';
import { parseServer } from './resolv-conf';

export interface DnsServerOptions {
  /** Where to listen, `host:port`. */
  listen: string;
  /** The node's resolvers (`ip` or `ip:port`), tried in order for names outside the cluster. */
  upstreams: string[];
  /** The current zone (rebuilt by the caller when Services or EndpointSlices change). */
  zone: () => ClusterZone;
  log?: (message: string) => void;
  /** How long one upstream gets before the next is tried. */
  forwardTimeoutMs?: number;
}

export interface DnsServer {
  /** `host:port` actually bound (port 0 picks one). */
  address: string;
  stop(): Promise<void>;
}

const NOERROR = 0;
const SERVFAIL = 2;
const NXDOMAIN = 3;
const NOTIMP = 4;
/** Without EDNS, a UDP answer larger than this is truncated (RFC 1035 4.2.1). */
const UDP_LIMIT = 512;
const FORWARD_TIMEOUT_MS = 2000;

type Question = packet.Question;

function negativeSoa(domain: string): packet.Answer {
  // k8s DNS spec: the zone's SOA in the authority section lets clients cache the negative answer.
  return {
    type: 'SOA',
    name: domain,
    ttl: 5,
    data: {
      mname: `ns.dns.${domain}`,
      rname: `hostmaster.${domain}`,
      serial: Math.floor(Date.now() / 1000),
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: 5,
    },
  };
}

const toAnswer = (rr: Rr): packet.Answer => rr as packet.Answer;

/** The reply to a query the zone owns, or undefined when it must be forwarded. */
export function localReply(
  zone: ClusterZone,
  query: packet.DecodedPacket,
): packet.Packet | undefined {
  const q: Question | undefined = query.questions?.[0];
  const base = {
    type: 'response' as const,
    id: query.id,
    questions: query.questions,
  };
  const rd = (query.flags ?? 0) & packet.RECURSION_DESIRED;
  if (!q || (query.questions?.length ?? 0) !== 1) return { ...base, flags: rd | NOTIMP };
  const res = zone.answer(q.name, q.type);
  if (res.kind === 'forward') return undefined;
  const flags = packet.AUTHORITATIVE_ANSWER | packet.RECURSION_AVAILABLE | rd;
  if (res.kind === 'nxdomain')
    return { ...base, flags: flags | NXDOMAIN, authorities: [negativeSoa(zone.domain)] };
  return {
    ...base,
    flags: flags | NOERROR,
    answers: res.answers.map(toAnswer),
    additionals: res.additionals.map(toAnswer),
    authorities: res.answers.length ? [] : [negativeSoa(zone.domain)],
  };
}

function servfail(query: packet.DecodedPacket): Buffer {
  return packet.encode({
    type: 'response',
    id: query.id,
    flags: packet.RECURSION_AVAILABLE | ((query.flags ?? 0) & packet.RECURSION_DESIRED) | SERVFAIL,
    questions: query.questions,
  });
}

/** UDP's size limit: the client's EDNS buffer size, or 512 bytes. */
function udpLimit(query: packet.DecodedPacket): number {
  const opt = query.additionals?.find((a) => a.type === 'OPT') as
    { udpPayloadSize?: number } | undefined;
  return Math.max(UDP_LIMIT, opt?.udpPayloadSize ?? UDP_LIMIT);
}

function encodeFor(reply: packet.Packet, limit: number): Buffer {
  const buf = packet.encode(reply);
  if (buf.length <= limit) return buf;
  // Too big for UDP: say so with TC and no records, and the client retries over TCP.
  return packet.encode({
    ...reply,
    flags: (reply.flags ?? 0) | packet.TRUNCATED_RESPONSE,
    answers: [],
    additionals: [],
    authorities: [],
  });
}

async function forwardUdp(raw: Buffer, host: string, port: number, timeoutMs: number) {
  return new Promise<Buffer>((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`${host}:${port} did not answer in ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(msg);
    });
    sock.send(raw, port, host);
  });
}

async function forwardTcp(raw: Buffer, host: string, port: number, timeoutMs: number) {
  return new Promise<Buffer>((resolve, reject) => {
    const sock = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    const done = (err?: Error, value?: Buffer) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(
      () => done(new Error(`${host}:${port} did not answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    sock.on('error', (err) => done(err));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(raw.length);
      sock.write(Buffer.concat([len, raw]));
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0))
        done(undefined, buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
  });
}

/** Starts serving; rejects when the address cannot be bound (in use, no permission). */
export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const log = opts.log ?? (() => {});
  const { host, port } = parseServer(opts.listen);
  const timeoutMs = opts.forwardTimeoutMs ?? FORWARD_TIMEOUT_MS;
  const self = new Set<string>();
  const upstreams = () =>
    opts.upstreams.map(parseServer).filter((u) => !self.has(`${u.host}:${u.port}`));

  /** The reply bytes for one query (`tcp`: no size limit, forwarded over TCP). */
  const handle = async (raw: Buffer, tcp: boolean): Promise<Buffer | undefined> => {
    let query: packet.DecodedPacket;
    try {
      query = packet.decode(raw);
    } catch {
      return undefined; // Not DNS: nothing sensible to answer.
    }
    if (query.type !== 'query') return undefined;
    const local = localReply(opts.zone(), query);
    if (local) return tcp ? packet.encode(local) : encodeFor(local, udpLimit(query));
    for (const u of upstreams()) {
      try {
        return await (tcp ? forwardTcp : forwardUdp)(raw, u.host, u.port, timeoutMs);
      } catch (err) {
        log(
          `dns: forwarding ${query.questions?.[0]?.name ?? '?'} to ${u.host}:${u.port}: ${(err as Error).message}`,
        );
      }
    }
    return servfail(query);
  };

  const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  udp.on('message', (msg, rinfo) => {
    void handle(msg, false).then((reply) => {
      if (reply) udp.send(reply, rinfo.port, rinfo.address);
    });
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  udp.on('error', (err) => log(`dns: udp: ${err.message}`));
  const bound = udp.address().port;

  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void handle(Buffer.from(msg), true).then((reply) => {
          if (!reply || sock.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          sock.write(Buffer.concat([len, reply]));
        });
      }
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(bound, host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    udp.close();
    throw err;
  }
  self.add(`${host}:${bound}`);
  return {
    address: `${host}:${bound}`,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ]);
    },
  };
}
