// Strategic merge patch: the patches kubectl sends, every directive, and the errors a malformed patch gets.
import { describe, expect, it } from 'vitest';
import { ANY_NAV, type SchemaNav } from '../../src/lib/schema-nav';
import {
  PatchError,
  applyStrategicMergePatch,
  createTwoWayMergePatch,
} from '../../src/lib/strategic-merge-patch';

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
const mergeList = (key: string, item: SchemaNav, extra: Spec = {}) =>
  nav({ kind: 'array', patchStrategy: 'merge', patchMergeKey: key, items: item, ...extra });

const containerNav = nav({
  fields: { ports: mergeList('containerPort', ANY_NAV), env: mergeList('name', ANY_NAV) },
});
const podSpecNav = nav({
  fields: {
    containers: mergeList('name', containerNav),
    volumes: mergeList('name', ANY_NAV, { patchStrategy: 'merge,retainKeys' }),
  },
});
const deploymentNav = nav({
  fields: {
    metadata: nav({
      fields: { finalizers: nav({ kind: 'array', patchStrategy: 'merge', listType: 'set' }) },
    }),
    spec: nav({
      fields: {
        strategy: nav({ patchStrategy: 'retainKeys' }),
        template: nav({ fields: { spec: podSpecNav } }),
      },
    }),
  },
});

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    Object.values(v).forEach(deepFreeze);
    Object.freeze(v);
  }
  return v;
}

function deployment(
  container: Record<string, unknown>,
  extraContainers: Record<string, unknown>[] = [],
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'demo',
      namespace: 'default',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'demo' } },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      },
      template: {
        metadata: { labels: { app: 'demo' } },
        spec: { containers: [container, ...extraContainers] },
      },
    },
  };
}

const patch = (original: unknown, p: unknown) =>
  applyStrategicMergePatch(deepFreeze(original), deepFreeze(p), deploymentNav);

