// Wire details clients other than kubectl check: boolean query parameters and Status bodies, byte for byte.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import { storeWith, testEnv } from './helpers';
import { RESOURCES } from '../../src/api/resources';

const auth = () => ({ Authorization: `Bearer ${testEnv.ADMIN_TOKEN}` });
const call = (path: string, init: RequestInit = {}) =>
  SELF.fetch(`https://edgeplane.test${path}`, {
    ...init,
    headers: { ...auth(), ...(init.headers ?? {}) },
  });

/** The first line of a watch stream (the synthetic ADDED of an existing object), then the stream is dropped. */
async function firstLine(res: Response): Promise<string> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!text.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  return text.split('\n')[0];
}

describe('boolean query parameters (Go strconv.ParseBool)', () => {
  it('starts a watch for every spelling of true, as the Python client sends watch=True', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(
      'configmaps',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: ns } },
      { namespace: ns },
    );
    for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) {
      const res = await call(`/api/v1/namespaces/${ns}/configmaps?watch=${v}&timeoutSeconds=5`);
      expect(res.status, `watch=${v}`).toBe(200);
      const ev = JSON.parse(await firstLine(res));
      expect(ev.type, `watch=${v}`).toBe('ADDED');
      expect(ev.object.metadata.name).toBe('a');
    }
  });

  it('lists for every spelling of false', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False']) {
      const res = await call(`/api/v1/namespaces/${ns}/configmaps?watch=${v}`);
      expect(res.status, `watch=${v}`).toBe(200);
      expect((await res.json<{ kind: string }>()).kind).toBe('ConfigMapList');
    }
  });

  it('refuses any other value with a 400 Status naming the parameter, and stores nothing', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const cases: [string, string, RequestInit?][] = [
      ['watch', `/api/v1/namespaces/${ns}/configmaps?watch=yes`],
      ['watch', `/api/v1/namespaces/${ns}/configmaps?watch=`],
      [
        'allowWatchBookmarks',
        `/api/v1/namespaces/${ns}/configmaps?watch=true&allowWatchBookmarks=on`,
      ],
      ['sendInitialEvents', `/api/v1/namespaces/${ns}/configmaps?watch=1&sendInitialEvents=tRUE`],
      ['pretty', `/api/v1/namespaces/${ns}/configmaps?pretty=2`],
      ['follow', `/api/v1/namespaces/${ns}/pods/p/log?follow=yes`],
      ['previous', `/api/v1/namespaces/${ns}/pods/p/log?previous=Y`],
      ['timestamps', `/api/v1/namespaces/${ns}/pods/p/log?timestamps=TrUe`],
      [
        'insecureSkipTLSVerifyBackend',
        `/api/v1/namespaces/${ns}/pods/p/log?insecureSkipTLSVerifyBackend=no`,
      ],
      [
        'orphanDependents',
        `/api/v1/namespaces/${ns}/configmaps/x?orphanDependents=nope`,
        { method: 'DELETE' },
      ],
      [
        'force',
        `/api/v1/namespaces/${ns}/configmaps/x?force=yes&fieldManager=m`,
        {
          method: 'PATCH',
          headers: { 'content-type': 'application/apply-patch+yaml' },
          body: JSON.stringify({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'x', namespace: ns },
          }),
        },
      ],
    ];
    for (const [name, path, init] of cases) {
      const res = await call(path, init);
      expect(res.status, path).toBe(400);
      const s = await res.json<{
        kind: string;
        reason: string;
        message: string;
        details: { causes: { field: string }[] };
      }>();
      expect(s.kind).toBe('Status');
      expect(s.reason).toBe('BadRequest');
      expect(s.message, path).toContain(`"${name}"`);
      expect(s.details.causes[0].field).toBe(name);
    }
    expect((await c.list('configmaps', { namespace: ns })).items).toEqual([]);
  });

  it('indents the response for pretty=True, as the Python client can ask', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const pretty = await (await call(`/api/v1/namespaces/${ns}?pretty=True`)).text();
    const plain = await (await call(`/api/v1/namespaces/${ns}?pretty=0`)).text();
    expect(pretty).toBe(JSON.stringify(JSON.parse(plain), null, 2));
    expect(pretty).toContain('\n  "metadata": {\n    "name": ');
    expect(plain).not.toContain('\n');
  });

  it('accepts force=True on an apply patch and orphanDependents=False on a delete', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const apply = await call(`/api/v1/namespaces/${ns}/configmaps/x?force=True&fieldManager=m`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'x', namespace: ns },
        data: { a: '1' },
      }),
    });
    expect(apply.status).toBe(201);
    const del = await call(`/api/v1/namespaces/${ns}/configmaps/x?orphanDependents=False`, {
      method: 'DELETE',
    });
    expect(del.status).toBe(200);
  });
});

