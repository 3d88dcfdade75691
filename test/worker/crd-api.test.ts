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
