// Custom resources through the real API Worker and Durable Objects: a CRD is served as soon as it
// is written; its objects are pruned, defaulted and validated (every error in one 422), stored
// and listed at the storage version, read at another served version, and multi-version
// discovery prefers the GA version.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { testEnv } from './helpers';

const token = testEnv.ADMIN_TOKEN!;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type J = any;

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`https://edgeplane.test${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const group = `w${Math.random().toString(36).slice(2, 8)}.example.com`;

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `gauges.${group}` },
  spec: {
    group,
    scope: 'Cluster',
    names: { plural: 'gauges', kind: 'Gauge' },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: false,
        schema: {
          openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['max'],
                properties: {
                  max: { type: 'integer', minimum: 0 },
                  unit: { type: 'string', default: 'bar', enum: ['bar', 'psi'] },
                },
              },
            },
          },
        },
      },
    ],
  },
};

describe('custom resources in workerd', () => {
  it('serve a new CRD at once, with its schema applied, across versions', async () => {
    const created = await call(
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      crd,
    );
    expect(created.status, await created.clone().text()).toBe(201);
    const body: J = await created.json();
    expect(
      body.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`),
    ).toEqual(['NamesAccepted=True', 'Established=True']);

    const base = `/apis/${group}/v1/gauges`;
    const bad = await call('POST', base, {
      apiVersion: `${group}/v1`,
      kind: 'Gauge',
      metadata: { name: 'bad' },
      spec: { max: -1, unit: 'kPa' },
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as J).details.causes.map((c: { field: string }) => c.field)).toEqual(
      ['spec.max', 'spec.unit'],
    );

    const ok = await call('POST', `${base}?fieldValidation=Ignore`, {
      apiVersion: `${group}/v1`,
      kind: 'Gauge',
      metadata: { name: 'boiler' },
      spec: { max: 3, stray: true },
    });
    expect(ok.status, await ok.clone().text()).toBe(201);
    expect(((await ok.json()) as J).spec).toEqual({ max: 3, unit: 'bar' });

    const alpha = await (await call('GET', `/apis/${group}/v1alpha1/gauges/boiler`)).json();
    expect(alpha).toMatchObject({ apiVersion: `${group}/v1alpha1`, spec: { max: 3, unit: 'bar' } });
    const list: J = await (await call('GET', base)).json();
    expect(list.items.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual([
      'boiler',
    ]);

    const doc: J = await (await call('GET', `/apis/${group}`)).json();
    expect(doc.versions.map((v: { version: string }) => v.version)).toEqual(['v1', 'v1alpha1']);
    expect(doc.preferredVersion.version).toBe('v1');
  });
});

describe('selectableFields', () => {
  const g = `s${Math.random().toString(36).slice(2, 8)}.example.com`;
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          color: { type: 'string', enum: ['red', 'blue'] },
          size: { type: 'integer' },
          shiny: { type: 'boolean' },
          shape: { type: 'object', properties: { sides: { type: 'integer' } } },
          tags: { type: 'array', items: { type: 'string' } },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  };
  const crdWith = (name: string, selectableFields: { jsonPath: string }[]) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${name}.${g}` },
    spec: {
      group: g,
      scope: 'Namespaced',
      names: { plural: name, kind: name[0].toUpperCase() + name.slice(1, -1) },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          selectableFields,
        },
      ],
    },
  });

  it('are validated against the schema as upstream does', async () => {
    const res = await call(
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      crdWith('badthings', [
        { jsonPath: '.spec.shape' },
        { jsonPath: '.spec.tags[0]' },
        { jsonPath: '.spec.missing' },
        { jsonPath: 'spec.color' },
        { jsonPath: '.spec.color' },
        { jsonPath: '.spec.color' },
        { jsonPath: '' },
      ]),
    );
    expect(res.status).toBe(422);
    const causes = ((await res.json()) as J).details.causes.map(
      (c: { field: string; message: string }) => `${c.field}: ${c.message}`,
    );
    const f = (i: number) => `spec.versions[0].selectableFields[${i}].jsonPath`;
    expect(causes).toEqual([
      `${f(0)}: Invalid value: ".spec.shape": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.`,
      `${f(1)}: Invalid value: ".spec.tags[0]": is an invalid path: array notation is not allowed`,
      `${f(2)}: Invalid value: ".spec.missing": is an invalid path: does not refer to a valid field`,
      `${f(3)}: Invalid value: "spec.color": is an invalid path: expected [ or . but got: spec`,
      `${f(5)}: Duplicate value: ".spec.color"`,
      `${f(6)}: Required value`,
    ]);

    const many = await call(
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      crdWith(
        'manythings',
        Array.from({ length: 9 }, (_, i) => ({ jsonPath: `.spec.labels.k${i}` })),
      ),
    );
    expect(many.status).toBe(422);
    expect(((await many.json()) as J).details.causes).toEqual([
      {
        reason: 'FieldValueTooMany',
        field: 'spec.versions[0].selectableFields',
        message: 'Too many: 9: must have at most 8 items',
      },
    ]);
  });

  it('serve field selectors on list and watch', async () => {
    const created = await call(
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      crdWith('things', [
        { jsonPath: '.spec.color' },
        { jsonPath: '.spec.size' },
        { jsonPath: '.spec.shiny' },
      ]),
    );
    expect(created.status, await created.clone().text()).toBe(201);
    const base = `/apis/${g}/v1/namespaces/default/things`;
    const make = (name: string, spec: object) =>
      call('POST', base, { apiVersion: `${g}/v1`, kind: 'Thing', metadata: { name }, spec });
    // A watch from now on, selecting the blue ones.
    const watch = await call('GET', `${base}?watch=1&fieldSelector=spec.color%3Dblue`);
    expect(watch.status).toBe(200);
    for (const [name, spec] of [
      ['a', { color: 'red', size: 3, shiny: true }],
      ['b', { color: 'blue', size: 3 }],
      ['c', { size: 5 }],
    ] as const)
      expect((await make(name, spec)).status).toBe(201);

    const names = async (selector: string) => {
      const res = await call('GET', `${base}?fieldSelector=${encodeURIComponent(selector)}`);
      expect(res.status, await res.clone().text()).toBe(200);
      return ((await res.json()) as J).items.map((o: J) => o.metadata.name);
    };
    expect(await names('spec.color=blue')).toEqual(['b']);
    expect(await names('spec.color!=blue')).toEqual(['a', 'c']);
    expect(await names('spec.size=3,spec.shiny=true')).toEqual(['a']);
    // An absent field reads as the empty string.
    expect(await names('spec.color=')).toEqual(['c']);
    expect(await names('metadata.name=c')).toEqual(['c']);
    const bad = await call('GET', `${base}?fieldSelector=spec.shape%3Dx`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as J).message).toBe('field label not supported: spec.shape');

    const reader = watch.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    await reader.cancel();
    const first = JSON.parse(text.split('\n')[0]) as J;
    expect([first.type, first.object.metadata.name]).toEqual(['ADDED', 'b']);
  });
});
