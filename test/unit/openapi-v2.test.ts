// The /openapi/v2 document: the Swagger 2.0 shape kubectl's fallback reads, and its gnostic protobuf encoding.
import { describe, expect, it } from 'vitest';
import { RESOURCES, groupVersion } from '../../src/api/resources';
import { ProtoReader } from '../../src/api/protobuf/wire';
import { buildV2Document, openApiV2 } from '../../src/registry/openapi-v2';
import { definitions } from '../../src/registry/schema/index';
import { pickOpenApiV2 } from '../../src/server/negotiate';

type Json = Record<string, any>;
const doc = buildV2Document() as Json;

/** Every field of one message, decoded by number: sub-messages and strings stay as bytes. */
function fields(buf: Uint8Array): Map<number, (Uint8Array | number)[]> {
  const r = new ProtoReader(buf);
  const out = new Map<number, (Uint8Array | number)[]>();
  while (!r.eof()) {
    const { field, wireType } = r.tag();
    const v = wireType === 2 ? r.bytes() : wireType === 0 ? r.varint() : (r.skip(wireType), NaN);
    out.set(field, [...(out.get(field) ?? []), v]);
  }
  return out;
}
const str = (b: Uint8Array | number | undefined) => new TextDecoder().decode(b as Uint8Array);
const one = (m: Map<number, (Uint8Array | number)[]>, f: number) => m.get(f)?.[0] as Uint8Array;
/** A repeated Named* message (name = 1, value = 2) as [name, value bytes] pairs. */
const named = (list: (Uint8Array | number)[] = []) =>
  list.map((b) => fields(b as Uint8Array)).map((n) => [str(one(n, 1)), one(n, 2)] as const);

describe('openapi v2 document', () => {
  it('is Swagger 2.0 with every served kind, list kind and their GVK extensions under #/definitions', () => {
    expect(doc.swagger).toBe('2.0');
    expect(Object.keys(doc.definitions)).toEqual(Object.keys(definitions()).sort());
    for (const r of RESOURCES) {
      for (const kind of [r.kind, r.listKind]) {
        const def = Object.values(doc.definitions as Record<string, Json>).find((d) =>
          (d['x-kubernetes-group-version-kind'] ?? []).some(
            (g: Json) => g.kind === kind && groupVersion(g as never) === groupVersion(r),
          ),
        );
        expect(def, `${groupVersion(r)} ${kind}`).toBeDefined();
      }
    }
  });

  it('has no v3-only constructs and no dangling references', () => {
    const text = JSON.stringify(doc);
    expect(text).not.toContain('#/components/');
    expect(text).not.toContain('"oneOf"');
    expect(text).not.toContain('"requestBody"');
    for (const m of text.matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g))
      expect(doc.definitions[m[1]], m[1]).toBeDefined();
    // A described reference is a $ref with a description, as upstream writes v2.
    expect(doc.definitions['io.k8s.api.apps.v1.Deployment'].properties.metadata).toEqual({
      description: expect.any(String),
      $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    });
    expect(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({
      type: 'string',
      format: 'int-or-string',
    });
  });

  it('has a PATCH per kind with its GVK and fieldValidation, which kubectl checks before validating server-side', () => {
    for (const r of RESOURCES) {
      const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      const item = `${base}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`;
      const patch = doc.paths[item]?.patch;
      expect(patch, item).toBeDefined();
      expect(patch['x-kubernetes-action']).toBe('patch');
      expect(patch['x-kubernetes-group-version-kind']).toEqual({
        group: r.group,
        version: r.version,
        kind: r.kind,
      });
      expect(patch.parameters.map((p: Json) => p.name)).toContain('fieldValidation');
      expect(patch.parameters[0]).toMatchObject({ name: 'body', in: 'body', required: true });
      expect(patch.consumes).toContain('application/strategic-merge-patch+json');
    }
  });
});

