// One TCP listener for one Service port: accepts, dials a backend, and splices the two sockets.
// k8s: pkg/proxy/userspace/proxysocket.go (tcpProxySocket: retries other endpoints, then copies both ways)
import net from 'node:net';
import { backendKey, type Backend } from './rules';

export interface ListenerOptions {
  host: string;
  port: number;
  /** SO_REUSEPORT: several agents on one host each hold the same ClusterIP listener and the kernel spreads connections. */
  reusePort: boolean;
  /** The backend for a new connection, skipping the ones it already failed to reach; undefined rejects it. */
  pick(clientIp: string | undefined, tried: ReadonlySet<string>): Backend | undefined;
  /** Dial timeouts, one per attempt; kube-proxy's userspace mode escalated them the same way. */
  dialTimeoutsMs?: number[];
  log?: (message: string) => void;
}

export interface ListenerStats {
  accepted: number;
  /** Connections reset because no ready endpoint (or none reachable) was left: kube-proxy's REJECT. */
  rejected: number;
  active: number;
}

const DEFAULT_DIAL_TIMEOUTS_MS = [1000, 2000, 4000];

export class ServiceListener {
  readonly stats: ListenerStats = { accepted: 0, rejected: 0, active: 0 };
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly opts: ListenerOptions) {}

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  /** The bound address (port 0 asks the kernel for one). */
  address(): net.AddressInfo | undefined {
    return (this.server?.address() as net.AddressInfo | null) ?? undefined;
  }

  /** Binds; rejects with the bind error (EADDRINUSE, EACCES, EADDRNOTAVAIL) and holds nothing then. */
  listen(): Promise<void> {
    // allowHalfOpen: a client that shuts down its write side still gets the whole answer.
    // pauseOnConnect: nothing is read from the client until a backend is connected to take it.
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) =>
      this.accept(client),
    );
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(
        { host: this.opts.host, port: this.opts.port, reusePort: this.opts.reusePort },
        () => {
          server.off('error', reject);
          server.on('error', (err) =>
            this.opts.log?.(`listener ${this.opts.host}:${this.opts.port}: ${err.message}`),
          );
          this.server = server;
          resolve();
        },
      );
    });
  }

  /**
   * Stops accepting. With `drain`, connections already spliced carry on until either side ends
   * them, as conntrack keeps established flows after kube-proxy removes a rule; without, they are cut.
   */
  async close(drain: boolean): Promise<void> {
    const server = this.server;
    this.server = undefined;
    // server.close() releases the listening socket at once; its callback would wait for every connection.
    server?.close();
    if (!drain) {
      const closed = [...this.sockets].map(
        (s) =>
          new Promise<void>((resolve) =>
            s.destroyed ? resolve() : s.once('close', () => resolve()),
          ),
      );
      for (const s of this.sockets) s.destroy();
      await Promise.all(closed);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private accept(client: net.Socket): void {
    this.stats.accepted++;
    this.stats.active++;
    this.track(client);
    client.once('close', () => this.stats.active--);
    // Until the splice takes over, a client error only means it is gone.
    client.on('error', () => client.destroy());
    this.dial(client, new Set());
  }

  private dial(client: net.Socket, tried: Set<string>): void {
    if (client.destroyed) return;
    const timeouts = this.opts.dialTimeoutsMs ?? DEFAULT_DIAL_TIMEOUTS_MS;
    const backend =
      tried.size < timeouts.length ? this.opts.pick(client.remoteAddress, tried) : undefined;
    if (!backend) {
      this.stats.rejected++;
      // A reset, not a clean close, so the client sees a refused service rather than an empty answer.
      client.resetAndDestroy();
      return;
    }
    tried.add(backendKey(backend));
    const upstream = net.connect({ host: backend.ip, port: backend.port, allowHalfOpen: true });
    this.track(upstream);
    upstream.setTimeout(timeouts[tried.size - 1], () =>
      upstream.destroy(new Error('dial timeout')),
    );
    const abandon = () => upstream.destroy();
    client.once('close', abandon);
    const retry = () => {
      client.off('close', abandon);
      upstream.destroy();
      this.dial(client, tried);
    };
    upstream.once('error', retry);
    upstream.once('connect', () => {
      upstream.setTimeout(0);
      upstream.off('error', retry);
      client.off('close', abandon);
      this.splice(client, upstream);
    });
  }

  private splice(client: net.Socket, upstream: net.Socket): void {
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    // An error on either side (a reset, a broken pipe) closes both; a clean end is passed on as a
    // half-close by pipe(), and each socket closes once both of its directions are done.
    const fail = () => {
      client.destroy();
      upstream.destroy();
    };
    client.removeAllListeners('error');
    client.on('error', fail);
    upstream.on('error', fail);
    // pipe() pauses the reader while the writer's buffer is full: backpressure both ways.
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }
}
