// Server-side apply and managedFields: ownership, conflicts, forced takeovers, pruning, and ownership after plain writes.
import { describe, expect, it } from 'vitest';
import { ANY_NAV, type SchemaNav } from '../../src/lib/schema-nav';
import { PatchError } from '../../src/lib/strategic-merge-patch';
import {
  applyServerSide,
  conflictCauses,
  difference,
  fieldSetFromObject,
  formatConflictMessage,
  fromFieldsV1,
  intersection,
  isEmpty,
  toFieldsV1,
  union,
  updateManagedFields,
  type ApplyResult,
  type ManagedFieldsEntry,
} from '../../src/lib/managed-fields';

type Spec = Partial<Omit<SchemaNav, 'field' | 'items'>> & {
  fields?: Record<string, SchemaNav>;
  items?: SchemaNav;
};

function nav(spec: Spec): SchemaNav {
  const { fields, items, ...rest } = spec;
  return {
    kind: 'object',
    ...rest,
    field: (name) => fields?.[name] ?? ANY_NAV,
    items: () => items ?? ANY_NAV,
  };
}
const mapList = (keys: string[], item: SchemaNav) =>
  nav({ kind: 'array', listType: 'map', listMapKeys: keys, items: item });

const containerNav = nav({
  fields: {
    ports: mapList(['containerPort'], ANY_NAV),
    env: nav({ kind: 'array', patchStrategy: 'merge', patchMergeKey: 'name' }),
  },
});
const deploymentNav = nav({
  fields: {
    metadata: nav({
      fields: { finalizers: nav({ kind: 'array', listType: 'set' }), labels: nav({ kind: 'map' }) },
    }),
    spec: nav({
      fields: {
        selector: nav({ mapType: 'atomic' }),
        template: nav({
          fields: { spec: nav({ fields: { containers: mapList(['name'], containerNav) } }) },
        }),
      },
    }),
  },
});

const NOW = '2025-01-02T03:04:05Z';
const LATER = '2025-01-02T03:05:00Z';

function manifest(spec: {
  replicas?: number;
  image?: string;
  containers?: unknown[];
  labels?: Record<string, string>;
}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'ssa', namespace: 'default', labels: spec.labels ?? { app: 'ssa' } },
    spec: {
      ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
      selector: { matchLabels: { app: 'ssa' } },
      template: {
        spec: {
          containers: spec.containers ?? [{ name: 'app', image: spec.image ?? 'nginx:1.27' }],
        },
      },
    },
  };
}

function ok(result: ApplyResult) {
  if ('conflicts' in result)
    throw new Error(`unexpected conflicts: ${formatConflictMessage(result.conflicts)}`);
  return result;
}

const apply = (live: unknown, applied: unknown, manager: string, force = false, now = NOW) =>
  applyServerSide({ live, applied, manager, force, nav: deploymentNav, now });

const owners = (entries: ManagedFieldsEntry[]) => entries.map((e) => `${e.manager}/${e.operation}`);
const entry = (entries: ManagedFieldsEntry[], manager: string) =>
  entries.find((e) => e.manager === manager)!;

