// Container logs through the control plane: the process runtime's output shipped by the agent, read with kubectl logs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentApi } from '../../src/agent/api';
import type { Pod } from '../../src/agent/types';
import { cleanupClusters, type Cluster } from '../helpers/cluster';
import {
  adminApi,
  eventually,
  killRecordedContainers,
  NODE_BIN,
  randomSlots,
  sleep,
  startAgent,
  startTestCluster,
  stopAgents,
  type AgentProcess,
} from './helpers';

let cluster: Cluster;
let api: AgentApi;
let agent: AgentProcess;
let stateDir: string;
const [slot] = randomSlots();
const args = () => [
  '--runtime',
  'process',
  '--name',
  'logger',
  '--address',
  slot.address,
  '--state',
  stateDir,
];

beforeAll(async () => {
  cluster = await startTestCluster();
  api = adminApi(cluster);
  stateDir = path.join(cluster.stateDir, '..', 'logs-agent');
  agent = await startAgent(cluster, args());
}, 180_000);

afterAll(async () => {
  await stopAgents();
  if (stateDir) killRecordedContainers(stateDir);
  api?.close();
  await cleanupClusters();
}, 60_000);

const COUNTER =
  "let i=0; console.log('started'); setInterval(()=>{ i++; (i%2?console.log:console.error)('line '+i) }, 200)";

const logs = async (extra: string[]) => {
  const r = await cluster.kubectl(['logs', 'counter', ...extra]);
  return r.code === 0 ? r.stdout : `ERR ${r.stderr}`;
};

describe('container logs', () => {
  it('shows what a container printed, stdout and stderr, with --tail and --timestamps', async () => {
    await api.client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'counter', namespace: 'default' },
      spec: {
        nodeName: 'logger',
        terminationGracePeriodSeconds: 2,
        containers: [{ name: 'count', image: 'x', command: [NODE_BIN, '-e', COUNTER] }],
      },
    } as Pod);
    const out = await eventually('a few lines', async () => {
      const text = await logs([]);
      return /line 4\n/.test(text) ? text : undefined;
    });
    expect(out.startsWith('started\nline 1\nline 2\nline 3\nline 4\n')).toBe(true);
    const tail = await logs(['--tail', '2']);
    expect(tail.trim().split('\n')).toHaveLength(2);
    const stamped = await logs(['--timestamps', '--tail', '1']);
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line \d+\n$/);
    const c = await cluster.kubectl(['logs', 'counter', '-c', 'count', '--tail', '1']);
    expect(c.stdout).toMatch(/^line \d+\n$/);
  });

  it('ships nothing twice across an agent restart', async () => {
    await agent.kill();
    await sleep(1_500);
    agent = await startAgent(cluster, args());
    await sleep(3_000);
    const text = await logs([]);
    const lines = text.trim().split('\n');
    expect(lines.filter((l) => l === 'line 1')).toHaveLength(1);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('keeps the previous instance for --previous after a restart', async () => {
    const p = await api.client.get<Pod>('pods', 'counter', { namespace: 'default' });
    const rec = fs
      .readdirSync(path.join(stateDir, 'process', 'pods', p.metadata.uid!, 'containers'))
      .map(
        (f) =>
          JSON.parse(
            fs.readFileSync(
              path.join(stateDir, 'process', 'pods', p.metadata.uid!, 'containers', f),
              'utf8',
            ),
          ) as { pid: number; state: string },
      )
      .find((r) => r.state === 'running')!;
    process.kill(rec.pid, 'SIGKILL');
    await eventually(
      'a restart',
      async () =>
        ((await api.client.get<Pod>('pods', 'counter', { namespace: 'default' })).status
          ?.containerStatuses?.[0]?.restartCount ?? 0) === 1,
    );
    const previous = await eventually('the previous instance', async () => {
      const text = await logs(['--previous']);
      return text.startsWith('started\nline 1\n') ? text : undefined;
    });
    const current = await eventually('the new instance', async () => {
      const text = await logs([]);
      return text.startsWith('started\n') && text.length < previous.length ? text : undefined;
    });
    expect(current.startsWith('started\n')).toBe(true);
  });

  it('ends kubectl logs -f when the pod is deleted', async () => {
    const follow = spawn('kubectl', ['--kubeconfig', cluster.kubeconfig, 'logs', '-f', 'counter'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    follow.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) =>
      follow.on('exit', (code) => resolve(code)),
    );
    try {
      const seen = await eventually(
        'followed lines',
        async () => {
          const m = out.match(/line (\d+)\n/g);
          return m && m.length >= 2 ? m.length : undefined;
        },
        20_000,
      );
      await eventually(
        'more lines while following',
        async () => (out.match(/line (\d+)\n/g)?.length ?? 0) > seen + 2,
        20_000,
      );
      const del = await cluster.kubectl(['delete', 'pod', 'counter', '--wait=false']);
      expect(del.code, del.stderr).toBe(0);
      const code = await Promise.race([exited, sleep(20_000).then(() => 'timeout' as const)]);
      expect(code).toBe(0);
    } finally {
      try {
        process.kill(-follow.pid!, 'SIGKILL');
      } catch {
        // ended
      }
    }
  });
});