describe('openapi v2 protobuf (gnostic openapi.v2.Document)', () => {
  const pb = fields(openApiV2().proto.body as Uint8Array);

  it('carries the version, info and every path and definition by name', () => {
    expect(str(one(pb, 1))).toBe('2.0');
    const info = fields(one(pb, 2));
    expect(str(one(info, 1))).toBe('edgeplane');
    const paths = named(fields(one(pb, 8)).get(2));
    expect(paths.map(([n]) => n)).toEqual(Object.keys(doc.paths));
    const defs = named(fields(one(pb, 9)).get(1));
    expect(defs.map(([n]) => n)).toEqual(Object.keys(doc.definitions));
  });

  it('encodes a definition with its properties, required, type and GVK extension as YAML-readable text', () => {
    const defs = new Map(named(fields(one(pb, 9)).get(1)));
    const cm = fields(defs.get('io.k8s.api.core.v1.ConfigMap')!);
    expect(str(one(cm, 4))).toBe(doc.definitions['io.k8s.api.core.v1.ConfigMap'].description);
    expect(fields(one(cm, 22)).get(1)!.map(str)).toEqual(['object']);
    const props = named(fields(one(cm, 25)).get(1)).map(([n]) => n);
    expect(props).toEqual(Object.keys(doc.definitions['io.k8s.api.core.v1.ConfigMap'].properties));
    const ext = named(cm.get(31));
    expect(ext.map(([n]) => n)).toEqual(['x-kubernetes-group-version-kind']);
    const yaml = str(one(fields(ext[0][1]), 2));
    expect(JSON.parse(yaml)).toEqual([{ group: '', kind: 'ConfigMap', version: 'v1' }]);
    // A map's value schema sits in AdditionalPropertiesItem.schema (1).
    const data = fields(new Map(named(fields(one(cm, 25)).get(1))).get('data')!);
    const valueSchema = fields(one(fields(one(data, 21)), 1));
    expect(fields(one(valueSchema, 22)).get(1)!.map(str)).toEqual(['string']);
  });

  it('encodes a PATCH operation with its query parameters and the GVK extension', () => {
    const paths = new Map(named(fields(one(pb, 8)).get(2)));
    const item = fields(paths.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!);
    const patch = fields(one(item, 8));
    expect(str(one(patch, 5))).toBe('patchAppsV1NamespacedDeployment');
    const params = patch.get(8)!.map((b) => fields(one(fields(b as Uint8Array), 1)));
    // Parameter.body_parameter (1) first, then NonBodyParameter (2) → query (3) with name at 4.
    expect(str(one(fields(one(params[0], 1)), 2))).toBe('body');
    const queryNames = params.slice(1).map((p) => str(one(fields(one(fields(one(p, 2)), 3)), 4)));
    expect(queryNames).toContain('fieldValidation');
    const ext = new Map(
      named(patch.get(13)).map(([n, v]) => [n, JSON.parse(str(one(fields(v), 2)))]),
    );
    expect(ext.get('x-kubernetes-action')).toBe('patch');
    expect(ext.get('x-kubernetes-group-version-kind')).toEqual({
      group: 'apps',
      kind: 'Deployment',
      version: 'v1',
    });
    // Path-level parameters: name, namespace (path: PathParameterSubSchema at 4, required = 1), pretty (query).
    const pathParams = item
      .get(9)!
      .map((b) => fields(one(fields(one(fields(b as Uint8Array), 1)), 2)));
    const nameParam = fields(one(pathParams[0], 4));
    expect([str(one(nameParam, 4)), nameParam.get(1)?.[0], str(one(nameParam, 5))]).toEqual([
      'name',
      1,
      'string',
    ]);
  });
});

describe('pickOpenApiV2', () => {
  it('serves what kubectl asks for as protobuf, JSON otherwise, and nothing for other types', () => {
    expect(pickOpenApiV2('application/com.github.proto-openapi.spec.v2@v1.0+protobuf')).toBe(
      'protobuf',
    );
    expect(pickOpenApiV2('application/json')).toBe('json');
    expect(pickOpenApiV2(null)).toBe('json');
    expect(
      pickOpenApiV2(
        'application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
      ),
    ).toBe('protobuf');
    expect(pickOpenApiV2('application/vnd.kubernetes.protobuf')).toBeUndefined();
  });
});