describe('field sets', () => {
  it('serializes an applied Deployment the way the apiserver records it', () => {
    const set = fieldSetFromObject(
      manifest({
        replicas: 2,
        containers: [{ name: 'app', image: 'x', ports: [{ containerPort: 80 }] }],
      }),
      deploymentNav,
    );
    expect(toFieldsV1(set)).toEqual({
      'f:apiVersion': {},
      'f:kind': {},
      'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:name': {}, 'f:namespace': {} },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"app"}': {
                '.': {},
                'f:image': {},
                'f:name': {},
                'f:ports': { 'k:{"containerPort":80}': { '.': {}, 'f:containerPort': {} } },
              },
            },
          },
        },
      },
    });
  });

  it('round-trips FieldsV1 and records set items as v: entries', () => {
    const json = {
      'f:metadata': { 'f:finalizers': { 'v:"a"': {}, 'v:"b"': {} } },
      'f:spec': { '.': {}, 'f:x': {} },
    };
    expect(toFieldsV1(fromFieldsV1(json))).toEqual(json);
    expect(
      toFieldsV1(fieldSetFromObject({ metadata: { finalizers: ['b', 'a'] } }, deploymentNav)),
    ).toEqual({
      'f:metadata': { 'f:finalizers': { 'v:"a"': {}, 'v:"b"': {} } },
    });
  });

  it('supports union, intersection and difference', () => {
    const a = fromFieldsV1({ 'f:spec': { 'f:replicas': {}, 'f:paused': {} } });
    const b = fromFieldsV1({ 'f:spec': { 'f:replicas': {}, 'f:minReadySeconds': {} } });
    expect(toFieldsV1(union(a, b))).toEqual({
      'f:spec': { 'f:minReadySeconds': {}, 'f:paused': {}, 'f:replicas': {} },
    });
    expect(toFieldsV1(intersection(a, b))).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(toFieldsV1(difference(a, b))).toEqual({ 'f:spec': { 'f:paused': {} } });
    expect(isEmpty(difference(a, a))).toBe(true);
    expect(isEmpty(a)).toBe(false);
  });
});

