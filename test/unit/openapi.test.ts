// The OpenAPI v3 index and documents: what kubectl's apply, edit and explain look for in them.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RESOURCES, groupVersion } from '../../src/api/resources';
import { REVIEW_RESOURCES } from '../../src/api/review-resources';
import {
  openApiPath,
  openApiV3Document,
  openApiV3Index,
  sha256Hex,
} from '../../src/registry/openapi';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any> };
};
const doc = (gv: string) => JSON.parse(openApiV3Document(gv)!.body) as Doc;

describe('openApiV3Index', () => {
  it('lists every served group/version with a hashed URL', () => {
    const index = openApiV3Index();
    const served = [...RESOURCES, ...REVIEW_RESOURCES];
    const expected = [...new Set(served.map(groupVersion))].map(openApiPath);
    expect(Object.keys(index.paths)).toEqual(expected);
    expect(index.paths['api/v1'].serverRelativeURL).toMatch(
      /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{64}$/,
    );
    expect(index.paths['apis/apps/v1'].serverRelativeURL).toBe(
      `/openapi/v3/apis/apps/v1?hash=${openApiV3Document('apps/v1')!.hash}`,
    );
  });

  it('keeps hashes stable, and changes them all with the base hash', () => {
    const a = openApiV3Index();
    expect(openApiV3Index()).toEqual(a);
    const b = openApiV3Index('build-2');
    expect(b.paths['api/v1'].serverRelativeURL).not.toBe(a.paths['api/v1'].serverRelativeURL);
    expect(openApiV3Document('v1', 'build-2')!.etag).toBe(
      `"${b.paths['api/v1'].serverRelativeURL.split('hash=')[1]}"`,
    );
  });
});

describe('openApiV3Document', () => {
  it('accepts group/version and URL path forms, and refuses what we do not serve', () => {
    expect(openApiV3Document('apis/apps/v1')!.body).toBe(openApiV3Document('apps/v1')!.body);
    expect(openApiV3Document('/openapi/v3/api/v1')!.path).toBe('api/v1');
    expect(openApiV3Document('apis/example.com/v1')).toBeUndefined();
  });

  it('has a PATCH per kind with its GVK, the fieldValidation parameter and all four patch types', () => {
    for (const r of RESOURCES) {
      const d = doc(groupVersion(r));
      const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      const item = r.namespaced
        ? `${base}/namespaces/{namespace}/${r.resource}/{name}`
        : `${base}/${r.resource}/{name}`;
      const patch = d.paths[item]?.patch;
      expect(patch, item).toBeDefined();
      expect(patch['x-kubernetes-action']).toBe('patch');
      expect(patch['x-kubernetes-group-version-kind']).toEqual({
        group: r.group,
        kind: r.kind,
        version: r.version,
      });
      expect(patch.parameters).toContainEqual(
        expect.objectContaining({ name: 'fieldValidation', in: 'query' }),
      );
      expect(Object.keys(patch.requestBody.content).sort()).toEqual([
        'application/apply-patch+yaml',
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
      ]);
    }
  });

  it('serves get/put/delete on items, list/create on collections, and the scale subresource as autoscaling/v1 Scale', () => {
    const d = doc('apps/v1');
    const item = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    expect(Object.keys(item).sort()).toEqual(['delete', 'get', 'parameters', 'patch', 'put']);
    expect(item.get.operationId).toBe('readAppsV1NamespacedDeployment');
    expect(Object.keys(d.paths['/apis/apps/v1/namespaces/{namespace}/deployments'])).toEqual(
      expect.arrayContaining(['get', 'post', 'delete']),
    );
    expect(d.paths['/apis/apps/v1/deployments'].get.operationId).toBe(
      'listAppsV1DeploymentForAllNamespaces',
    );
    const scale = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    expect(scale.patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'autoscaling',
      kind: 'Scale',
      version: 'v1',
    });
    expect(d.components.schemas['io.k8s.api.autoscaling.v1.Scale']).toBeDefined();
    const v1 = doc('v1');
    expect(v1.paths['/api/v1/nodes/{name}'].patch.operationId).toBe('patchCoreV1Node');
    expect(
      v1.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post[
        'x-kubernetes-group-version-kind'
      ].group,
    ).toBe('policy');
    expect(v1.paths['/api/v1/namespaces/{namespace}/pods/{name}/exec']).toBeUndefined();
  });

  it('carries every schema the document references, with kinds tagged and patch metadata kept', () => {
    for (const gv of [...new Set(RESOURCES.map(groupVersion))]) {
      const d = doc(gv);
      const text = JSON.stringify(d);
      for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g))
        expect(d.components.schemas[name], name).toBeDefined();
    }
    const v1 = doc('v1');
    expect(v1.openapi).toBe('3.0.0');
    expect(
      v1.components.schemas['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind'],
    ).toEqual([{ group: '', kind: 'Pod', version: 'v1' }]);
    const containers = v1.components.schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
    expect(containers['x-kubernetes-patch-merge-key']).toBe('name');
    expect(containers['x-kubernetes-patch-strategy']).toBe('merge');
    const spec = v1.components.schemas['io.k8s.api.core.v1.Pod'].properties.spec;
    expect(spec).toEqual({
      description: expect.any(String),
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }],
    });
    expect(
      v1.components.schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'][
        'x-kubernetes-int-or-string'
      ],
    ).toBe(true);
    expect(v1.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time']).toMatchObject({
      type: 'string',
      format: 'date-time',
    });
  });

  it('leaves out definitions the group/version does not reach', () => {
    expect(
      doc('coordination.k8s.io/v1').components.schemas['io.k8s.api.core.v1.PodSpec'],
    ).toBeUndefined();
  });
});

describe('sha256Hex', () => {
  it('matches node:crypto on empty, block-edge and multi-byte input', () => {
    for (const t of [
      '',
      'abc',
      'a'.repeat(55),
      'a'.repeat(56),
      'a'.repeat(64),
      'ünïcødé 🚀'.repeat(50),
    ]) {
      expect(sha256Hex(t)).toBe(createHash('sha256').update(t).digest('hex').toUpperCase());
    }
  });
});
