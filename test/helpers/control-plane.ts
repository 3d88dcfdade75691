// What the controller and scheduler e2e tests share: simulated nodes, workloads, watch recording, and the leaders' pending alarms.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { startAgent, type AgentProcess } from '../agent/helpers';
import { tempDir, type Cluster, type RunResult } from './cluster';

export { eventually, sleep, stopAgents, type AgentProcess } from '../agent/helpers';

export interface KObj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: {
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
      blockOwnerDeletion?: boolean;
    }[];
    deletionTimestamp?: string;
    finalizers?: string[];
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
  };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  status?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface FakeNodesOptions {
  prefix: string;
  nodes: number;
  /** First node address, 127.0.x.y; each agent process in one cluster needs its own range. */
  address: string;
  cpu?: string;
  memory?: string;
  labels?: string;
}

/**
 * Starts one `edgeplane agent --runtime fake` process holding `nodes` simulated nodes and waits
 * until every one of them is Ready. Stop it by its PID (agent.stop() or agent.kill()).
 */
export async function startFakeNodes(
  cluster: Cluster,
  o: FakeNodesOptions,
): Promise<{ agent: AgentProcess; names: string[] }> {
  const state = path.join(tempDir('edgeplane-fake-agent-'), o.prefix);
  const args = [
    '--runtime',
    'fake',
    '--nodes',
    String(o.nodes),
    '--name-prefix',
    o.prefix,
    '--address',
    o.address,
    '--state',
    state,
  ];
  if (o.cpu) args.push('--cpu', o.cpu);
  if (o.memory) args.push('--memory', o.memory);
  if (o.labels) args.push('--labels', o.labels);
  const agent = await startAgent(cluster, args);
  const names = Array.from({ length: o.nodes }, (_, i) => `${o.prefix}${i + 1}`);
  const until = Date.now() + 30_000;
  for (;;) {
    const nodes = await getList(cluster, '/api/v1/nodes');
    const ready = new Set(
      nodes
        .filter((n) =>
          n.status?.conditions?.some(
            (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
          ),
        )
        .map((n) => n.metadata.name),
    );
    if (names.every((n) => ready.has(n))) break;
    if (Date.now() > until)
      throw new Error(
        `simulated nodes ${names.join(', ')} were not all Ready in 30 s; ready: ${[...ready].join(', ')}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
  return { agent, names };
}

/** GET a JSON object, throwing with the Status text when the answer is not 200. */
export async function getJson<T = KObj>(cluster: Cluster, p: string): Promise<T> {
  const res = await cluster.fetch(p);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${p} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

export async function getList(cluster: Cluster, p: string): Promise<KObj[]> {
  return (await getJson<{ items: KObj[] }>(cluster, p)).items;
}

/** The object, or undefined on 404. */
export async function getMaybe(cluster: Cluster, p: string): Promise<KObj | undefined> {
  const res = await cluster.fetch(p);
  const text = await res.text();
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET ${p} answered ${res.status}: ${text}`);
  return JSON.parse(text) as KObj;
}

/** Sends a request with a JSON body and answers the parsed reply; throws unless the status is one of `ok`. */
export async function send(
  cluster: Cluster,
  method: string,
  p: string,
  body: unknown,
  ok = [200, 201],
  contentType = 'application/json',
): Promise<KObj> {
  const res = await cluster.fetch(p, {
    method,
    body: JSON.stringify(body),
    headers: { 'content-type': contentType },
  });
  const text = await res.text();
  if (!ok.includes(res.status)) throw new Error(`${method} ${p} answered ${res.status}: ${text}`);
  return JSON.parse(text) as KObj;
}

/**
 * `kubectl apply -f -` with the objects as YAML documents; fails the caller with kubectl's stderr.
 * Not a `kind: List` (kubectl validates a List against /openapi/v2), and not JSON documents
 * (kubectl reads a stream that starts with `{` as JSON only).
 */
export async function apply(cluster: Cluster, ...objects: object[]): Promise<RunResult> {
  const input = objects.map((o) => toYaml(o)).join('---\n');
  const out = await cluster.kubectl(['apply', '-f', '-'], { input });
  if (out.code !== 0) throw new Error(`kubectl apply failed (${out.code}): ${out.stderr}`);
  return out;
}

export interface DeploymentOptions {
  namespace?: string;
  replicas?: number;
  image?: string;
  cpu?: string;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  /** The Recreate strategy instead of RollingUpdate. */
  recreate?: boolean;
  progressDeadlineSeconds?: number;
  minReadySeconds?: number;
  annotations?: Record<string, string>;
  podAnnotations?: Record<string, string>;
  terminationGracePeriodSeconds?: number;
}

/** A Deployment manifest whose pods are labelled app=<name>. */
export function deployment(name: string, o: DeploymentOptions = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      ...(o.namespace ? { namespace: o.namespace } : {}),
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      ...(o.progressDeadlineSeconds !== undefined
        ? { progressDeadlineSeconds: o.progressDeadlineSeconds }
        : {}),
      ...(o.minReadySeconds !== undefined ? { minReadySeconds: o.minReadySeconds } : {}),
      ...(o.recreate ? { strategy: { type: 'Recreate' } } : {}),
      ...(o.maxSurge !== undefined || o.maxUnavailable !== undefined
        ? {
            strategy: {
              type: 'RollingUpdate',
              rollingUpdate: {
                maxSurge: o.maxSurge ?? '25%',
                maxUnavailable: o.maxUnavailable ?? '25%',
              },
            },
          }
        : {}),
      template: {
        metadata: {
          labels: { app: name },
          ...(o.podAnnotations ? { annotations: o.podAnnotations } : {}),
        },
        spec: {
          terminationGracePeriodSeconds: o.terminationGracePeriodSeconds ?? 5,
          containers: [
            {
              name: 'app',
              image: o.image ?? 'registry.example/app:1',
              ...(o.cpu ? { resources: { requests: { cpu: o.cpu } } } : {}),
            },
          ],
        },
      },
    },
  };
}

