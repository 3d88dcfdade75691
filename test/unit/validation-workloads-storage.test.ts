// Validation and defaults of DaemonSet, StatefulSet, ControllerRevision, PVC, PV and StorageClass:
// every bad field named, upstream's defaults filled.
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/api/types';
import { defaultDaemonSet, defaultStatefulSet } from '../../src/registry/defaults/apps-workloads';
import { defaultPv, defaultPvc, defaultStorageClass } from '../../src/registry/defaults/storage';
import {
  validateControllerRevisionUpdate,
  validateDaemonSet,
  validateStatefulSet,
  validateStatefulSetUpdate,
} from '../../src/registry/validate/apps-workloads';
import {
  validatePv,
  validatePvc,
  validatePvcUpdate,
  validateStorageClass,
  validateStorageClassUpdate,
} from '../../src/registry/validate/storage';

const template = {
  metadata: { labels: { app: 'a' } },
  spec: {
    restartPolicy: 'Always',
    dnsPolicy: 'ClusterFirst',
    terminationGracePeriodSeconds: 30,
    containers: [
      { name: 'c', image: 'i', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' },
    ],
  },
};
const fields = (errs: { field: string }[]) => errs.map((e) => e.field);

function ds(spec: Record<string, unknown> = {}): KObject {
  const o: KObject = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'd', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'a' } }, template: structuredClone(template), ...spec },
  };
  defaultDaemonSet(o);
  return o;
}
function sts(spec: Record<string, unknown> = {}): KObject {
  const o: KObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 's', namespace: 'default', resourceVersion: '1' },
    spec: {
      selector: { matchLabels: { app: 'a' } },
      template: structuredClone(template),
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
      ...spec,
    },
  };
  (
    o.spec as { template: { spec: { containers: Record<string, unknown>[] } } }
  ).template.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: '/data' }];
  defaultStatefulSet(o);
  return o;
}

describe('DaemonSet', () => {
  it('defaults RollingUpdate maxUnavailable 1 / maxSurge 0, history 10, and the status counters', () => {
    const d = ds();
    expect(d.spec).toMatchObject({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    });
    expect(d.status).toEqual({
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    });
    expect(validateDaemonSet(d)).toEqual([]);
  });

  it('rejects both limits zero, both set, a bad percentage and a bad strategy type', () => {
    expect(
      fields(
        validateDaemonSet(
          ds({
            updateStrategy: {
              type: 'RollingUpdate',
              rollingUpdate: { maxUnavailable: 0, maxSurge: 0 },
            },
          }),
        ),
      ),
    ).toEqual(['spec.updateStrategy.rollingUpdate.maxUnavailable']);
    expect(
      fields(
        validateDaemonSet(
          ds({
            updateStrategy: {
              type: 'RollingUpdate',
              rollingUpdate: { maxUnavailable: 1, maxSurge: '10%' },
            },
          }),
        ),
      ),
    ).toEqual(['spec.updateStrategy.rollingUpdate.maxSurge']);
    expect(
      fields(
        validateDaemonSet(
          ds({
            updateStrategy: {
              type: 'RollingUpdate',
              rollingUpdate: { maxUnavailable: '150%', maxSurge: 0 },
            },
          }),
        ),
      ),
    ).toEqual(['spec.updateStrategy.rollingUpdate.maxUnavailable']);
    expect(fields(validateDaemonSet(ds({ updateStrategy: { type: 'Sometimes' } })))).toEqual([
      'spec.updateStrategy.type',
    ]);
  });
});

describe('StatefulSet', () => {
  it('defaults OrderedReady, partition 0, Retain/Retain, replicas 1, and the claim templates', () => {
    const s = sts();
    expect(s.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [{ spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }],
    });
    expect(validateStatefulSet(s)).toEqual([]);
  });

  it('names bad policies, a negative partition and a claim template without storage', () => {
    const bad = sts({
      podManagementPolicy: 'Random',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep', whenScaled: 'Retain' },
      volumeClaimTemplates: [
        { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } },
      ],
    });
    expect(fields(validateStatefulSet(bad)).sort()).toEqual(
      [
        'spec.persistentVolumeClaimRetentionPolicy.whenDeleted',
        'spec.podManagementPolicy',
        'spec.updateStrategy.rollingUpdate.partition',
        'spec.volumeClaimTemplates[0].spec.resources[storage]',
      ].sort(),
    );
  });

  it('forbids changing anything but the updatable spec fields', () => {
    const old = sts();
    const next = structuredClone(old);
    (next.spec as Record<string, unknown>).replicas = 5;
    expect(validateStatefulSetUpdate(next, old)).toEqual([]);
    (next.spec as Record<string, unknown>).serviceName = 'other';
    const errs = validateStatefulSetUpdate(next, old);
    expect(errs.map((e) => e.field)).toEqual(['spec']);
    expect(errs[0].message).toContain('updates to statefulset spec for fields other than');
  });
});

