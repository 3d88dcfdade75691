// The process runtime end to end: real processes on loopback pod IPs, probes, restarts, graceful stop, adoption.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentApi } from '../../src/agent/api';
import type { Container, Pod } from '../../src/agent/types';
import { parseCidr } from '../../src/lib/cidr';
import { cleanupClusters, type Cluster } from '../helpers/cluster';
import {
  adminApi,
  eventually,
  killRecordedContainers,
  NODE_BIN,
  processAlive,
  randomSlots,
  sleep,
  startAgent,
  startedAgents,
  startTestCluster,
  stopAgents,
  type AgentProcess,
} from './helpers';

const NODE = 'proc-1';
const [{ address: ADDRESS, podCidr: POD_CIDR }] = randomSlots();
let cluster: Cluster;
let api: AgentApi;
let agent: AgentProcess;
let stateDir: string;

const agentArgs = () => [
  '--runtime',
  'process',
  '--name',
  NODE,
  '--address',
  ADDRESS,
  '--state',
  stateDir,
  '--verbose',
];

beforeAll(async () => {
  cluster = await startTestCluster();
  api = adminApi(cluster);
  stateDir = path.join(cluster.stateDir, '..', 'process-agent');
  agent = await startAgent(cluster, agentArgs());
}, 180_000);

// A failing test shows what the agent said (it runs with --verbose).
afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail')
    for (const [i, a] of startedAgents.entries())
      console.log(`--- agent ${i} (pid ${a.pid})\n${a.output()}`);
});

afterAll(async () => {
  await stopAgents();
  // The agent leaves containers running for adoption; the test leaves nothing.
  if (stateDir) killRecordedContainers(stateDir);
  api?.close();
  await cleanupClusters();
}, 60_000);

const WEB =
  "require('http').createServer((q,s)=>s.end('hi')).listen(process.env.PORT||8080, process.env.POD_IP)";

function pod(
  name: string,
  containers: Container[],
  extra: Partial<Pod['spec']> = {},
  labels?: Record<string, string>,
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) },
    spec: { nodeName: NODE, terminationGracePeriodSeconds: 5, containers, ...extra },
  };
}

const podIpEnv = { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } };

function webPod(name: string): Pod {
  return pod(name, [
    {
      name: 'web',
      image: 'example/web:1',
      command: [NODE_BIN, '-e', WEB],
      env: [{ name: 'PORT', value: '8080' }, podIpEnv],
      ports: [{ name: 'http', containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
    },
  ]);
}

const get = (name: string) => api.client.get<Pod>('pods', name, { namespace: 'default' });
const ready = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

async function httpGet(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  return res.text();
}

/** PIDs of live processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (
        fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker) &&
        processAlive(Number(entry))
      )
        out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

async function events(
  name: string,
): Promise<{ reason: string; message: string; count?: number; type: string }[]> {
  const list = await api.client.list('events', {
    namespace: 'default',
    fieldSelector: `involvedObject.name=${name}`,
  });
  return list.items as unknown as {
    reason: string;
    message: string;
    count?: number;
    type: string;
  }[];
}

describe('process runtime', () => {
  it('runs a web server on its own loopback pod IP: Running, Ready by its readiness probe, answering', async () => {
    await api.client.create('pods', webPod('web'));
    const line = await eventually('web to be 1/1 Running', async () => {
      const out = await cluster.kubectl(['get', 'pod', 'web', '--no-headers', '-o', 'wide']);
      return /^web\s+1\/1\s+Running\s+0\s/.test(out.stdout) ? out.stdout : undefined;
    });
    const p = await get('web');
    expect(line).toContain(p.status!.podIP!);
    expect(parseCidr(POD_CIDR).contains(p.status!.podIP!)).toBe(true);
    expect(p.status).toMatchObject({ phase: 'Running', hostIP: ADDRESS });
    expect(p.status!.containerStatuses![0]).toMatchObject({
      ready: true,
      started: true,
      restartCount: 0,
      image: 'example/web:1',
      imageID: 'process://example/web:1',
    });
    expect(p.status!.containerStatuses![0].containerID).toMatch(/^process:\/\/[0-9a-f]{64}$/);
    expect(await httpGet(`http://${p.status!.podIP}:8080/`)).toBe('hi');
    const reasons = (await events('web')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Pulled', 'Created', 'Started']));
  });

  it('gives a second replica its own address, so both listen on port 8080', async () => {
    await api.client.create('pods', webPod('web-2'));
    const p = await eventually('web-2 to be Ready', async () => {
      const got = await get('web-2');
      return ready(got) ? got : undefined;
    });
    const first = (await get('web')).status!.podIP!;
    expect(p.status!.podIP).not.toBe(first);
    expect(await httpGet(`http://${p.status!.podIP}:8080/`)).toBe('hi');
    expect(await httpGet(`http://${first}:8080/`)).toBe('hi');
  });

  it('builds the environment from env, envFrom, ConfigMaps, Secrets, the downward API and services, and nothing of the agent', async () => {
    await api.client.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'default' },
      data: { color: 'blue', size: 'L' },
    });
    await api.client.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'default' },
      data: { password: Buffer.from('s3cret').toString('base64') },
    });
    await api.client.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'my-db', namespace: 'default' },
      spec: { selector: { app: 'db' }, ports: [{ name: 'sql', port: 5432 }] },
    });
    const dumpDir = fs.mkdtempSync(path.join(path.dirname(stateDir), 'wd-'));
    const server =
      "require('http').createServer((q,s)=>s.end(JSON.stringify({env:process.env,cwd:process.cwd()}))).listen(8080, process.env.POD_IP)";
    await api.client.create(
      'pods',
      pod(
        'env',
        [
          {
            name: 'main',
            image: 'x',
            command: [NODE_BIN, '-e', server],
            workingDir: dumpDir,
            envFrom: [
              { configMapRef: { name: 'settings' }, prefix: 'CFG_' },
              { secretRef: { name: 'creds' } },
            ],
            env: [
              podIpEnv,
              { name: 'GREETING', value: 'hello $(CFG_color) $$(literal)' },
              { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'color' } } },
              { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
              {
                name: 'MISSING_OK',
                valueFrom: { configMapKeyRef: { name: 'nope', key: 'x', optional: true } },
              },
              { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'MY_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
              { name: 'MY_APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
              { name: 'MY_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: 'MY_HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
              {
                name: 'MEM_MI',
                valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
              },
              {
                name: 'CPU_REQ_M',
                valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } },
              },
            ],
            resources: {
              limits: { memory: '64Mi', cpu: '500m' },
              requests: { cpu: '250m', memory: '32Mi' },
            },
          },
        ],
        {},
        { app: 'envtest' },
      ),
    );
    const p = await eventually('env to run', async () => {
      const got = await get('env');
      return got.status?.phase === 'Running' && got.status.podIP ? got : undefined;
    });
    const dump = await eventually(
      'env to answer',
      async () =>
        JSON.parse(await httpGet(`http://${p.status!.podIP}:8080/`)) as {
          env: Record<string, string>;
          cwd: string;
        },
    );
    const env = dump.env;
    expect(dump.cwd).toBe(dumpDir);
    expect(env).toMatchObject({
      POD_IP: p.status!.podIP,
      CFG_color: 'blue',
      CFG_size: 'L',
      password: 's3cret',
      GREETING: 'hello blue $(literal)',
      COLOR: 'blue',
      PASS: 's3cret',
      MY_NAME: 'env',
      MY_NS: 'default',
      MY_UID: p.metadata.uid,
      MY_APP: 'envtest',
      MY_NODE: NODE,
      MY_HOST_IP: ADDRESS,
      MEM_MI: '64',
      CPU_REQ_M: '250',
      HOSTNAME: 'env',
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    });
    expect(env.HOME).toBeTruthy();
    expect(env).not.toHaveProperty('MISSING_OK');
    const svc = await api.client.get<{ spec: { clusterIP: string } } & Pod>('services', 'my-db', {
      namespace: 'default',
    });
    expect(env).toMatchObject({
      MY_DB_SERVICE_HOST: svc.spec.clusterIP,
      MY_DB_SERVICE_PORT: '5432',
      MY_DB_SERVICE_PORT_SQL: '5432',
      MY_DB_PORT: `tcp://${svc.spec.clusterIP}:5432`,
    });
    // The agent's own environment (its marker, its PATH, npm's variables) never reaches a container.
    expect(env).not.toHaveProperty('EDGEPLANE_AGENT_SECRET_MARKER');
    expect(Object.keys(env).filter((k) => /^npm_|^VITEST/i.test(k))).toEqual([]);
    // What the process runtime cannot honour is said, not skipped silently.
    await eventually('an UnsupportedByRuntime event', async () =>
      (await events('env')).some(
        (e) =>
          e.type === 'Warning' &&
          e.reason === 'UnsupportedByRuntime' &&
          e.message === 'container main: resource limits are not enforced by the process runtime',
      ),
    );
  });

  it('reports CreateContainerConfigError when a referenced ConfigMap is missing', async () => {
    await api.client.create(
      'pods',
      pod('no-config', [
        {
          name: 'main',
          image: 'x',
          command: [NODE_BIN, '-e', 'setInterval(()=>{},1e6)'],
          env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }],
        },
      ]),
    );
    const p = await eventually('no-config to report the error', async () => {
      const got = await get('no-config');
      return got.status?.containerStatuses?.[0]?.state.waiting?.reason ===
        'CreateContainerConfigError'
        ? got
        : undefined;
    });
    expect(p.status!.containerStatuses![0].state.waiting!.message).toBe(
      'configmap "absent" not found',
    );
    expect((await cluster.kubectl(['get', 'pod', 'no-config', '--no-headers'])).stdout).toMatch(
      /CreateContainerConfigError/,
    );
  });

  it('restarts a container whose process was killed: restartCount goes up and it answers again', async () => {
    const before = await get('web');
    const containerID = before.status!.containerStatuses![0].containerID!;
    const pids = processesWith(WEB);
    expect(pids.length).toBe(2);
    const rec = JSON.parse(
      fs.readFileSync(
        path.join(
          stateDir,
          'process',
          'pods',
          before.metadata.uid!,
          'containers',
          `${containerID.slice('process://'.length)}.json`,
        ),
        'utf8',
      ),
    ) as { pid: number };
    process.kill(rec.pid, 'SIGKILL');
    const after = await eventually('web to restart', async () => {
      const got = await get('web');
      return got.status!.containerStatuses![0].restartCount === 1 && ready(got) ? got : undefined;
    });
    expect(after.status!.containerStatuses![0].lastState.terminated).toMatchObject({
      exitCode: 137,
      signal: 9,
      reason: 'Error',
      containerID,
    });
    expect(after.status!.podIP).toBe(before.status!.podIP);
    expect(await httpGet(`http://${after.status!.podIP}:8080/`)).toBe('hi');
    expect((await cluster.kubectl(['get', 'pod', 'web', '--no-headers'])).stdout).toMatch(
      /^web\s+1\/1\s+Running\s+1 \(/,
    );
  });

  it('shows CrashLoopBackOff for a container that keeps failing, with a BackOff event', async () => {
    await api.client.create(
      'pods',
      pod('crash', [{ name: 'crash', image: 'x', command: [NODE_BIN, '-e', 'process.exit(3)'] }]),
    );
    const p = await eventually(
      'crash to back off',
      async () => {
        const got = await get('crash');
        const s = got.status?.containerStatuses?.[0];
        return s?.state.waiting?.reason === 'CrashLoopBackOff' && s.restartCount >= 1
          ? got
          : undefined;
      },
      30_000,
    );
    const s = p.status!.containerStatuses![0];
    expect(s.state.waiting!.message).toMatch(
      /^back-off \d+s restarting failed container=crash pod=crash_default\(/,
    );
    expect(s.lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect((await cluster.kubectl(['get', 'pod', 'crash', '--no-headers'])).stdout).toMatch(
      /^crash\s+0\/1\s+CrashLoopBackOff/,
    );
    await eventually('a BackOff event', async () =>
      (await events('crash')).some((e) => e.reason === 'BackOff' && e.type === 'Warning'),
    );
  });

  it('restarts a container whose liveness probe fails, with Unhealthy and Killing events', async () => {
    await api.client.create(
      'pods',
      pod(
        'unlive',
        [
          {
            name: 'main',
            image: 'x',
            command: [NODE_BIN, '-e', 'setInterval(()=>{},1e6)'],
            livenessProbe: {
              exec: { command: [NODE_BIN, '-e', 'process.exit(1)'] },
              initialDelaySeconds: 1,
              periodSeconds: 1,
              failureThreshold: 2,
            },
          },
        ],
        { terminationGracePeriodSeconds: 2 },
      ),
    );
    await eventually(
      'unlive to be restarted',
      async () => ((await get('unlive')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
      40_000,
    );
    const evs = await events('unlive');
    expect(
      evs.some((e) => e.reason === 'Unhealthy' && e.message.startsWith('Liveness probe failed')),
    ).toBe(true);
    expect(
      evs.some(
        (e) =>
          e.reason === 'Killing' &&
          e.message === 'Container main failed liveness probe, will be restarted',
      ),
    ).toBe(true);
  });

  it('holds liveness and readiness until the startup probe passes, and turns unready without a restart when readiness fails', async () => {
    // GET / answers 200 until the file "sick" exists in $HOME, then 500; "booted" marks the end of a slow start.
    const server = [
      "const fs=require('fs'),p=require('path'),h=process.env.HOME;",
      "setTimeout(()=>fs.writeFileSync(p.join(h,'booted'),''),2000);",
      "require('http').createServer((q,s)=>{s.statusCode=fs.existsSync(p.join(h,'sick'))?500:200;s.end()}).listen(8080,process.env.POD_IP)",
    ].join('');
    await api.client.create(
      'pods',
      pod('slow', [
        {
          name: 'main',
          image: 'x',
          command: [NODE_BIN, '-e', server],
          env: [podIpEnv],
          startupProbe: {
            exec: {
              command: [
                NODE_BIN,
                '-e',
                "process.exit(require('fs').existsSync(require('path').join(process.env.HOME,'booted'))?0:1)",
              ],
            },
            periodSeconds: 1,
            failureThreshold: 30,
          },
          readinessProbe: {
            httpGet: { path: '/', port: 8080 },
            periodSeconds: 1,
            failureThreshold: 1,
          },
        },
      ]),
    );
    const early = await eventually('slow to run', async () => {
      const got = await get('slow');
      return got.status?.containerStatuses?.[0]?.state.running ? got : undefined;
    });
    expect(early.status!.containerStatuses![0]).toMatchObject({ started: false, ready: false });
    const up = await eventually('slow to start and be ready', async () => {
      const got = await get('slow');
      return got.status?.containerStatuses?.[0]?.started && ready(got) ? got : undefined;
    });
    fs.writeFileSync(path.join(stateDir, 'process', 'pods', up.metadata.uid!, 'home', 'sick'), '');
    const sick = await eventually('slow to turn unready', async () => {
      const got = await get('slow');
      return got.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False'
        ? got
        : undefined;
    });
    expect(sick.status!.containerStatuses![0]).toMatchObject({
      ready: false,
      started: true,
      restartCount: 0,
    });
    expect(sick.status!.phase).toBe('Running');
    await eventually('an Unhealthy readiness event', async () =>
      (await events('slow')).some(
        (e) =>
          e.reason === 'Unhealthy' &&
          e.message === 'Readiness probe failed: HTTP probe failed with statuscode: 500',
      ),
    );
    await api.client.delete('pods', 'slow', { namespace: 'default' });
  });

  it('runs initContainers one after the other before the app container', async () => {
    const step = (n: string) =>
      `require('fs').appendFileSync(require('path').join(process.env.HOME,'order'),'${n}')`;
    await api.client.create(
      'pods',
      pod(
        'inits',
        [
          {
            name: 'app',
            image: 'x',
            command: [NODE_BIN, '-e', `${step('app')};setInterval(()=>{},1e6)`],
          },
        ],
        {
          initContainers: [
            {
              name: 'one',
              image: 'x',
              command: [NODE_BIN, '-e', `setTimeout(()=>{${step('1')}},300)`],
            },
            { name: 'two', image: 'x', command: [NODE_BIN, '-e', step('2')] },
          ],
        },
      ),
    );
    const p = await eventually('inits to run', async () => {
      const got = await get('inits');
      return got.status?.phase === 'Running' ? got : undefined;
    });
    const order = await eventually('the app to write', async () => {
      const text = fs.readFileSync(
        path.join(stateDir, 'process', 'pods', p.metadata.uid!, 'home', 'order'),
        'utf8',
      );
      return text.endsWith('app') ? text : undefined;
    });
    expect(order).toBe('12app');
    expect(
      p.status!.initContainerStatuses!.map((s) => [s.name, s.state.terminated?.reason]),
    ).toEqual([
      ['one', 'Completed'],
      ['two', 'Completed'],
    ]);
    expect(p.status!.conditions!.find((c) => c.type === 'Initialized')?.status).toBe('True');
  });

  it("stops a deleted pod's process within its grace period: SIGTERM, then SIGKILL for one that ignores it", async () => {
    const marker = 'ignore-sigterm-marker';
    await api.client.create(
      'pods',
      pod(
        'stubborn',
        [
          {
            name: 's',
            image: 'x',
            command: [
              NODE_BIN,
              '-e',
              `process.on('SIGTERM',()=>{}); setInterval(()=>{},1000) // ${marker}`,
            ],
          },
        ],
        { terminationGracePeriodSeconds: 3 },
      ),
    );
    await eventually(
      'stubborn to run',
      async () => (await get('stubborn')).status?.phase === 'Running',
    );
    expect(processesWith(marker).length).toBe(1);
    const started = Date.now();
    const out = await cluster.kubectl(['delete', 'pod', 'stubborn', '--timeout=30s']);
    expect(out.code, out.stderr).toBe(0);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(2_900);
    expect(took).toBeLessThan(10_000);
    expect(processesWith(marker)).toEqual([]);

    const pids = processesWith(WEB);
    const startedWeb = Date.now();
    const del = await cluster.kubectl(['delete', 'pod', 'web-2', '--timeout=30s']);
    expect(del.code, del.stderr).toBe(0);
    expect(Date.now() - startedWeb).toBeLessThan(4_000);
    expect(processesWith(WEB).length).toBe(pids.length - 1);
  });

  it('adopts its containers after an agent restart (SIGKILL) instead of starting them again', async () => {
    const before = await get('web');
    const pids = processesWith(WEB);
    expect(pids.length).toBe(1);
    await agent.kill();
    expect(processAlive(pids[0])).toBe(true);
    agent = await startAgent(cluster, agentArgs());
    await sleep(4_000);
    expect(processesWith(WEB)).toEqual(pids);
    const after = await get('web');
    expect(after.status!.containerStatuses![0]).toMatchObject({
      restartCount: before.status!.containerStatuses![0].restartCount,
      containerID: before.status!.containerStatuses![0].containerID,
      ready: true,
    });
    expect(await httpGet(`http://${after.status!.podIP}:8080/`)).toBe('hi');
    // An adopted process that dies is still noticed and restarted.
    process.kill(pids[0], 'SIGKILL');
    const restarted = await eventually('the adopted web to restart', async () => {
      const got = await get('web');
      return got.status!.containerStatuses![0].restartCount ===
        before.status!.containerStatuses![0].restartCount + 1 && ready(got)
        ? got
        : undefined;
    });
    expect(restarted.status!.containerStatuses![0].lastState.terminated?.reason).toBe(
      'ContainerStatusUnknown',
    );
    expect(processesWith(WEB).length).toBe(1);
  });

  it('stops the containers it runs with --stop-pods-on-exit', async () => {
    await agent.stop();
    agent = await startAgent(cluster, [...agentArgs(), '--stop-pods-on-exit']);
    await sleep(2_000);
    expect(processesWith(WEB).length).toBe(1);
    expect(await agent.stop()).toBe(0);
    expect(processesWith(WEB)).toEqual([]);
  });
});