export const isReady = (p: KObj) =>
  p.status?.conditions?.some(
    (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
  ) === true;

/** Pods of a label selector (not terminating unless asked), with their node. */
export async function pods(
  cluster: Cluster,
  selector: string,
  namespace = 'default',
  includeTerminating = false,
): Promise<KObj[]> {
  const items = await getList(
    cluster,
    `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`,
  );
  return includeTerminating ? items : items.filter((p) => !p.metadata.deletionTimestamp);
}

/** How many of the pods each node holds, counting every node given (0 for empty ones). */
export function perNode(list: KObj[], nodes: string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(nodes.map((n) => [n, 0]));
  for (const p of list) {
    const n = p.spec?.nodeName as string | undefined;
    if (n !== undefined) out[n] = (out[n] ?? 0) + 1;
  }
  return out;
}

export interface WatchEvent {
  type: string;
  object: KObj;
  /** When the event arrived (ms since the epoch). */
  at: number;
}

export interface WatchRecorder {
  events: WatchEvent[];
  /** Resolves at the first event (after `from`) that satisfies `pred`, or rejects after timeoutMs. */
  waitFor(pred: (e: WatchEvent) => boolean, timeoutMs: number, from?: number): Promise<WatchEvent>;
  stop(): void;
}

/**
 * An https watch through the cluster's own agent: every event is kept with its arrival time. Starts
 * from the given resourceVersion (a list's), so nothing between the list and the watch is missed.
 */
export function watch(
  cluster: Cluster,
  p: string,
  resourceVersion: string,
): Promise<WatchRecorder> {
  const sep = p.includes('?') ? '&' : '?';
  const url = new URL(
    `${p}${sep}watch=true&resourceVersion=${encodeURIComponent(resourceVersion)}&timeoutSeconds=600`,
    cluster.url,
  );
  const events: WatchEvent[] = [];
  const waiters = new Set<() => void>();
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        headers: { authorization: `Bearer ${cluster.token}`, accept: 'application/json' },
        agent: cluster.agent,
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`watch ${p} answered ${res.statusCode}`));
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            const e = JSON.parse(line) as { type: string; object: KObj };
            events.push({ ...e, at: Date.now() });
            for (const w of [...waiters]) w();
          }
        });
        res.on('error', () => undefined);
        resolve({
          events,
          waitFor(pred, timeoutMs, from = 0) {
            return new Promise((ok, fail) => {
              const check = () => {
                const hit = events.slice(from).find(pred);
                if (hit) {
                  waiters.delete(check);
                  clearTimeout(timer);
                  ok(hit);
                }
              };
              const timer = setTimeout(() => {
                waiters.delete(check);
                fail(
                  new Error(
                    `no matching watch event on ${p} within ${timeoutMs} ms (${events.length} events seen)`,
                  ),
                );
              }, timeoutMs);
              waiters.add(check);
              check();
            });
          },
          stop: () => req.destroy(),
        });
      },
    );
    req.on('error', (e) => reject(e));
    req.end();
  });
}

export interface PendingAlarms {
  /** The scheduler leader's pending alarm (ms since the epoch), or null for none. */
  scheduler: number | null;
  /** The controller-manager leader's pending alarm, or null for none. */
  controllers: number | null;
}

const LEADERS = {
  scheduler: 'edgeplane-scheduler-SchedulerLeader',
  controllers: 'edgeplane-controllers-ControllerLeader',
} as const;

/**
 * The leaders' pending alarms, read from the dev cluster's state folder: workerd keeps every
 * scheduled Durable Object alarm in `<state>/data/do/<worker>-<class>/metadata.sqlite`, table
 * `_cf_ALARM` (scheduled_time in nanoseconds), the list its alarm manager fires from. The SQLite
 * files are opened read-only while the cluster runs (WAL mode lets readers in). Needs Node 22.5+
 * for node:sqlite (node_modules/.bin/node is 24).
 */
export async function pendingAlarms(stateDir: string): Promise<PendingAlarms> {
  const { DatabaseSync } = await import('node:sqlite');
  const read = (dir: string): number | null => {
    const file = path.join(stateDir, 'data', 'do', dir, 'metadata.sqlite');
    if (!fs.existsSync(file)) return null;
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const st = db.prepare('SELECT scheduled_time FROM _cf_ALARM');
      st.setReadBigInts(true);
      const rows = st.all() as { scheduled_time: bigint }[];
      if (rows.length === 0) return null;
      return Math.min(...rows.map((r) => Number(r.scheduled_time / 1_000_000n)));
    } finally {
      db.close();
    }
  };
  return { scheduler: read(LEADERS.scheduler), controllers: read(LEADERS.controllers) };
}

/**
 * Samples the pending alarms every `everyMs` for `forMs` and answers every sample, each with the
 * time it was taken: a single read can fall inside a pass (the alarm fired and is not set again yet).
 */
export async function sampleAlarms(
  stateDir: string,
  forMs: number,
  everyMs = 250,
): Promise<(PendingAlarms & { at: number })[]> {
  const out: (PendingAlarms & { at: number })[] = [];
  const until = Date.now() + forMs;
  for (;;) {
    out.push({ ...(await pendingAlarms(stateDir)), at: Date.now() });
    if (Date.now() >= until) return out;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