describe('ControllerRevision', () => {
  it('keeps data immutable', () => {
    const old: KObject = {
      metadata: { name: 'r', namespace: 'default', resourceVersion: '1' },
      data: { a: 1 },
      revision: 1,
    };
    expect(fields(validateControllerRevisionUpdate({ ...old, data: { a: 2 } }, old))).toEqual([
      'data',
    ]);
    expect(validateControllerRevisionUpdate({ ...old, revision: 3 }, old)).toEqual([]);
  });
});

describe('storage', () => {
  const pvc = (spec: Record<string, unknown>): KObject => {
    const o: KObject = {
      metadata: { name: 'c', namespace: 'default', resourceVersion: '1' },
      spec,
    };
    defaultPvc(o);
    return o;
  };

  it('a claim needs access modes and a positive storage request; defaults Filesystem and Pending', () => {
    const good = pvc({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    });
    expect(good.spec).toMatchObject({ volumeMode: 'Filesystem' });
    expect(good.status).toEqual({ phase: 'Pending' });
    expect(validatePvc(good)).toEqual([]);
    expect(fields(validatePvc(pvc({ resources: { requests: { storage: '0' } } })))).toEqual([
      'spec.accessModes',
      'spec.resources[storage]',
    ]);
    expect(
      fields(
        validatePvc(
          pvc({ accessModes: ['WriteSometimes'], resources: { requests: { storage: '1Gi' } } }),
        ),
      ),
    ).toEqual(['spec.accessModes']);
  });

  it('a claim may be bound, get a default class and grow, but not shrink or change otherwise', () => {
    const old = pvc({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    });
    const bound = structuredClone(old);
    Object.assign(bound.spec as object, { volumeName: 'pv-1', storageClassName: 'local-path' });
    expect(validatePvcUpdate(bound, old)).toEqual([]);
    const grown = structuredClone(bound);
    (grown.spec as { resources: { requests: { storage: string } } }).resources.requests.storage =
      '2Gi';
    expect(validatePvcUpdate(grown, bound)).toEqual([]);
    expect(fields(validatePvcUpdate(bound, grown))).toEqual(['spec.resources.requests.storage']);
    const moved = structuredClone(bound);
    (moved.spec as Record<string, unknown>).accessModes = ['ReadWriteMany'];
    expect(fields(validatePvcUpdate(moved, bound))).toEqual(['spec']);
  });

  it('a volume needs capacity, access modes, one source, and node affinity when local; defaults Retain', () => {
    const pv: KObject = {
      metadata: { name: 'pv' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], local: { path: '/x' } },
    };
    defaultPv(pv);
    expect((pv.spec as Record<string, unknown>).persistentVolumeReclaimPolicy).toBe('Retain');
    expect(fields(validatePv(pv))).toEqual(['spec.nodeAffinity']);
    const none: KObject = { metadata: { name: 'pv' }, spec: { accessModes: ['ReadWriteOnce'] } };
    expect(fields(validatePv(none))).toEqual(['spec.capacity', 'spec']);
  });

  it('a class needs a provisioner, known policies and modes, and keeps them', () => {
    const sc: KObject = {
      metadata: { name: 'fast', resourceVersion: '1' },
      provisioner: 'example.com/fast',
    };
    defaultStorageClass(sc);
    expect(sc).toMatchObject({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
    expect(validateStorageClass(sc)).toEqual([]);
    expect(
      fields(
        validateStorageClass({
          metadata: { name: 'x' },
          reclaimPolicy: 'Recycle',
          volumeBindingMode: 'Later',
        }),
      ),
    ).toEqual(['provisioner', 'reclaimPolicy', 'volumeBindingMode']);
    expect(fields(validateStorageClassUpdate({ ...sc, reclaimPolicy: 'Retain' }, sc))).toEqual([
      'reclaimPolicy',
    ]);
  });
});
