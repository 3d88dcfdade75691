// CustomResourceDefinitions themselves: validation, the naming status (NamesAccepted,
// Established, conflicts), and the served kinds a CRD adds.
import { afterEach, describe, expect, it } from 'vitest';
import type { CustomResourceDefinition } from '../../src/api/crd';
import { crdResourceInfos } from '../../src/api/crd';
import { setKnownCRDs, updateNamingStatus } from '../../src/registry/crd/naming';
import { customResourceDefinitions } from '../../src/registry/crd/resource-definitions';
import { customresourcedefinitions } from '../../src/registry/kinds/customresourcedefinitions';
import { validateCustomResourceDefinition } from '../../src/registry/validate/crd';

function crd(over: Partial<CustomResourceDefinition['spec']> = {}, name = 'gizmos.x.io') {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group: 'x.io',
      scope: 'Cluster',
      names: { plural: 'gizmos', kind: 'Gizmo' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } },
        },
        {
          name: 'v2alpha1',
          served: false,
          storage: false,
          schema: { openAPIV3Schema: { type: 'object' } },
        },
      ],
      ...over,
    },
  } as CustomResourceDefinition;
}

const errs = (c: CustomResourceDefinition) =>
  validateCustomResourceDefinition(c).map((e) => `${e.field}: ${e.message}`);

describe('CustomResourceDefinition', () => {
  afterEach(() => setKnownCRDs([]));

  it('validates names, scope, versions and the structural schema together', () => {
    expect(errs(crd())).toEqual([]);
    const bad = crd({
      group: 'nodots',
      scope: 'Everywhere' as never,
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { properties: { a: {} } } },
        },
        { name: 'v1', served: true, storage: true },
      ],
    });
    expect(errs(bad)).toEqual([
      'spec.group: Invalid value: "nodots": should be a domain with at least one dot',
      'metadata.name: Invalid value: "gizmos.x.io": must be spec.names.plural+"."+spec.group',
      'spec.scope: Unsupported value: "Everywhere": supported values: "Cluster", "Namespaced"',
      'spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty at the root',
      'spec.versions[0].schema.openAPIV3Schema.properties[a].type: Required value: must not be empty for specified object fields',
      'spec.versions[1].name: Duplicate value: "v1"',
      'spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required',
      'spec.versions: Invalid value: ["v1","v1"]: must have exactly one version marked as storage version',
    ]);
  });

  it('accepts its names and establishes, or says which name is taken', () => {
    const first = crd();
    updateNamingStatus(first);
    expect(first.status?.acceptedNames).toEqual({
      plural: 'gizmos',
      singular: 'gizmo',
      kind: 'Gizmo',
      listKind: 'GizmoList',
    });
    const cond = (c: CustomResourceDefinition, t: string) =>
      c.status?.conditions?.find((x) => x.type === t);
    expect(cond(first, 'NamesAccepted')).toMatchObject({ status: 'True', reason: 'NoConflicts' });
    expect(cond(first, 'Established')).toMatchObject({
      status: 'True',
      reason: 'InitialNamesAccepted',
    });

    setKnownCRDs([first]);
    const rival = crd({ names: { plural: 'gizmos', kind: 'Other' } }, 'gizmos2.x.io');
    updateNamingStatus(rival);
    expect(cond(rival, 'NamesAccepted')).toMatchObject({
      status: 'False',
      reason: 'PluralConflict',
      message: '"gizmos" is already in use',
    });
    expect(cond(rival, 'Established')?.status).toBe('False');
    expect(customResourceDefinitions(rival)).toEqual([]);

    // Built-in kinds of a group count too.
    const clash = crd({ group: 'apps', names: { plural: 'deployments', kind: 'Deployment' } });
    updateNamingStatus(clash);
    expect(cond(clash, 'NamesAccepted')?.reason).toBe('PluralConflict');
  });

  it('serves each served version, with the storage version on what it stores', () => {
    const c = crd();
    updateNamingStatus(c);
    expect(crdResourceInfos(c).map((r) => `${r.group}/${r.version}/${r.resource}`)).toEqual([
      'x.io/v1/gizmos',
    ]);
    const [def] = customResourceDefinitions(c);
    expect(def.info).toMatchObject({ kind: 'Gizmo', namespaced: false, listKind: 'GizmoList' });
    expect(def.custom?.terminating).toBe(false);
    expect(
      def.view?.fromView({ apiVersion: 'x.io/v1', kind: 'Gizmo', metadata: {} }).apiVersion,
    ).toBe('x.io/v1');
  });

  it('answers malformed CRDs with field errors, never an exception', () => {
    const shapes: unknown[] = [
      { spec: null },
      { spec: { versions: 'v1', names: 'x' } },
      {
        spec: {
          group: 'a.b',
          names: {},
          versions: [null, 1, { schema: { openAPIV3Schema: 'x' } }],
        },
      },
      {
        spec: {
          group: 'a.b',
          scope: 'Cluster',
          names: { plural: 'ps', kind: 'P' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: { a: { type: 'array' } },
                  required: 'a',
                },
              },
            },
          ],
        },
      },
    ];
    for (const spec of shapes) {
      const obj = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'ps.a.b' },
        ...(spec as object),
      };
      expect(() => {
        const copy = structuredClone(obj) as never;
        customresourcedefinitions.strategy.applyDefaults(copy);
        customresourcedefinitions.strategy.prepareForCreate?.(copy);
      }).not.toThrow();
      expect(() => validateCustomResourceDefinition(obj as never)).not.toThrow();
      expect(validateCustomResourceDefinition(obj as never).length).toBeGreaterThan(0);
    }
  });
});
