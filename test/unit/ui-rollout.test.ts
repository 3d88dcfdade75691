// The dashboard's rollout drawing: a Deployment's new ReplicaSet against its old ones, a
// StatefulSet's updateRevision against currentRevision, a DaemonSet's updated nodes.
import { describe, expect, it } from 'vitest';
import {
  daemonSetRollout,
  deploymentRollout,
  statefulSetRollout,
  type Obj,
} from '../../src/ui/views/rollout';

const owner = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  name: 'web',
  uid: 'd1',
  controller: true,
};

function rs(name: string, rev: string, replicas: number, ready: number, available: number): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'deployment.kubernetes.io/revision': rev },
      ownerReferences: [owner],
    },
    spec: { replicas },
    status: { replicas, readyReplicas: ready, availableReplicas: available },
  };
}

const attr = (h: { value: string }, name: string) =>
  new RegExp(`${name}="([^"]*)"`).exec(h.value)?.[1];

describe('rollout progress', () => {
  const deployment = (status: Record<string, number>): Obj => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'd1',
      generation: 2,
      annotations: { 'deployment.kubernetes.io/revision': '2' },
    },
    spec: { replicas: 4 },
    status: { observedGeneration: 2, ...status },
  });

  it('draws a Deployment mid-rollout as new (available, ready, not ready) against old pods', () => {
    const d = deployment({
      replicas: 6,
      updatedReplicas: 3,
      readyReplicas: 4,
      availableReplicas: 4,
    });
    const h = deploymentRollout(d, [rs('web-old', '1', 3, 3, 3), rs('web-new', '2', 3, 2, 1)]);
    expect(h).not.toBe('');
    const v = h as { value: string };
    expect(attr(v, 'data-updated')).toBe('3');
    expect(attr(v, 'data-ready')).toBe('2');
    expect(attr(v, 'data-available')).toBe('1');
    expect(attr(v, 'data-old')).toBe('3');
    expect(v.value).toContain(
      'web-new (revision 2) 3 of 4 updated, 2 ready, 1 available; old web-old: 3 pods',
    );
    // Six pods out of six: one available, one ready, one starting, three old.
    expect(
      v.value.replace(/\s+/g, ' ').match(/class="seg (\w+)" style="width:([\d.]+)%"/g),
    ).toEqual([
      'class="seg available" style="width:16.7%"',
      'class="seg ready" style="width:16.7%"',
      'class="seg updated" style="width:16.7%"',
      'class="seg old" style="width:50%"',
    ]);
    expect(attr(v, 'aria-valuemax')).toBe('6');
  });

  it('draws nothing once a Deployment has rolled out', () => {
    const d = deployment({
      replicas: 4,
      updatedReplicas: 4,
      readyReplicas: 4,
      availableReplicas: 4,
    });
    expect(deploymentRollout(d, [rs('web-old', '1', 0, 0, 0), rs('web-new', '2', 4, 4, 4)])).toBe(
      '',
    );
  });

  it('draws a StatefulSet between its current and update revisions, and a DaemonSet by nodes', () => {
    const sts: Obj = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default', generation: 3 },
      spec: { replicas: 3 },
      status: {
        observedGeneration: 3,
        replicas: 3,
        readyReplicas: 3,
        updatedReplicas: 1,
        currentRevision: 'db-aaa',
        updateRevision: 'db-bbb',
      },
    };
    const h = statefulSetRollout(sts) as { value: string };
    expect(h.value).toContain('1 of 3 updated to db-bbb (current db-aaa), 3 ready');
    expect(attr(h, 'data-update-revision')).toBe('db-bbb');
    const done = {
      ...sts,
      status: { ...sts.status, updatedReplicas: 3, currentRevision: 'db-bbb' },
    };
    expect(statefulSetRollout(done)).toBe('');
    const ds: Obj = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'default', generation: 2 },
      status: {
        observedGeneration: 2,
        desiredNumberScheduled: 4,
        currentNumberScheduled: 4,
        updatedNumberScheduled: 2,
        numberAvailable: 3,
      },
    };
    expect((daemonSetRollout(ds) as { value: string }).value).toContain(
      '2 of 4 nodes updated, 3 available',
    );
  });
});