describe('applyServerSide', () => {
  it('creates an object by apply and records the applier without the fields the apiserver ignores', () => {
    const { object, managedFields } = ok(apply(undefined, manifest({ replicas: 2 }), 'kubectl'));
    expect(object).toMatchObject(manifest({ replicas: 2 }));
    expect(managedFields).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: NOW,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:spec': {
                'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
              },
            },
          },
        },
      },
    ]);
    expect((object.metadata as { managedFields: unknown }).managedFields).toEqual(managedFields);
  });

  it('changes nothing, not even the time, when the same config is applied again', () => {
    const first = ok(apply(undefined, manifest({ replicas: 2 }), 'kubectl'));
    const frozen = JSON.parse(JSON.stringify(first.object));
    const again = ok(
      apply(
        Object.freeze(first.object),
        Object.freeze(manifest({ replicas: 2 })),
        'kubectl',
        false,
        LATER,
      ),
    );
    expect(again.object).toEqual(first.object);
    expect(first.object).toEqual(frozen);
  });

  it('lets two managers share a field they set to the same value', () => {
    const first = ok(apply(undefined, manifest({ replicas: 3 }), 'alice'));
    const second = ok(apply(first.object, manifest({ replicas: 3 }), 'bob'));
    expect(owners(second.managedFields)).toEqual(['alice/Apply', 'bob/Apply']);
    for (const m of ['alice', 'bob']) {
      expect(entry(second.managedFields, m).fieldsV1).toMatchObject({
        'f:spec': { 'f:replicas': {} },
      });
    }
  });

  it('reports a conflict naming the manager that owns a field set to another value', () => {
    const created = updateManagedFields({
      live: undefined,
      updated: manifest({ replicas: 2 }),
      manager: 'kubectl-client-side-apply',
      nav: deploymentNav,
      now: NOW,
    });
    const result = apply(created.object, manifest({ replicas: 5 }), 'kubectl');
    expect(result).toEqual({
      conflicts: [
        {
          manager: 'kubectl-client-side-apply',
          operation: 'Update',
          apiVersion: 'apps/v1',
          field: '.spec.replicas',
        },
      ],
    });
    if (!('conflicts' in result)) return;
    expect(formatConflictMessage(result.conflicts)).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
    expect(conflictCauses(result.conflicts)).toEqual([
      {
        type: 'FieldManagerConflict',
        message: 'conflict with "kubectl-client-side-apply" using apps/v1',
        field: '.spec.replicas',
      },
    ]);
  });

  it('lists every conflicting field, grouped by manager, with SMD-style paths', () => {
    const created = ok(apply(undefined, manifest({ replicas: 2, image: 'nginx:1.27' }), 'helm'));
    const result = apply(created.object, manifest({ replicas: 4, image: 'nginx:1.28' }), 'kubectl');
    if (!('conflicts' in result)) throw new Error('expected conflicts');
    expect(formatConflictMessage(result.conflicts)).toBe(
      'Apply failed with 2 conflicts: conflicts with "helm":\n- .spec.replicas\n- .spec.template.spec.containers[name="app"].image',
    );
  });

  it('moves ownership to the applier when forced', () => {
    const first = ok(apply(undefined, manifest({ replicas: 2 }), 'helm'));
    const forced = ok(apply(first.object, manifest({ replicas: 7 }), 'kubectl', true, LATER));
    expect((forced.object.spec as { replicas: number }).replicas).toBe(7);
    expect(entry(forced.managedFields, 'kubectl').fieldsV1).toMatchObject({
      'f:spec': { 'f:replicas': {} },
    });
    expect(entry(forced.managedFields, 'helm').fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
    expect(entry(forced.managedFields, 'helm').time).toBe(NOW);
    expect(entry(forced.managedFields, 'kubectl').time).toBe(LATER);
  });

  it('drops a manager whose every field was taken by force', () => {
    const first = ok(
      apply(
        undefined,
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'ssa' },
          spec: { replicas: 1 },
        },
        'scaler',
      ),
    );
    const forced = ok(apply(first.object, manifest({ replicas: 3 }), 'kubectl', true));
    expect(owners(forced.managedFields)).toEqual(['kubectl/Apply']);
  });

  it('removes a field its sole owner stops applying', () => {
    const first = ok(
      apply(undefined, manifest({ replicas: 2, labels: { app: 'ssa', tier: 'web' } }), 'kubectl'),
    );
    const second = ok(apply(first.object, manifest({ labels: { app: 'ssa' } }), 'kubectl'));
    expect((second.object.metadata as { labels: unknown }).labels).toEqual({ app: 'ssa' });
    expect(second.object.spec).not.toHaveProperty('replicas');
    expect(entry(second.managedFields, 'kubectl').fieldsV1['f:spec']).not.toHaveProperty(
      'f:replicas',
    );
  });

  it('removes a container its sole owner stops applying, keeping the others in place', () => {
    const containers = [
      { name: 'init', image: 'a' },
      { name: 'app', image: 'b' },
      { name: 'sidecar', image: 'c' },
    ];
    const first = ok(apply(undefined, manifest({ containers }), 'kubectl'));
    const second = ok(
      apply(first.object, manifest({ containers: [containers[0], containers[2]] }), 'kubectl'),
    );
    const spec = second.object.spec as { template: { spec: { containers: unknown[] } } };
    expect(spec.template.spec.containers).toEqual([containers[0], containers[2]]);
  });

  it('keeps a dropped field another manager also owns, un-owned by the applier', () => {
    const first = ok(apply(undefined, manifest({ replicas: 3 }), 'alice'));
    const shared = ok(apply(first.object, manifest({ replicas: 3 }), 'bob'));
    const dropped = ok(apply(shared.object, manifest({}), 'alice'));
    expect((dropped.object.spec as { replicas: number }).replicas).toBe(3);
    expect(entry(dropped.managedFields, 'alice').fieldsV1['f:spec']).not.toHaveProperty(
      'f:replicas',
    );
    expect(entry(dropped.managedFields, 'bob').fieldsV1).toMatchObject({
      'f:spec': { 'f:replicas': {} },
    });
  });

  it('merges applied containers into live ones by key and leaves fields others set', () => {
    const first = ok(apply(undefined, manifest({ image: 'a' }), 'kubectl'));
    const patched = updateManagedFields({
      live: first.object,
      updated: {
        ...first.object,
        spec: {
          ...(first.object.spec as object),
          template: {
            spec: { containers: [{ name: 'app', image: 'a', imagePullPolicy: 'Always' }] },
          },
        },
      },
      manager: 'kubectl-edit',
      nav: deploymentNav,
      now: LATER,
    });
    const second = ok(apply(patched.object, manifest({ image: 'b' }), 'kubectl'));
    const spec = second.object.spec as { template: { spec: { containers: unknown[] } } };
    expect(spec.template.spec.containers).toEqual([
      { name: 'app', image: 'b', imagePullPolicy: 'Always' },
    ]);
  });

  it('treats a stored object nobody owns as owned by before-first-apply', () => {
    const result = apply(manifest({ replicas: 1 }), manifest({ replicas: 2 }), 'kubectl');
    if (!('conflicts' in result)) throw new Error('expected conflicts');
    expect(result.conflicts).toContainEqual({
      manager: 'before-first-apply',
      operation: 'Update',
      apiVersion: 'apps/v1',
      field: '.spec.replicas',
    });
  });

  it('refuses duplicate keys and managedFields in an apply configuration', () => {
    const dup = manifest({
      containers: [
        { name: 'app', image: 'a' },
        { name: 'app', image: 'b' },
      ],
    });
    expect(() => apply(undefined, dup, 'kubectl')).toThrow(PatchError);
    expect(() => apply(undefined, dup, 'kubectl')).toThrow(
      /\.spec\.template\.spec\.containers: duplicate entries for key \[name="app"\]/,
    );
    const withMf = { ...manifest({}), metadata: { name: 'ssa', managedFields: [] } };
    expect(() => apply(undefined, withMf, 'kubectl')).toThrow(
      /metadata\.managedFields must be nil/,
    );
  });

  it('refuses an associative list item without its key', () => {
    expect(() => apply(undefined, manifest({ containers: [{ image: 'a' }] }), 'kubectl')).toThrow(
      /has none of the key fields \(name\)/,
    );
  });
});

