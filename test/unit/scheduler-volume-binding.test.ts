// VolumeBinding: a bound claim's PV nodeAffinity picks the node; missing claims and unbound Immediate
// claims fit nowhere; a WaitForFirstConsumer claim fits anywhere.
import { describe, expect, it } from 'vitest';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../src/api/storage';
import type { VolumeLookup } from '../../workers/scheduler/plugins/volume-binding';
import { profileFor } from '../../workers/scheduler/profile';
import type { Pod } from '../../workers/scheduler/types';
import { node, place, pod, whyNot } from './scheduler-fixtures';

const claim = (
  name: string,
  volumeName?: string,
  storageClassName = 'local-path',
): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default' },
  spec: { storageClassName, volumeName, accessModes: ['ReadWriteOnce'] },
});
const volume = (name: string, host: string): PersistentVolume => ({
  metadata: { name },
  spec: {
    local: { path: `/x/${name}` },
    nodeAffinity: {
      required: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [host] }] },
        ],
      },
    },
  },
});
const classes: Record<string, StorageClass> = {
  'local-path': {
    metadata: { name: 'local-path' },
    provisioner: 'rancher.io/local-path',
    volumeBindingMode: 'WaitForFirstConsumer',
  },
  fast: {
    metadata: { name: 'fast' },
    provisioner: 'example.com/fast',
    volumeBindingMode: 'Immediate',
  },
};

function lookup(claims: PersistentVolumeClaim[], volumes: PersistentVolume[]): VolumeLookup {
  return {
    claim: (_ns, n) => claims.find((c) => c.metadata.name === n),
    volume: (n) => volumes.find((v) => v.metadata.name === n),
    storageClass: (n) => classes[n],
    defaultClass: () => classes['local-path'],
  };
}

const withClaim = (name: string, claimName: string): Pod => {
  const p = pod(name);
  (p.spec as Record<string, unknown>).volumes = [
    { name: 'data', persistentVolumeClaim: { claimName } },
  ];
  return p;
};

const nodes = () => [node('a'), node('b'), node('c')];

describe('VolumeBinding filter', () => {
  it('puts a pod whose claim is bound to a node-local volume on that node only', () => {
    const profile = profileFor(
      undefined,
      lookup([claim('data-web-1', 'pv-1')], [volume('pv-1', 'b')]),
    );
    expect(place([withClaim('web-1', 'data-web-1')], nodes(), profile)).toEqual(['b']);
    const gone = profileFor(
      undefined,
      lookup([claim('data-web-1', 'pv-1')], [volume('pv-1', 'z')]),
    );
    expect(whyNot(withClaim('web-1', 'data-web-1'), nodes(), gone)).toBe(
      '0/3 nodes are available: 3 node(s) had volume node affinity conflict. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('lets an unbound WaitForFirstConsumer claim go anywhere, and holds missing and unbound Immediate claims', () => {
    const profile = profileFor(
      undefined,
      lookup([claim('wait'), claim('now', undefined, 'fast')], []),
    );
    expect(place([withClaim('p', 'wait')], nodes(), profile)[0]).not.toBeNull();
    expect(whyNot(withClaim('q', 'now'), nodes(), profile)).toContain(
      'pod has unbound immediate PersistentVolumeClaims',
    );
    expect(whyNot(withClaim('r', 'nope'), nodes(), profile)).toContain(
      'persistentvolumeclaim "nope" not found',
    );
  });
});