describe('Status error bodies', () => {
  it('are serialized in metav1.Status field order with a trailing newline', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const missing = await call(`/api/v1/namespaces/${ns}/configmaps/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/json');
    expect(await missing.text()).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}\n',
    );

    const dup = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: { labels: { a: 'b' } },
          spec: { containers: [{ name: 'c', image: 'i' }] },
        },
      },
    };
    const post = () =>
      call(`/apis/apps/v1/namespaces/${ns}/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(dup),
      });
    expect((await post()).status).toBe(201);
    expect(await (await post()).text()).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"d\\" already exists","reason":"AlreadyExists","details":{"name":"d","group":"apps","kind":"deployments"},"code":409}\n',
    );

    const invalid = await call(`/api/v1/namespaces/${ns}/configmaps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }),
    });
    expect(invalid.status).toBe(422);
    const text = await invalid.text();
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text))).toEqual([
      'kind',
      'apiVersion',
      'metadata',
      'status',
      'message',
      'reason',
      'details',
      'code',
    ]);
    expect(Object.keys(JSON.parse(text).details)).toEqual(['name', 'kind', 'causes']);
    expect(Object.keys(JSON.parse(text).details.causes[0])).toEqual(['reason', 'message', 'field']);
  });

  it('renders a path the server does not serve the same way', async () => {
    const res = await call('/apis/nope.example.com/v1/things');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","code":404}\n',
    );
  });
});

describe('/openapi/v2', () => {
  const PB = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

  it('serves JSON and gnostic protobuf, each with its own ETag, and 304 for a matching If-None-Match', async () => {
    const json = await call('/openapi/v2', { headers: { accept: 'application/json' } });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect((await json.json<{ swagger: string }>()).swagger).toBe('2.0');
    const etag = json.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9A-F]{64}"$/);

    const pb = await call('/openapi/v2', { headers: { accept: PB } });
    expect(pb.status).toBe(200);
    // The apiserver answers with the spelling Go's mime parser accepts ("@" is a separator).
    expect(pb.headers.get('content-type')).toBe(
      'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
    );
    const bytes = new Uint8Array(await pb.arrayBuffer());
    expect([...bytes.slice(0, 5)]).toEqual([0x0a, 0x03, 0x32, 0x2e, 0x30]); // field 1 (swagger) = "2.0"
    const pbEtag = pb.headers.get('etag')!;
    expect(pbEtag).not.toBe(etag);

    const again = await call('/openapi/v2', { headers: { accept: PB, 'if-none-match': pbEtag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const stale = await call('/openapi/v2', { headers: { accept: PB, 'if-none-match': etag } });
    expect(stale.status).toBe(200);
  });

  it('answers 406 with a Status for a media type it does not serve', async () => {
    const res = await call('/openapi/v2', {
      headers: { accept: 'application/vnd.kubernetes.protobuf' },
    });
    expect(res.status).toBe(406);
    expect((await res.json<{ reason: string }>()).reason).toBe('NotAcceptable');
  });
});

describe('DELETE responses', () => {
  it('answers a removed object with a Status Success naming it, but returns pods, services, namespaces and service accounts', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const cm = await c.create(
      'configmaps',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gone', namespace: ns } },
      { namespace: ns },
    );
    const del = await call(`/api/v1/namespaces/${ns}/configmaps/gone`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await del.text()).toBe(
      `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"gone","kind":"configmaps","uid":"${(cm.metadata as { uid?: string }).uid}"}}`,
    );

    await c.create(
      'leases.coordination.k8s.io',
      {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'l', namespace: ns },
      },
      { namespace: ns },
    );
    const lease = await (
      await call(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/l`, { method: 'DELETE' })
    ).json<Record<string, any>>();
    expect(lease).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'l', group: 'coordination.k8s.io', kind: 'leases' },
    });

    await c.create(
      'serviceaccounts',
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: ns } },
      { namespace: ns },
    );
    const sa = await (
      await call(`/api/v1/namespaces/${ns}/serviceaccounts/sa`, { method: 'DELETE' })
    ).json<Record<string, any>>();
    expect(sa).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'sa' } });

    // An object that lingers (a finalizer holds it) is returned as it now stands.
    await c.create(
      'configmaps',
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'held', namespace: ns, finalizers: ['example.com/hold'] },
      },
      { namespace: ns },
    );
    const held = await (
      await call(`/api/v1/namespaces/${ns}/configmaps/held`, { method: 'DELETE' })
    ).json<Record<string, any>>();
    expect(held).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'held', deletionTimestamp: expect.any(String) },
    });
    await c.patch(
      'configmaps',
      'held',
      'merge',
      { metadata: { finalizers: null } },
      { namespace: ns },
    );
  });
});

