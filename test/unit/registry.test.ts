// The kind registry: every built-in identity has a definition, and kinds registered at run time
// are seen by every reader (routing, strategies, discovery, OpenAPI, schemas).
import { afterEach, describe, expect, it } from 'vitest';
import {
  RESOURCES,
  findResource,
  storageResource,
  type ResourceInfo,
} from '../../src/api/resources';
import { BUILTIN_KINDS } from '../../src/registry/kinds';
import { definitionFor, setCustomDefinitions } from '../../src/registry/registry';
import { permissiveStrategy } from '../../src/registry/registry';
import { apiResourceList } from '../../src/server/discovery';
import { openApiV3Index, servedGroupVersions } from '../../src/registry/openapi';
import { definitionName } from '../../src/registry/schema';

const widget: ResourceInfo = {
  group: 'example.com',
  version: 'v1',
  kind: 'Widget',
  resource: 'widgets',
  singular: 'widget',
  listKind: 'WidgetList',
  namespaced: true,
  categories: ['all'],
  subresources: [],
  partitioned: false,
};

describe('kind registry', () => {
  afterEach(() => setCustomDefinitions([]));

  it('has one definition for every built-in identity, and one identity per definition', () => {
    const keys = (rs: ResourceInfo[]) => rs.map((r) => `${r.group}/${r.version}/${r.resource}`);
    expect(keys(BUILTIN_KINDS.map((d) => d.info)).sort()).toEqual(keys(RESOURCES).sort());
    for (const r of RESOURCES) expect(definitionFor(r).info).toBe(r);
  });

  it('has an OpenAPI schema for every built-in kind (a kind without one is left out of OpenAPI)', () => {
    const missing = RESOURCES.filter(
      (r) => !definitionName(r.group ? `${r.group}/${r.version}` : r.version, r.kind),
    ).map((r) => `${r.group}/${r.version} ${r.kind}`);
    expect(missing).toEqual([]);
  });

  it('serves a kind registered at run time everywhere, and forgets it when it is gone', () => {
    const before = openApiV3Index().paths;
    expect(findResource('example.com', 'v1', 'widgets')).toBeUndefined();
    setCustomDefinitions([
      {
        info: widget,
        strategy: permissiveStrategy(true),
        schemas: {
          'com.example.v1.Widget': {
            type: 'object',
            'x-kubernetes-group-version-kind': [
              { group: 'example.com', version: 'v1', kind: 'Widget' },
            ],
          },
        },
      },
    ]);
    expect(findResource('example.com', 'v1', 'widgets')).toBe(widget);
    expect(definitionFor(widget).info).toBe(widget);
    expect(servedGroupVersions()).toContain('example.com/v1');
    expect(apiResourceList('example.com', 'v1')?.resources).toContainEqual(
      expect.objectContaining({ name: 'widgets', kind: 'Widget', categories: ['all'] }),
    );
    expect(openApiV3Index().paths['apis/example.com/v1']).toBeDefined();
    expect(definitionName('example.com/v1', 'Widget')).toBe('com.example.v1.Widget');
    expect(definitionName('example.com/v1', 'WidgetList')).toBe('com.example.v1.WidgetList');
    setCustomDefinitions([]);
    expect(findResource('example.com', 'v1', 'widgets')).toBeUndefined();
    expect(openApiV3Index().paths).toEqual(before);
  });

  it('stores the two event APIs together and any other "events" apart', () => {
    const core = findResource('', 'v1', 'events')!;
    const v1 = findResource('events.k8s.io', 'v1', 'events')!;
    expect(storageResource(core)).toBe(storageResource(v1));
    expect(storageResource({ ...widget, resource: 'events' })).toBe('example.com/events');
  });
});
