// The podman lane: a StatefulSet's claim is bind-mounted at its mountPath; a deleted pod comes back
// with the file it wrote there.
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../agent/helpers';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import { apply, getMaybe, isReady } from '../helpers/control-plane';
import { BUSYBOX_IMAGE, ensureBusyboxImage, removeOwned, requirePodman } from './setup';

let c: Cluster;
let agentState: string;
let setupError: Error | undefined;

beforeAll(async () => {
  try {
    requirePodman();
    ensureBusyboxImage();
    c = await startCluster({ extraArgs: ['--agents', '1', '--runtime', 'podman'] });
    agentState = path.join(c.stateDir, 'agents', 'node-1');
  } catch (err) {
    setupError = err as Error;
  }
}, 180_000);

afterAll(async () => {
  await cleanupClusters();
  if (agentState) removeOwned(agentState);
}, 120_000);

beforeEach(() => {
  if (setupError) throw setupError;
});

async function kubectl(args: string[]): Promise<string> {
  const out = await c.kubectl(args, { timeoutMs: 60_000 });
  if (out.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${out.stderr}`);
  return out.stdout;
}

const ready = (name: string, notUid?: string) =>
  eventually(
    `pod ${name} Ready`,
    async () => {
      const p = await getMaybe(c, `/api/v1/namespaces/default/pods/${name}`);
      return p && isReady(p) && !p.metadata.deletionTimestamp && p.metadata.uid !== notUid
        ? p
        : undefined;
    },
    60_000,
    200,
  );

describe('podman lane: StatefulSet volumes', () => {
  it('mounts the claim at /data, and a replaced pod finds what the first one wrote', async () => {
    const r = await apply(c, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        serviceName: 'db',
        replicas: 1,
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'db',
                image: BUSYBOX_IMAGE,
                imagePullPolicy: 'Never',
                command: ['sh', '-c', 'echo "$HOSTNAME" >> /data/starts; exec sleep 3600'],
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Mi' } } },
          },
        ],
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const first = await ready('db-0');
    await kubectl(['exec', 'db-0', '--', 'sh', '-c', 'echo kept > /data/greeting']);
    await kubectl(['delete', 'pod', 'db-0', '--wait=false']);
    await ready('db-0', first.metadata.uid);
    expect((await kubectl(['exec', 'db-0', '--', 'cat', '/data/greeting'])).trim()).toBe('kept');
    expect((await kubectl(['exec', 'db-0', '--', 'cat', '/data/starts'])).trim()).toBe(
      'db-0\ndb-0',
    );
  });
});
