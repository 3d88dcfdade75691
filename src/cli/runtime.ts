// Runs the control plane's three Workers locally in one Miniflare (workerd) instance over https,
// and fires their cron triggers, which local runtimes do not do by themselves.
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { bundleWorker } from './bundle';

export interface RuntimeOptions {
  host: string;
  port: number;
  stateDir: string;
  certPem: string;
  keyPem: string;
  /** Variables for the API Worker (strings, as Worker vars are). */
  vars: Record<string, string>;
  schedulerVars: Record<string, string>;
  controllerVars: Record<string, string>;
  /** How often to fire the cron triggers (Cloudflare fires them every minute). */
  cronIntervalMs?: number;
  verbose?: boolean;
  /** Opens workerd's V8 inspector on this port (for CPU profiles: `npm run bench -- profile`). */
  inspectorPort?: number;
}

export interface LoopStatus {
  passes: number;
  requests: number;
  nextAlarm: number | null;
  [k: string]: unknown;
}

export interface Runtime {
  mf: Miniflare;
  url: URL;
  /** Fires the scheduler's and controllers' cron handlers now. */
  fireCron(): Promise<void>;
  loopStatus(worker: 'scheduler' | 'controllers'): Promise<LoopStatus>;
  stop(): Promise<void>;
}

const COMPATIBILITY_DATE = '2026-11-01';

/** A port the kernel considers free on `host` now (workerd binds it a moment later). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host, port: 0, exclusive: true }, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
const sqlite = (className: string) => ({ className, useSQLite: true });

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const buildDir = path.join(opts.stateDir, 'build');
  fs.mkdirSync(buildDir, { recursive: true });
  const [api, scheduler, controllers] = await Promise.all([
    bundleWorker('src/index.ts', path.join(buildDir, 'api.mjs')),
    bundleWorker('workers/scheduler/index.ts', path.join(buildDir, 'scheduler.mjs')),
    bundleWorker('workers/controllers/index.ts', path.join(buildDir, 'controllers.mjs')),
  ]);
  const common = { modules: true, modulesRoot: buildDir, compatibilityDate: COMPATIBILITY_DATE };
  // The API advertises the address it serves on in the `kubernetes` Service's endpoints
  // (src/server/kubernetes-endpoints.ts), so the port must be known before workerd starts: port 0
  // is resolved here by asking the kernel for a free one.
  const port = opts.port || (await freePort(opts.host));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: opts.host,
      port,
      httpsKey: opts.keyPem,
      httpsCert: opts.certPem,
      resourcePersistencePath: path.join(opts.stateDir, 'data'),
      verbose: opts.verbose ?? false,
      ...(opts.inspectorPort ? { inspectorPort: opts.inspectorPort } : {}),
      workers: [
        {
          ...common,
          name: 'edgeplane-api',
          scriptPath: api,
          bindings: { ADVERTISE_ADDRESS: `${opts.host}:${port}`, ...opts.vars },
          durableObjects: {
            SHARDS: sqlite('StorageShard'),
            HUBS: sqlite('WatchHub'),
            LOGS: sqlite('LogStore'),
            NODE_TUNNEL: sqlite('NodeTunnel'),
            METRICS: sqlite('MetricsShard'),
            UI_HUB: sqlite('UiHub'),
          },
          serviceBindings: {
            SCHEDULER: 'edgeplane-scheduler',
            CONTROLLERS: 'edgeplane-controllers',
          },
        },
        {
          ...common,
          name: 'edgeplane-scheduler',
          scriptPath: scheduler,
          bindings: opts.schedulerVars,
          durableObjects: { LEADER: sqlite('SchedulerLeader') },
          serviceBindings: { API: { name: 'edgeplane-api', entrypoint: 'SchedulerApi' } },
        },
        {
          ...common,
          name: 'edgeplane-controllers',
          scriptPath: controllers,
          bindings: opts.controllerVars,
          durableObjects: { LEADER: sqlite('ControllerLeader') },
          serviceBindings: { API: { name: 'edgeplane-api', entrypoint: 'ControllersApi' } },
        },
      ],
    }),
  );
  const url = await mf.ready;
  const fireCron = async () => {
    for (const name of ['edgeplane-scheduler', 'edgeplane-controllers']) {
      const w = await mf.getWorker(name);
      await w.scheduled({ cron: '* * * * *' });
    }
  };
  const timer = setInterval(
    () => void fireCron().catch(() => undefined),
    opts.cronIntervalMs ?? 60_000,
  );
  timer.unref();
  return {
    mf,
    url,
    fireCron,
    async loopStatus(worker) {
      const w = (await mf.getWorker(`edgeplane-${worker}`)) as unknown as {
        status(): Promise<LoopStatus>;
      };
      return w.status();
    },
    stop: async () => {
      clearInterval(timer);
      await mf.dispose();
    },
  };
}