describe('applyStrategicMergePatch', () => {
  it('applies the patch kubectl sends on a re-apply, keeping what only the server has', () => {
    const live = deployment({
      name: 'app',
      image: 'nginx:1.27',
      env: [
        { name: 'A', value: '1' },
        { name: 'FROM_WEBHOOK', value: 'x' },
      ],
      terminationMessagePath: '/dev/termination-log',
    });
    const kubectlPatch = {
      metadata: {
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":true}\n' },
      },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'A' }],
                env: [{ name: 'A', value: '2' }],
                image: 'nginx:1.28',
                name: 'app',
              },
            ],
          },
        },
      },
    };
    const out = patch(live, kubectlPatch) as ReturnType<typeof deployment>;
    expect(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe(
      '{"new":true}\n',
    );
    expect(out.spec.replicas).toBe(2);
    expect(out.spec.template.spec.containers).toEqual([
      {
        name: 'app',
        image: 'nginx:1.28',
        env: [
          { name: 'A', value: '2' },
          { name: 'FROM_WEBHOOK', value: 'x' },
        ],
        terminationMessagePath: '/dev/termination-log',
      },
    ]);
    expect(JSON.stringify(out)).not.toContain('$setElementOrder');
  });

  it('computes the same patch kubectl sends for that re-apply', () => {
    const before = deployment({
      name: 'app',
      image: 'nginx:1.27',
      env: [{ name: 'A', value: '1' }],
    });
    const after = deployment({
      name: 'app',
      image: 'nginx:1.28',
      env: [{ name: 'A', value: '2' }],
    });
    expect(createTwoWayMergePatch(before, after, deploymentNav)).toEqual({
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'A' }],
                env: [{ name: 'A', value: '2' }],
                image: 'nginx:1.28',
                name: 'app',
              },
            ],
          },
        },
      },
    });
  });

  it('deletes a key set to null', () => {
    const out = patch(
      { metadata: { labels: { a: '1', b: '2' } } },
      { metadata: { labels: { a: null } } },
    );
    expect(out).toEqual({ metadata: { labels: { b: '2' } } });
  });

  it('merges containers by name and ports by containerPort, appending new items', () => {
    const live = deployment({
      name: 'app',
      image: 'a',
      ports: [{ containerPort: 80, name: 'http' }],
    });
    const out = patch(live, {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'app',
                ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }],
              },
              { name: 'sidecar', image: 'envoy' },
            ],
          },
        },
      },
    }) as ReturnType<typeof deployment>;
    expect(out.spec.template.spec.containers).toEqual([
      {
        name: 'app',
        image: 'a',
        ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }],
      },
      { name: 'sidecar', image: 'envoy' },
    ]);
  });

  it('removes a container with $patch: delete', () => {
    const live = deployment({ name: 'app', image: 'a' }, [{ name: 'sidecar', image: 'b' }]);
    const out = patch(live, {
      spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
    }) as ReturnType<typeof deployment>;
    expect(out.spec.template.spec.containers).toEqual([{ name: 'app', image: 'a' }]);
  });

  it('removes a container the way kubectl asks, with $setElementOrder alongside the delete', () => {
    const live = deployment({ name: 'app', image: 'a' }, [{ name: 'sidecar', image: 'b' }]);
    const out = patch(live, {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }],
            containers: [{ $patch: 'delete', name: 'sidecar' }],
          },
        },
      },
    }) as ReturnType<typeof deployment>;
    expect(out.spec.template.spec.containers).toEqual([{ name: 'app', image: 'a' }]);
  });

  it('adds and deletes scalars in one patch, ordered by $setElementOrder', () => {
    const out = patch(
      { metadata: { finalizers: ['a', 'b', 'c'] } },
      {
        metadata: {
          '$setElementOrder/finalizers': ['a', 'b', 'd'],
          '$deleteFromPrimitiveList/finalizers': ['c'],
          finalizers: ['d'],
        },
      },
    );
    expect(out).toEqual({ metadata: { finalizers: ['a', 'b', 'd'] } });
  });

  it('replaces a whole list with $patch: replace', () => {
    const live = deployment({ name: 'app', image: 'a' }, [{ name: 'sidecar', image: 'b' }]);
    const out = patch(live, {
      spec: {
        template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'c' }] } },
      },
    }) as ReturnType<typeof deployment>;
    expect(out.spec.template.spec.containers).toEqual([{ name: 'only', image: 'c' }]);
  });

  it('replaces a whole map with $patch: replace', () => {
    const out = patch(
      { metadata: { labels: { a: '1', b: '2' } } },
      { metadata: { labels: { $patch: 'replace', c: '3' } } },
    );
    expect(out).toEqual({ metadata: { labels: { c: '3' } } });
  });

  it('empties a map with $patch: delete, as upstream does', () => {
    const out = patch(
      { metadata: { labels: { a: '1' } }, spec: {} },
      { metadata: { labels: { $patch: 'delete' } } },
    );
    expect(out).toEqual({ metadata: { labels: {} }, spec: {} });
  });

  it('accepts $patch: merge as the default behaviour', () => {
    const out = patch(
      { metadata: { labels: { a: '1' } } },
      { metadata: { labels: { $patch: 'merge', b: '2' } } },
    );
    expect(out).toEqual({ metadata: { labels: { a: '1', b: '2' } } });
  });

  it('clears the fields of a strategy that $retainKeys does not list', () => {
    const live = deployment({ name: 'app' });
    const out = patch(live, {
      spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } },
    }) as ReturnType<typeof deployment>;
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('refuses a $retainKeys that omits a field the patch sets', () => {
    expect(() =>
      patch(deployment({ name: 'app' }), {
        spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } },
      }),
    ).toThrow(/field "rollingUpdate" is set by the patch but missing from \$retainKeys/);
  });

  it('applies $retainKeys inside a merged volume', () => {
    const live = { spec: { template: { spec: { volumes: [{ name: 'data', emptyDir: {} }] } } } };
    const out = patch(live, {
      spec: {
        template: {
          spec: {
            volumes: [
              { name: 'data', $retainKeys: ['name', 'configMap'], configMap: { name: 'cm' } },
            ],
          },
        },
      },
    });
    expect(out).toEqual({
      spec: { template: { spec: { volumes: [{ name: 'data', configMap: { name: 'cm' } }] } } },
    });
  });

  it('unions a primitive merge list and deletes from it with $deleteFromPrimitiveList', () => {
    const live = { metadata: { finalizers: ['a', 'b'] } };
    expect(patch(live, { metadata: { finalizers: ['b', 'c'] } })).toEqual({
      metadata: { finalizers: ['a', 'b', 'c'] },
    });
    expect(
      patch(live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a', 'zzz'] } }),
    ).toEqual({
      metadata: { finalizers: ['b'] },
    });
  });

  it('reorders a primitive list with $setElementOrder', () => {
    const out = patch(
      { metadata: { finalizers: ['a', 'b', 'c'] } },
      { metadata: { '$setElementOrder/finalizers': ['c', 'a', 'b'] } },
    );
    expect(out).toEqual({ metadata: { finalizers: ['c', 'a', 'b'] } });
  });

  it('keeps server-only items where they were when the patch reorders the others', () => {
    const nav1 = nav({ fields: { list: mergeList('name', ANY_NAV) } });
    const out = applyStrategicMergePatch(
      { list: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
      {
        list: [
          { name: 3, value: 'c' },
          { name: 1, value: 'a' },
        ],
      },
      nav1,
    );
    expect(out).toEqual({
      list: [
        { name: 2, value: 'b' },
        { name: 3, value: 'c' },
        { name: 1, value: 'a' },
      ],
    });
  });

  it('replaces lists without a merge strategy atomically', () => {
    const out = patch(deployment({ name: 'app', args: ['--a', '--b'] }), {
      spec: { template: { spec: { containers: [{ name: 'app', args: ['--c'] }] } } },
    }) as ReturnType<typeof deployment>;
    expect(out.spec.template.spec.containers[0]).toEqual({ name: 'app', args: ['--c'] });
  });

  it('refuses a merge-list element without its merge key', () => {
    expect(() =>
      patch(deployment({ name: 'app' }), {
        spec: { template: { spec: { containers: [{ image: 'x' }] } } },
      }),
    ).toThrow(PatchError);
    expect(() =>
      patch(deployment({ name: 'app' }), {
        spec: { template: { spec: { containers: [{ image: 'x' }] } } },
      }),
    ).toThrow(
      /spec\.template\.spec\.containers: list element \{"image":"x"\} does not contain the merge key "name"/,
    );
  });

  it('refuses a patch list whose order contradicts $setElementOrder', () => {
    const live = deployment({ name: 'a' }, [{ name: 'b' }]);
    expect(() =>
      patch(live, {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
              containers: [{ name: 'b' }, { name: 'a' }],
            },
          },
        },
      }),
    ).toThrow(/not in the order given by \$setElementOrder\/containers/);
  });

  it('refuses an unknown directive', () => {
    expect(() => patch({}, { metadata: { $patch: 'explode' } })).toThrow(
      /unknown \$patch directive "explode"/,
    );
  });

  it('stores no directives when a patch adds a list that did not exist', () => {
    const out = patch(
      { spec: { template: { spec: {} } } },
      {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'a', image: 'x' },
                { name: 'gone', $patch: 'delete' },
              ],
            },
          },
        },
      },
    );
    expect(out).toEqual({
      spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }] } } },
    });
  });
});

