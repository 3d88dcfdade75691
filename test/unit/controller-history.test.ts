// ControllerRevision history: names by hash, equality that ignores empty fields and the hash label,
// ordering, and the revision of a template.
import { describe, expect, it } from 'vitest';
import type { ControllerRevision } from '../../src/api/apps-workloads';
import {
  equalRevisions,
  hashRevision,
  newRevision,
  revisionData,
  sortRevisions,
} from '../../workers/shared/history';

const owner = (image: string) => ({
  obj: {
    metadata: {
      name: 'web',
      namespace: 'ns',
      uid: 'u1',
      annotations: { 'kubernetes.io/change-cause': 'v' },
    },
    spec: {
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image }] },
      },
    },
  },
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  annotations: { 'kubernetes.io/change-cause': 'v' },
});

describe('ControllerRevision history', () => {
  it('stores a replace patch of the template, named <owner>-<hash>, labelled with the hash and owned by the controller', () => {
    const r = newRevision(owner('img:1'), 1);
    expect(r.data).toEqual({
      spec: {
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'img:1' }] },
          $patch: 'replace',
        },
      },
    });
    const hash = r.metadata.labels!['controller-revision-hash'];
    expect(r.metadata.name).toBe(`web-${hash}`);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(r.metadata.labels!.app).toBe('web');
    expect(r.metadata.annotations).toEqual({ 'kubernetes.io/change-cause': 'v' });
    expect(r.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'StatefulSet',
      uid: 'u1',
      controller: true,
    });
  });

  it('hashes equal templates alike whatever their empty fields, and moves with the collision count', () => {
    const a = revisionData({
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    });
    const b = revisionData({
      metadata: {
        labels: { app: 'web', 'controller-revision-hash': 'x' },
        creationTimestamp: null,
      } as never,
      spec: { containers: [{ name: 'c', image: 'i', resources: {} }] },
    });
    expect(hashRevision(a)).toBe(hashRevision(b));
    expect(hashRevision(a, 1)).not.toBe(hashRevision(a));
    expect(
      equalRevisions(
        { metadata: {}, data: a, revision: 1 },
        { metadata: {}, data: b, revision: 2 },
      ),
    ).toBe(true);
    expect(newRevision(owner('img:1'), 1).metadata.name).not.toBe(
      newRevision(owner('img:2'), 1).metadata.name,
    );
  });

  it('orders revisions by number, then age, then name', () => {
    const r = (name: string, revision: number, at: string): ControllerRevision => ({
      metadata: { name, creationTimestamp: at },
      revision,
    });
    const sorted = sortRevisions([
      r('c', 3, '2026-01-01T00:00:00Z'),
      r('b', 1, '2026-01-02T00:00:00Z'),
      r('a', 1, '2026-01-01T00:00:00Z'),
    ]);
    expect(sorted.map((x) => x.metadata.name)).toEqual(['a', 'b', 'c']);
  });
});