describe('fields the apiserver always sends, even empty', () => {
  const post = async (path: string, body: object) => {
    const res = await call(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    return JSON.parse(text);
  };
  const get = async (path: string) => (await call(path)).json<Record<string, any>>();
  const container = { name: 'c', image: 'busybox' };

  it('gives every kind its always-present structs, zero values and null times, on create and in reads', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const nsObj = await get(`/api/v1/namespaces/${ns}`);
    expect(nsObj.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(nsObj.status).toEqual({ phase: 'Active' });

    // A client-sent status is dropped on create, as PrepareForCreate does; loadBalancer is a struct.
    const svc = await post(`/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80 }] },
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    });
    expect(svc.status).toEqual({ loadBalancer: {} });
    expect((await get(`/api/v1/namespaces/${ns}/services/s`)).status).toEqual({ loadBalancer: {} });

    const tpl = { metadata: { labels: { a: 'b' } }, spec: { containers: [container] } };
    const dep = await post(`/apis/apps/v1/namespaces/${ns}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { replicas: 0, selector: { matchLabels: { a: 'b' } }, template: tpl },
      status: { replicas: 9 },
    });
    expect(dep.status).toEqual({});
    expect(dep.spec.template.metadata).toEqual({ creationTimestamp: null, labels: { a: 'b' } });
    const rs = await post(`/apis/apps/v1/namespaces/${ns}/replicasets`, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'r' },
      spec: { replicas: 0, selector: { matchLabels: { a: 'b' } }, template: tpl },
    });
    expect(rs.status).toEqual({ replicas: 0 });
    expect(rs.spec.template.metadata.creationTimestamp).toBeNull();

    const node = await post('/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `${ns}-node` },
    });
    expect(node.spec).toEqual({});
    expect(node.status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 0 } });
    expect(Object.keys(node.status.nodeInfo).sort()).toEqual([
      'architecture',
      'bootID',
      'containerRuntimeVersion',
      'kernelVersion',
      'kubeProxyVersion',
      'kubeletVersion',
      'machineID',
      'operatingSystem',
      'osImage',
      'systemUUID',
    ]);
    await c.delete('nodes', `${ns}-node`);

    const lease = await post(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l' },
    });
    expect(lease.spec).toEqual({});

    const ev = await post(`/api/v1/namespaces/${ns}/events`, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: ns },
      reason: 'R',
      message: 'm',
    });
    expect(ev).toMatchObject({
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
      eventTime: null,
      reportingComponent: '',
      reportingInstance: '',
    });

    const slice = await post(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'es' },
      addressType: 'IPv4',
    });
    expect(slice).toMatchObject({ endpoints: null, ports: null });
    const slice2 = await post(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'es2' },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.9'] }],
    });
    expect(slice2.endpoints).toEqual([{ addresses: ['127.0.0.9'], conditions: {} }]);
  });

  it('keeps status out of the ownership a create records, and spec out of a status write, as upstream resets them', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const pod = await post(`/api/v1/namespaces/${ns}/pods?fieldManager=maker`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [container] },
    });
    const fields = (o: Record<string, any>, manager: string) =>
      o.metadata.managedFields.find((m: { manager: string }) => m.manager === manager)?.fieldsV1;
    expect(Object.keys(fields(pod, 'maker'))).toEqual(['f:spec']);
    const svc = await post(`/api/v1/namespaces/${ns}/services?fieldManager=maker`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', labels: { a: 'b' } },
      spec: { ports: [{ port: 80 }] },
    });
    expect(Object.keys(fields(svc, 'maker')).sort()).toEqual(['f:metadata', 'f:spec']);
    const put = await call(`/api/v1/namespaces/${ns}/pods/p/status?fieldManager=node`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...pod, status: { ...pod.status, phase: 'Running' } }),
    });
    expect(Object.keys(fields(await put.json(), 'node'))).toEqual(['f:status']);
  });

  it('serves an object stored before a default existed with that default, as reads decode with defaulting', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const services = RESOURCES.find((r) => r.resource === 'services' && r.group === '')!;
    const res = await storeWith(Number(testEnv.PARTITIONS ?? '1')).create(services, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'old',
        namespace: ns,
        uid: crypto.randomUUID(),
        creationTimestamp: '2026-01-01T00:00:00Z',
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: 'None',
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      },
    });
    expect(res.ok).toBe(true);
    expect((await get(`/api/v1/namespaces/${ns}/services/old`)).status).toEqual({
      loadBalancer: {},
    });
    const listed = await get(`/api/v1/namespaces/${ns}/services`);
    expect(listed.items[0].status).toEqual({ loadBalancer: {} });
  });

  it('fills pod status conditions and container statuses written through pods/status', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const pod = await post(`/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [container] },
    });
    const status = {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      podIPs: [{ ip: '127.0.0.20' }],
      containerStatuses: [{ name: 'c', state: { running: {} } }],
    };
    const res = await call(`/api/v1/namespaces/${ns}/pods/p/status`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...pod, status }),
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const got = JSON.parse(text).status;
    expect(got.conditions).toEqual([
      { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: null },
    ]);
    expect(got.containerStatuses).toEqual([
      {
        name: 'c',
        state: { running: { startedAt: null } },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: '',
        imageID: '',
      },
    ]);
  });

  it('creates an events.k8s.io/v1 Event (its rules read the events.k8s.io field names)', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const ev = await post(`/apis/events.k8s.io/v1/namespaces/${ns}/events`, {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'n' },
      eventTime: '2026-12-03T10:00:00.000000Z',
      reportingController: 'example.com/c',
      reportingInstance: 'i',
      action: 'Act',
      reason: 'Why',
      type: 'Normal',
      note: 'hi',
      regarding: { kind: 'Pod', name: 'p', namespace: ns },
    });
    expect(ev).toMatchObject({
      regarding: { name: 'p' },
      deprecatedSource: {},
      deprecatedFirstTimestamp: null,
      deprecatedLastTimestamp: null,
      note: 'hi',
    });
    expect((await get(`/api/v1/namespaces/${ns}/events/n`)).reportingComponent).toBe(
      'example.com/c',
    );
    // A legacy event seen through events.k8s.io/v1: the empty reporting fields core/v1 writes are omitted there.
    await post(`/api/v1/namespaces/${ns}/events`, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'old' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: ns },
      reason: 'R',
    });
    const old = await get(`/apis/events.k8s.io/v1/namespaces/${ns}/events/old`);
    expect(old).toMatchObject({ eventTime: null, regarding: { name: 'p' }, deprecatedSource: {} });
    expect(old).not.toHaveProperty('reportingController');
    expect(old).not.toHaveProperty('reportingInstance');
  });
});
