// The podman lane for issue 13: `kubectl top` figures from `podman stats` (a busy loop near a core, a
// 200 MiB buffer near 200 MiB), and a container over its memory limit shown as OOMKilled with a restart.
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually, randomSlots, startAgent, stopAgents } from '../agent/helpers';
import { cleanupClusters, startCluster, tempDir, type Cluster } from '../helpers/cluster';
import { BUSYBOX_IMAGE, ensureBusyboxImage, removeOwned, requirePodman } from './setup';

const NODE = 'pm-top';
let c: Cluster;
let state: string;
let setupError: Error | undefined;

const pod = (name: string, command: string[], resources?: object) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: {
    nodeName: NODE,
    terminationGracePeriodSeconds: 1,
    containers: [
      {
        name: 'main',
        image: BUSYBOX_IMAGE,
        imagePullPolicy: 'Never',
        command,
        ...(resources ? { resources } : {}),
      },
    ],
  },
});

beforeAll(async () => {
  try {
    requirePodman();
    ensureBusyboxImage();
    c = await startCluster({ extraArgs: ['--agents', '0'] });
    state = path.join(tempDir('edgeplane-podman-top-'), 'agent');
    const [slot] = randomSlots(1);
    await startAgent(c, [
      '--runtime',
      'podman',
      '--name',
      NODE,
      '--address',
      slot.address,
      '--state',
      state,
      '--metrics-interval',
      '2s',
      '--stop-pods-on-exit',
    ]);
    const objects = [
      pod('busy', ['sh', '-c', 'while :; do :; done']),
      // dd keeps its 200 MiB block while the pipe's reader never reads.
      pod('hog', ['sh', '-c', 'dd if=/dev/zero bs=200M count=1 | sleep 3600']),
      pod('oom', ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=100M', 'count=1'], {
        limits: { memory: '32Mi' },
      }),
    ];
    const r = await c.kubectl(['create', '-f', '-'], {
      input: objects.map((o) => JSON.stringify(o)).join('\n'),
    });
    if (r.code !== 0) throw new Error(r.stderr);
  } catch (err) {
    setupError = err as Error;
  }
}, 180_000);

afterAll(async () => {
  await stopAgents();
  await cleanupClusters();
  if (state) removeOwned(state);
}, 120_000);

beforeEach(() => {
  if (setupError) throw setupError;
});

describe('podman lane: metrics and limits', () => {
  it('kubectl top shows podman containers: a busy loop near a core, 200 MiB held near 200 MiB', async () => {
    const out = await eventually(
      'busy and hog in kubectl top',
      async () => {
        const r = await c.kubectl(['top', 'pods', '--containers', '--no-headers']);
        const rows = r.stdout
          .trim()
          .split('\n')
          .map((l) => l.trim().split(/\s+/));
        const by = Object.fromEntries(rows.map((x) => [x[0], x]));
        return by.busy && by.hog ? { by, text: r.stdout } : undefined;
      },
      90_000,
    );
    console.log(out.text);
    const milli = (s: string) => (s.endsWith('m') ? Number(s.slice(0, -1)) : Number(s) * 1000);
    expect(milli(out.by.busy[2])).toBeGreaterThan(50);
    expect(milli(out.by.busy[2])).toBeLessThanOrEqual(1100);
    const mem = Number(out.by.hog[3].replace(/Mi$/, ''));
    expect(mem).toBeGreaterThan(190);
    expect(mem).toBeLessThan(260);
    const nodes = await c.kubectl(['top', 'node', NODE, '--no-headers']);
    expect(nodes.code, nodes.stderr).toBe(0);
  }, 120_000);

  it('a container over its memory limit is OOMKilled and restarted', async () => {
    const st = await eventually(
      'oom to show OOMKilled',
      async () => {
        const p = JSON.parse((await c.kubectl(['get', 'pod', 'oom', '-o', 'json'])).stdout);
        const cs = p.status?.containerStatuses?.[0];
        const reason = cs?.lastState?.terminated?.reason ?? cs?.state?.terminated?.reason;
        return reason === 'OOMKilled' && cs.restartCount >= 1 ? cs : undefined;
      },
      90_000,
    );
    expect(st.lastState.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
  }, 120_000);
});