describe('createTwoWayMergePatch', () => {
  it('yields a patch that turns the original into the modified object', () => {
    const before = deployment({ name: 'app', image: 'a', env: [{ name: 'X', value: '1' }] }, [
      { name: 'old', image: 'o' },
    ]);
    const after = {
      ...deployment({ name: 'new', image: 'n' }, [
        { name: 'app', image: 'b', env: [{ name: 'Y', value: '2' }] },
      ]),
      metadata: { name: 'demo', namespace: 'default', finalizers: ['f'] },
    };
    const p = createTwoWayMergePatch(before, after, deploymentNav);
    expect(applyStrategicMergePatch(before, p, deploymentNav)).toEqual(after);
    expect(p.spec).toMatchObject({
      template: {
        spec: { containers: expect.arrayContaining([{ name: 'old', $patch: 'delete' }]) },
      },
    });
  });

  it('sends $retainKeys for a retainKeys strategy that drops a field', () => {
    const before = deployment({ name: 'app' });
    const after = { ...before, spec: { ...before.spec, strategy: { type: 'Recreate' } } };
    const p = createTwoWayMergePatch(before, after, deploymentNav);
    expect(p).toEqual({
      spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } },
    });
    expect(applyStrategicMergePatch(before, p, deploymentNav)).toEqual(after);
  });
});
