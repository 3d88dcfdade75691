// The automatic rollback's settings and its crash-loop rule, also for a revision that completed
// before it looped (both rules run end to end in test/e2e/auto-rollback.test.ts).
import { describe, expect, it } from 'vitest';
import type { Pod, ReplicaSet } from '../../src/api/core';
import {
  AUTO_ROLLBACK,
  AVAILABLE,
  AVAILABLE_AT,
  DEFAULT_MAX_RESTARTS,
  autoRollback,
  crashLooping,
  parseAutoRollback,
} from '../../workers/controllers/deployment/auto-rollback';
import type { Deployment } from '../../workers/controllers/deployment/util';
import type { KeyedContext } from '../../workers/controllers/framework';

const pod = (name: string, ...restarts: number[]): Pod =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    status: { containerStatuses: restarts.map((r, i) => ({ name: `c${i}`, restartCount: r })) },
  }) as Pod;

describe('auto-rollback annotation', () => {
  it('is on for "true", with 5 restarts allowed unless maxRestarts says otherwise', () => {
    expect(parseAutoRollback('true')).toEqual({ maxRestarts: DEFAULT_MAX_RESTARTS });
    expect(parseAutoRollback('true, maxRestarts=2')).toEqual({ maxRestarts: 2 });
    expect(parseAutoRollback('false')).toBeUndefined();
    expect(parseAutoRollback(undefined)).toBeUndefined();
    expect(parseAutoRollback('yes')).toBeUndefined();
  });

  it('finds the first pod with a container restarted more than N times', () => {
    expect(crashLooping([pod('a', 1, 2), pod('b', 0)], 2)).toBeUndefined();
    expect(crashLooping([pod('a', 1, 3), pod('b', 9)], 2)).toEqual({ pod: 'a', restarts: 3 });
    expect(crashLooping([pod('x')], 0)).toBeUndefined();
  });
});

/** autoRollback against a recording fake of the controller context (its only reads are the caches). */
describe('auto-rollback of a crash loop after the revision completed', () => {
  const NOW = Date.parse('2026-12-03T12:00:00Z');
  const template = (script: string) => ({
    metadata: { labels: { app: 'x' } },
    spec: { containers: [{ name: 'app', command: ['sh', '-c', script] }] },
  });
  const rs = (name: string, revision: number, script: string, availableAt?: string) =>
    ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: 'default',
        uid: `uid-${name}`,
        creationTimestamp: `2026-12-03T0${revision}:00:00Z`,
        annotations: {
          'deployment.kubernetes.io/revision': String(revision),
          ...(availableAt ? { [AVAILABLE]: 'true', [AVAILABLE_AT]: availableAt } : {}),
        },
        ownerReferences: [{ kind: 'Deployment', name: 'x', uid: 'uid-d', controller: true }],
      },
      spec: { replicas: 1, template: template(script) },
    }) as unknown as ReplicaSet;
  const deploymentOn = (script: string) =>
    ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'x',
        namespace: 'default',
        uid: 'uid-d',
        generation: 2,
        annotations: { [AUTO_ROLLBACK]: 'true,maxRestarts=1' },
      },
      spec: { selector: { matchLabels: { app: 'x' } }, template: template(script) },
      status: {
        observedGeneration: 2,
        conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
      },
    }) as unknown as Deployment;

  function run(availableAt: string, restarts: number) {
    const writes: string[] = [];
    const loopingPod = pod('x-new-1', restarts);
    const ctx = {
      now: () => NOW,
      cache: {
        kind: () => ({
          byIndex: (_i: string, uid: string) => (uid === 'uid-new' ? [loopingPod] : []),
        }),
      },
      client: {
        patch: async (_r: string, name: string, _t: string, body: unknown) => {
          writes.push(`patch ${name} ${JSON.stringify(body)}`);
          return {};
        },
        update: async (_r: string, d: Deployment) => {
          writes.push(`update ${d.spec.template?.spec?.containers?.[0]?.command?.[2]}`);
          return d;
        },
        updateStatus: async (_r: string, d: Deployment) => {
          const c = d.status?.conditions?.find((x) => x.type === 'AutoRollback');
          writes.push(`condition ${c?.reason}: ${c?.message}`);
          return d;
        },
      },
      recorder: { event: async () => writes.push('event') },
    } as unknown as KeyedContext;
    const rss = [
      rs('old', 1, 'sleep 1d', '2026-12-01T00:00:00Z'),
      rs('new', 2, 'exit 3', availableAt),
    ];
    return autoRollback(ctx, deploymentOn('exit 3'), rss).then((wrote) => ({ wrote, writes }));
  }

  it('rolls back a revision that crash-loops within 10 minutes of completing, and unmarks it', async () => {
    const { wrote, writes } = await run('2026-12-03T11:59:00Z', 2);
    expect(wrote).toBe(true);
    expect(writes).toEqual([
      'update sleep 1d',
      `patch new {"metadata":{"annotations":{"${AVAILABLE}":null,"${AVAILABLE_AT}":null}}}`,
      'condition CrashLoop: Rolled back deployment "x" from revision 2 to revision 1: pod "x-new-1" restarted 2 times, more than 1',
      'event',
    ]);
  });

  it('leaves an established revision alone, and one within its restarts', async () => {
    expect(await run('2026-12-03T11:49:00Z', 9)).toEqual({ wrote: false, writes: [] });
    expect(await run('2026-12-03T11:59:00Z', 1)).toEqual({ wrote: false, writes: [] });
  });
});