describe('updateManagedFields', () => {
  // As for unstructured objects upstream: every container the write adds is marked "." (typed built-ins omit it on structs).
  it('gives the creator every field, marking new maps, lists and list items with "."', () => {
    const { managedFields, object } = updateManagedFields({
      live: undefined,
      updated: manifest({ replicas: 1 }),
      manager: 'kubectl-create',
      nav: deploymentNav,
      now: NOW,
    });
    expect(managedFields).toHaveLength(1);
    expect(managedFields[0]).toMatchObject({
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: NOW,
    });
    expect(managedFields[0].fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        '.': {},
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          '.': {},
          'f:spec': {
            '.': {},
            'f:containers': {
              '.': {},
              'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} },
            },
          },
        },
      },
    });
    expect((object.metadata as { managedFields: unknown }).managedFields).toEqual(managedFields);
  });

  it('takes changed fields from their previous owner and drops owners left with nothing', () => {
    const created = ok(
      apply(
        undefined,
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'ssa' },
          spec: { replicas: 1 },
        },
        'scaler',
      ),
    );
    const scaled = updateManagedFields({
      live: created.object,
      updated: { ...created.object, spec: { replicas: 4 } },
      manager: 'kubectl-scale',
      nav: deploymentNav,
      now: LATER,
    });
    expect(owners(scaled.managedFields)).toEqual(['kubectl-scale/Update']);
    expect(scaled.managedFields[0].fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
  });

  it('leaves ownership alone when a write changes nothing', () => {
    const created = ok(apply(undefined, manifest({ replicas: 1 }), 'kubectl'));
    const same = updateManagedFields({
      live: created.object,
      updated: created.object,
      manager: 'noop',
      nav: deploymentNav,
      now: LATER,
    });
    expect(same.managedFields).toEqual(created.managedFields);
  });

  it('removes ownership of deleted fields', () => {
    const created = ok(apply(undefined, manifest({ replicas: 1 }), 'kubectl'));
    const spec = { ...(created.object.spec as Record<string, unknown>) };
    delete spec.replicas;
    const updated = updateManagedFields({
      live: created.object,
      updated: { ...created.object, spec },
      manager: 'editor',
      nav: deploymentNav,
      now: LATER,
    });
    expect(owners(updated.managedFields)).toEqual(['kubectl/Apply']);
    expect(updated.managedFields[0].fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
  });
});
