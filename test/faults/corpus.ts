// A corpus of bad API requests: hand-written cases per category, then seeded random mutations of
// valid objects that make them invalid by construction. Kubernetes refuses every one with a 4xx
// Status and stores nothing. Targets are the fixtures of `FIXTURES` (namespace fz).
import { stringify as toYaml } from 'yaml';

export interface BadRequest {
  category: string;
  what: string;
  method: string;
  path: string;
  /** The Content-Type header; null sends none. Default application/json when there is a body. */
  contentType?: string | null;
  body?: string | Buffer;
  /** Send the body with chunked transfer encoding instead of a Content-Length. */
  chunked?: boolean;
}

/** mulberry32: a small seeded generator, so a failing case can be found again from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const NS = 'fz';
const core = (r: string, name?: string) => `/api/v1/namespaces/${NS}/${r}${name ? `/${name}` : ''}`;
const apps = (r: string, name?: string) =>
  `/apis/apps/v1/namespaces/${NS}/${r}${name ? `/${name}` : ''}`;
export const PATHS = {
  configmaps: core('configmaps'),
  cm: core('configmaps', 'cm'),
  immutable: core('configmaps', 'frozen'),
  secrets: core('secrets'),
  secret: core('secrets', 'sec'),
  pods: core('pods'),
  pod: core('pods', 'gated'),
  services: core('services'),
  svc: core('services', 'svc'),
  deployments: apps('deployments'),
  dep: apps('deployments', 'dep'),
  replicasets: apps('replicasets'),
  serviceaccounts: core('serviceaccounts'),
  leases: `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`,
  events: core('events'),
  endpoints: core('endpoints'),
  namespaces: '/api/v1/namespaces',
  nodes: '/api/v1/nodes',
};

const container = { name: 'app', image: 'registry.example/app:1' };
/** The objects the test creates before its baseline listing; the corpus patches and updates them. */
export const FIXTURES: { path: string; body: object }[] = [
  { path: PATHS.namespaces, body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } },
  {
    path: PATHS.configmaps,
    body: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', labels: { a: 'b' } },
      data: { k: 'v' },
    },
  },
  {
    path: PATHS.configmaps,
    body: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'frozen' },
      data: { k: 'v' },
      immutable: true,
    },
  },
  {
    path: PATHS.secrets,
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sec' },
      type: 'Opaque',
      data: { k: 'dg==' },
    },
  },
  // Gated: the scheduler leaves it alone, so the baseline holds still.
  {
    path: PATHS.pods,
    body: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'gated', labels: { app: 'gated' } },
      spec: { schedulingGates: [{ name: 'fz/hold' }], containers: [container] },
    },
  },
  {
    path: PATHS.services,
    body: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc' },
      spec: { selector: { app: 'none' }, ports: [{ port: 80 }] },
    },
  },
  {
    path: PATHS.deployments,
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'dep' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'dep' } },
        template: { metadata: { labels: { app: 'dep' } }, spec: { containers: [container] } },
      },
    },
  },
];

/** Valid objects for each collection: the generator breaks them in one place each. */
function templates(): { path: string; obj: () => Record<string, any> }[] {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  return [
    {
      path: PATHS.configmaps,
      obj: () => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'gen-cm', labels: { app: 'x' } },
        data: { a: 'b' },
      }),
    },
    {
      path: PATHS.secrets,
      obj: () => ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'gen-sec' },
        type: 'Opaque',
        data: { a: 'Yg==' },
      }),
    },
    {
      path: PATHS.pods,
      obj: () => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'gen-pod' },
        spec: {
          schedulingGates: [{ name: 'fz/hold' }],
          restartPolicy: 'Always',
          containers: [
            {
              name: 'app',
              image: 'x:1',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
            },
          ],
        },
      }),
    },
    {
      path: PATHS.services,
      obj: () => ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'gen-svc' },
        spec: { type: 'ClusterIP', selector: { app: 'x' }, ports: [{ port: 80, protocol: 'TCP' }] },
      }),
    },
    {
      path: PATHS.deployments,
      obj: () => ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'gen-dep' },
        spec: {
          replicas: 0,
          strategy: { type: 'RollingUpdate' },
          selector: { matchLabels: { app: 'g' } },
          template: {
            metadata: { labels: { app: 'g' } },
            spec: { containers: [{ name: 'app', image: 'x:1' }] },
          },
        },
      }),
    },
    {
      path: PATHS.replicasets,
      obj: () => ({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'gen-rs' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'r' } },
          template: {
            metadata: { labels: { app: 'r' } },
            spec: { containers: [{ name: 'app', image: 'x:1' }] },
          },
        },
      }),
    },
    {
      path: PATHS.serviceaccounts,
      obj: () => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'gen-sa' } }),
    },
    {
      path: PATHS.leases,
      obj: () => ({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'gen-lease' },
        spec: { holderIdentity: 'x', leaseDurationSeconds: 15 },
      }),
    },
    {
      path: PATHS.namespaces,
      obj: () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gen-ns' } }),
    },
    {
      path: PATHS.nodes,
      obj: () => ({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'gen-node' },
        spec: { unschedulable: true },
      }),
    },
  ];
}

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);
const nestedObject = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};
const json = (v: unknown) => JSON.stringify(v);

function handWritten(): BadRequest[] {
  const out: BadRequest[] = [];
  const add = (category: string, what: string, r: Omit<BadRequest, 'category' | 'what'>) =>
    out.push({ category, what, ...r });
  const cm = (metadata: object, extra: object = {}) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata,
    data: { k: 'v' },
    ...extra,
  });

  // Malformed JSON, to every kind of collection, as a create, an update and a merge patch.
  const badJson = [
    '',
    '{',
    '{"a":',
    '[',
    'nul',
    'tru',
    '{"kind":"ConfigMap",}',
    "{'kind':'ConfigMap'}",
    '{"a":1}}',
    '{"a" 1}',
    '\u0000',
    'NaN',
    '"a string"',
    '42',
    'null',
    'true',
    '[]',
    '[{"kind":"ConfigMap"}]',
    '1e999999',
    '{"kind":"ConfigMap","metadata":{"name":"x"},"data":{"k":"\\ud800\\u"}}',
  ];
  for (const body of badJson) {
    for (const p of [PATHS.configmaps, PATHS.pods, PATHS.deployments, PATHS.namespaces])
      add('json', `POST ${JSON.stringify(body.slice(0, 20))}`, { method: 'POST', path: p, body });
    if (body.trim().startsWith('{') || body === '')
      add('json', `PUT ${JSON.stringify(body.slice(0, 20))}`, {
        method: 'PUT',
        path: PATHS.cm,
        body,
      });
  }
  add('json', 'invalid UTF-8 bytes', {
    method: 'POST',
    path: PATHS.configmaps,
    body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
  });
  add('json', 'a lone UTF-8 continuation byte in a name', {
    method: 'POST',
    path: PATHS.configmaps,
    body: Buffer.concat([
      Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a'),
      Buffer.from([0x80]),
      Buffer.from('"}}'),
    ]),
  });

  // Malformed YAML.
  const badYaml = [
    'kind: ConfigMap\nmetadata: {name: [unclosed\n',
    'a: b: c\n',
    '\tkind: ConfigMap\n',
    'kind: "unterminated\n',
    'kind: ConfigMap\nkind: Secret\napiVersion: v1\nmetadata:\n  name: dup\n',
    'a: &x [*x]\n',
    'a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n',
    nested(5000),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: ${nested(200, '{a: ', '}')}\n`,
    '- 1\n- 2\n',
    'just a string\n',
    '42\n',
    '---\napiVersion: v1\n---\nkind: ConfigMap\n',
    '!!binary notbase64\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: !!python/object:os.system {name: X!}\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: {}\n',
    ': no key\n',
    '? [complex, key]\n: value\n',
  ];
  for (const body of badYaml) {
    add('yaml', `POST ${JSON.stringify(body.slice(0, 24))}`, {
      method: 'POST',
      path: PATHS.configmaps,
      contentType: 'application/yaml',
      body,
    });
    add('yaml', `apply ${JSON.stringify(body.slice(0, 24))}`, {
      method: 'PATCH',
      path: `${PATHS.cm}?fieldManager=fz`,
      contentType: 'application/apply-patch+yaml',
      body,
    });
  }

  // Wrong kinds and apiVersions.
  const kinds: [string, unknown, unknown][] = [
    [PATHS.configmaps, 'Pod', 'v1'],
    [PATHS.configmaps, 'Bogus', 'v1'],
    [PATHS.configmaps, 'configmap', 'v1'],
    [PATHS.configmaps, 42, 'v1'],
    [PATHS.configmaps, ['ConfigMap'], 'v1'],
    [PATHS.configmaps, 'List', 'v1'],
    [PATHS.configmaps, 'Status', 'v1'],
    [PATHS.configmaps, 'ConfigMap', 'v2'],
    [PATHS.configmaps, 'ConfigMap', 'apps/v1'],
    [PATHS.configmaps, 'ConfigMap', 42],
    [PATHS.configmaps, 'ConfigMap', 'v1/v1/v1'],
    [PATHS.pods, 'Deployment', 'apps/v1'],
    [PATHS.deployments, 'Deployment', 'apps/v1beta1'],
    [PATHS.deployments, 'Deployment', 'extensions/v1beta1'],
    [PATHS.deployments, 'Pod', 'v1'],
    [PATHS.namespaces, 'ConfigMap', 'v1'],
    [PATHS.nodes, 'Namespace', 'v1'],
    [PATHS.services, 'Endpoints', 'v1'],
  ];
  for (const [p, kind, apiVersion] of kinds) {
    add('kinds', `POST kind ${json(kind)} ${json(apiVersion)} to ${p}`, {
      method: 'POST',
      path: p,
      body: json({ apiVersion, kind, metadata: { name: 'wrong-kind' }, data: { k: 'v' } }),
    });
  }
  add('kinds', 'PUT a Secret to a ConfigMap', {
    method: 'PUT',
    path: PATHS.cm,
    body: json({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cm', namespace: NS } }),
  });
  add('kinds', 'apply a Secret to a ConfigMap', {
    method: 'PATCH',
    path: `${PATHS.cm}?fieldManager=fz`,
    contentType: 'application/apply-patch+yaml',
    body: toYaml({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cm' } }),
  });
  add('kinds', 'apply with apiVersion v2', {
    method: 'PATCH',
    path: `${PATHS.cm}?fieldManager=fz`,
    contentType: 'application/apply-patch+yaml',
    body: toYaml({ apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'cm' } }),
  });
  add('kinds', 'a namespace in the body other than the URL', {
    method: 'POST',
    path: PATHS.configmaps,
    body: json(cm({ name: 'elsewhere', namespace: 'default' })),
  });
  add('kinds', 'an unknown resource', {
    method: 'POST',
    path: core('bogus'),
    body: json(cm({ name: 'x' })),
  });
  add('kinds', 'an unknown group', {
    method: 'POST',
    path: `/apis/nope.example/v1/namespaces/${NS}/things`,
    body: json(cm({ name: 'x' })),
  });
  add('kinds', 'an unknown version', {
    method: 'POST',
    path: `/apis/apps/v9/namespaces/${NS}/deployments`,
    body: json(cm({ name: 'x' })),
  });
  add('kinds', 'a namespaced kind without a namespace in the URL', {
    method: 'POST',
    path: '/api/v1/configmaps',
    body: json(cm({ name: 'x' })),
  });
  add('kinds', 'an unknown subresource', {
    method: 'PUT',
    path: `${PATHS.cm}/bogus`,
    body: json(cm({ name: 'cm' })),
  });

  // Names.
  const badNames = [
    'a'.repeat(254),
    'a'.repeat(10_000),
    'UPPER',
    'has space',
    'a/b',
    '..',
    '.',
    'a..b',
    '-lead',
    'trail-',
    'ünïcode',
    'a%2Fb',
    'a\nb',
    'a\u0000b',
    'tab\tname',
    '',
  ];
  for (const name of badNames) {
    add('names', `configmap ${JSON.stringify(name.slice(0, 16))} (${name.length})`, {
      method: 'POST',
      path: PATHS.configmaps,
      body: json(cm({ name })),
    });
  }
  add('names', 'service name of 64 characters', {
    method: 'POST',
    path: PATHS.services,
    body: json({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's'.repeat(64) },
      spec: { ports: [{ port: 80 }] },
    }),
  });
  add('names', 'service name starting with a digit', {
    method: 'POST',
    path: PATHS.services,
    body: json({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: '1svc' },
      spec: { ports: [{ port: 80 }] },
    }),
  });
  add('names', 'namespace name of 64 characters', {
    method: 'POST',
    path: PATHS.namespaces,
    body: json({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n'.repeat(64) } }),
  });
  add('names', 'namespace name with a dot', {
    method: 'POST',
    path: PATHS.namespaces,
    body: json({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }),
  });
  add('names', 'pod name of 254 characters', {
    method: 'POST',
    path: PATHS.pods,
    body: json({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p'.repeat(254) },
      spec: { containers: [container] },
    }),
  });
  add('names', 'generateName with invalid characters', {
    method: 'POST',
    path: PATHS.configmaps,
    body: json(cm({ generateName: 'Bad_Prefix-' })),
  });
  add('names', 'container name of 64 characters', {
    method: 'POST',
    path: PATHS.pods,
    body: json({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'long-ctr' },
      spec: { containers: [{ name: 'c'.repeat(64), image: 'x' }] },
    }),
  });
  add('names', 'label key with a 254-character prefix', {
    method: 'POST',
    path: PATHS.configmaps,
    body: json(cm({ name: 'lbl', labels: { [`${'p'.repeat(254)}/k`]: 'v' } })),
  });
  add('names', 'label name of 64 characters', {
    method: 'POST',
    path: PATHS.configmaps,
    body: json(cm({ name: 'lbl', labels: { ['k'.repeat(64)]: 'v' } })),
  });
  add('names', 'label value of 64 characters', {
    method: 'POST',
    path: PATHS.configmaps,
    body: json(cm({ name: 'lbl', labels: { k: 'v'.repeat(64) } })),
  });
  add('names', 'label value with a space', {
    method: 'POST',
    path: PATHS.configmaps,
    body: json(cm({ name: 'lbl', labels: { k: 'a b' } })),
  });
  add('names', 'annotation key with a slash too many', {
    method: 'POST',
    path: PATHS.configmaps,
    body: json(cm({ name: 'ann', annotations: { 'a/b/c': 'v' } })),
  });
  add('names', 'configmap data key with a slash', {
    method: 'POST',
    path: PATHS.configmaps,
    body: json({ ...cm({ name: 'dk' }), data: { 'a/b': 'v' } }),
  });
  add('names', 'a 64 KiB name in the URL (GET)', {
    method: 'GET',
    path: core('configmaps', 'u'.repeat(65_536)),
  });
  add('names', 'a 4 KiB name in the URL (PUT)', {
    method: 'PUT',
    path: core('configmaps', 'u'.repeat(4096)),
    body: json(cm({ name: 'u'.repeat(4096) })),
  });
  add('names', 'an encoded slash in the URL name', {
    method: 'PUT',
    path: core('configmaps', 'a%2Fb'),
    body: json(cm({ name: 'a/b' })),
  });

  // Deep nesting.
  for (const depth of [1_000, 10_000, 100_000]) {
    add('nesting', `arrays ${depth} deep as the body`, {
      method: 'POST',
      path: PATHS.configmaps,
      body: nested(depth),
    });
    add('nesting', `arrays ${depth} deep in configmap data`, {
      method: 'POST',
      path: PATHS.configmaps,
      body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":{"k":${nested(depth)}}}`,
    });
    add('nesting', `objects ${depth} deep in an unknown pod field, Strict`, {
      method: 'POST',
      path: `${PATHS.pods}?fieldValidation=Strict`,
      body: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"spec":{"containers":[{"name":"a","image":"x"}],"bogus":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`,
    });
    add('nesting', `objects ${depth} deep in labels`, {
      method: 'POST',
      path: PATHS.configmaps,
      body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep","labels":${'{"a":'.repeat(depth)}"v"${'}'.repeat(depth)}}}`,
    });
    add('nesting', `objects ${depth} deep in a merge patch`, {
      method: 'PATCH',
      path: PATHS.cm,
      contentType: 'application/merge-patch+json',
      body: `{"data":${'{"a":'.repeat(depth)}"v"${'}'.repeat(depth)}}`,
    });
    add('nesting', `objects ${depth} deep in a strategic merge patch`, {
      method: 'PATCH',
      path: PATHS.dep,
      contentType: 'application/strategic-merge-patch+json',
      body: `{"spec":{"template":{"spec":{"containers":[{"name":"app","image":${'{"a":'.repeat(depth)}"v"${'}'.repeat(depth)}}]}}}}`,
    });
    add('nesting', `arrays ${depth} deep in a JSON patch value`, {
      method: 'PATCH',
      path: PATHS.cm,
      contentType: 'application/json-patch+json',
      body: `[{"op":"add","path":"/data/x","value":${nested(depth)}}]`,
    });
  }
  add('nesting', 'objects 200 deep in an apply', {
    method: 'PATCH',
    path: `${PATHS.cm}?fieldManager=fz`,
    contentType: 'application/apply-patch+yaml',
    body: toYaml({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm' },
      data: nestedObject(200),
    }),
  });
  add('nesting', 'objects 5,000 deep in an apply sent as JSON', {
    method: 'PATCH',
    path: `${PATHS.cm}?fieldManager=fz`,
    contentType: 'application/apply-patch+yaml',
    body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":${'{"a":'.repeat(5_000)}"v"${'}'.repeat(5_000)}}`,
  });

  // Invalid selectors, on list, watch and deletecollection (which must delete nothing).
  const labelSelectors = [
    'a in (',
    '!!a',
    'a=b=c',
    '=b',
    'a,',
    'a in (b,c',
    'a notin',
    'a!==b',
    `${'k'.repeat(64)}=1`,
    `a=${'v'.repeat(64)}`,
    '(a)',
    'a=b c',
    'a>x',
    'ä=1',
    'a=\u0000',
    'a in (b c)',
  ];
  const fieldSelectors = [
    'spec.bogus=x',
    'metadata.name==a=b',
    '=x',
    'status.phase~Running',
    'spec.nodeName in (a)',
    'metadata.labels=x',
    'a',
  ];
  const sel = (k: string, v: string) => `${k}=${encodeURIComponent(v)}`;
  for (const s of labelSelectors) {
    add('selectors', `list labelSelector ${JSON.stringify(s.slice(0, 20))}`, {
      method: 'GET',
      path: `${PATHS.configmaps}?${sel('labelSelector', s)}`,
    });
    add('selectors', `deletecollection labelSelector ${JSON.stringify(s.slice(0, 20))}`, {
      method: 'DELETE',
      path: `${PATHS.configmaps}?${sel('labelSelector', s)}`,
    });
  }
  for (const s of labelSelectors.slice(0, 6))
    add('selectors', `watch labelSelector ${JSON.stringify(s)}`, {
      method: 'GET',
      path: `${PATHS.pods}?watch=true&${sel('labelSelector', s)}`,
    });
  for (const s of fieldSelectors) {
    add('selectors', `list pods fieldSelector ${JSON.stringify(s)}`, {
      method: 'GET',
      path: `${PATHS.pods}?${sel('fieldSelector', s)}`,
    });
    add('selectors', `deletecollection pods fieldSelector ${JSON.stringify(s)}`, {
      method: 'DELETE',
      path: `${PATHS.pods}?${sel('fieldSelector', s)}`,
    });
    add('selectors', `watch all pods fieldSelector ${JSON.stringify(s)}`, {
      method: 'GET',
      path: `/api/v1/pods?watch=1&${sel('fieldSelector', s)}`,
    });
  }
  add('selectors', 'a Deployment with an invalid matchExpressions operator', {
    method: 'POST',
    path: PATHS.deployments,
    body: json({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sel' },
      spec: {
        selector: { matchExpressions: [{ key: 'app', operator: 'Bogus', values: ['x'] }] },
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [container] } },
      },
    }),
  });
  add('selectors', 'a Deployment whose selector does not match its template', {
    method: 'POST',
    path: PATHS.deployments,
    body: json({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sel' },
      spec: {
        selector: { matchLabels: { app: 'a' } },
        template: { metadata: { labels: { app: 'b' } }, spec: { containers: [container] } },
      },
    }),
  });
  add('selectors', 'a Deployment with an empty selector', {
    method: 'POST',
    path: PATHS.deployments,
    body: json({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sel' },
      spec: {
        selector: {},
        template: { metadata: { labels: { app: 'b' } }, spec: { containers: [container] } },
      },
    }),
  });
  add('selectors', 'a Deployment with In and no values', {
    method: 'POST',
    path: PATHS.deployments,
    body: json({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sel' },
      spec: {
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] },
        template: { metadata: { labels: { app: 'b' } }, spec: { containers: [container] } },
      },
    }),
  });

  // Bad patches of every patch type.
  const jp = 'application/json-patch+json';
  const jsonPatches: [string, unknown][] = [
    ['an object', {}],
    ['an array of strings', ['add']],
    ['an unknown op', [{ op: 'bogus', path: '/data/x', value: 'v' }]],
    ['no op', [{ path: '/data/x', value: 'v' }]],
    ['no path', [{ op: 'add', value: 'v' }]],
    ['a path without a leading slash', [{ op: 'add', path: 'data/x', value: 'v' }]],
    ['a missing parent', [{ op: 'add', path: '/a/b/c', value: 'v' }]],
    ['remove of a missing key', [{ op: 'remove', path: '/metadata/labels/nope' }]],
    ['replace of a missing key', [{ op: 'replace', path: '/data/nope', value: 'v' }]],
    ['move from a missing key', [{ op: 'move', from: '/data/nope', path: '/data/x' }]],
    ['copy from a missing key', [{ op: 'copy', from: '/data/nope', path: '/data/x' }]],
    [
      'a failing test',
      [
        { op: 'test', path: '/data/k', value: 'not-v' },
        { op: 'add', path: '/data/x', value: 'v' },
      ],
    ],
    ['a number for data', [{ op: 'replace', path: '/data', value: 7 }]],
    ['a number for a data value', [{ op: 'add', path: '/data/x', value: 7 }]],
    ['a new name', [{ op: 'replace', path: '/metadata/name', value: 'other' }]],
    ['a new kind', [{ op: 'replace', path: '/kind', value: 'Secret' }]],
    ['a new apiVersion', [{ op: 'replace', path: '/apiVersion', value: 'v2' }]],
    ['no metadata', [{ op: 'remove', path: '/metadata' }]],
    ['an invalid label', [{ op: 'add', path: '/metadata/labels/bad key', value: 'v' }]],
    [
      'a stale resourceVersion',
      [
        { op: 'replace', path: '/metadata/resourceVersion', value: '1' },
        { op: 'add', path: '/data/x', value: 'v' },
      ],
    ],
    [
      'a foreign uid',
      [{ op: 'replace', path: '/metadata/uid', value: '00000000-0000-0000-0000-000000000000' }],
    ],
    ['an array index past the end', [{ op: 'add', path: '/metadata/finalizers/5', value: 'x' }]],
    ['an index that is not a number', [{ op: 'add', path: '/metadata/labels/a/b', value: 'x' }]],
    [
      'an escape that is not ~0 or ~1',
      [
        { op: 'add', path: '/data/a~2b', value: 'x' },
        { op: 'test', path: '/data/k', value: 'nope' },
      ],
    ],
    ['a namespace change', [{ op: 'replace', path: '/metadata/namespace', value: 'default' }]],
    [
      'ten thousand failing operations',
      Array.from({ length: 10_000 }, (_, i) => ({ op: 'remove', path: `/data/missing-${i}` })),
    ],
  ];
  for (const [what, body] of jsonPatches)
    add('patches', `json-patch: ${what}`, {
      method: 'PATCH',
      path: PATHS.cm,
      contentType: jp,
      body: json(body),
    });
  add('patches', 'json-patch: a pod container removed', {
    method: 'PATCH',
    path: PATHS.pod,
    contentType: jp,
    body: json([{ op: 'remove', path: '/spec/containers/0' }]),
  });
  add('patches', 'json-patch: a container index out of range', {
    method: 'PATCH',
    path: PATHS.dep,
    contentType: jp,
    body: json([{ op: 'replace', path: '/spec/template/spec/containers/99/image', value: 'x' }]),
  });
  add('patches', 'json-patch: replicas as a string', {
    method: 'PATCH',
    path: PATHS.dep,
    contentType: jp,
    body: json([{ op: 'replace', path: '/spec/replicas', value: 'three' }]),
  });
  add('patches', 'json-patch on a missing object', {
    method: 'PATCH',
    path: core('configmaps', 'missing'),
    contentType: jp,
    body: json([{ op: 'add', path: '/data/x', value: 'v' }]),
  });

  const mp = 'application/merge-patch+json';
  const mergePatches: [string, string, unknown][] = [
    ['an array', PATHS.cm, []],
    ['a string', PATHS.cm, 'x'],
    ['a number', PATHS.cm, 1],
    ['null', PATHS.cm, null],
    ['a new name', PATHS.cm, { metadata: { name: 'other' } }],
    ['a new kind', PATHS.cm, { kind: 'Pod' }],
    ['apiVersion v2', PATHS.cm, { apiVersion: 'v2' }],
    ['a number data value', PATHS.cm, { data: { k: 1 } }],
    ['data as a string', PATHS.cm, { data: 'x' }],
    ['an invalid label key', PATHS.cm, { metadata: { labels: { 'bad key!': 'v' } } }],
    ['a stale resourceVersion', PATHS.cm, { metadata: { resourceVersion: '1' }, data: { x: 'v' } }],
    [
      'a foreign uid',
      PATHS.cm,
      { metadata: { uid: '00000000-0000-0000-0000-000000000000' }, data: { x: 'v' } },
    ],
    ['a change to an immutable ConfigMap', PATHS.immutable, { data: { k: 'changed' } }],
    ['immutable set back to false', PATHS.immutable, { immutable: false }],
    ['a secret value that is not base64', PATHS.secret, { data: { k: '!!!not base64' } }],
    ['a new secret type', PATHS.secret, { type: 'kubernetes.io/tls' }],
    ['replicas -1', PATHS.dep, { spec: { replicas: -1 } }],
    ['replicas as a string', PATHS.dep, { spec: { replicas: 'three' } }],
    ['a changed selector', PATHS.dep, { spec: { selector: { matchLabels: { app: 'changed' } } } }],
    ['a strategy of Bogus', PATHS.dep, { spec: { strategy: { type: 'Bogus' } } }],
    [
      'maxSurge and maxUnavailable both 0',
      PATHS.dep,
      {
        spec: {
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
        },
      },
    ],
    [
      'template labels that no longer match',
      PATHS.dep,
      { spec: { template: { metadata: { labels: { app: 'other' } } } } },
    ],
    ['no containers in the pod', PATHS.pod, { spec: { containers: null } }],
    [
      'a new container list for a pod',
      PATHS.pod,
      { spec: { containers: [{ name: 'other', image: 'x' }] } },
    ],
    ['a new pod restartPolicy', PATHS.pod, { spec: { restartPolicy: 'Never' } }],
    ['a service type of Bogus', PATHS.svc, { spec: { type: 'Bogus' } }],
    ['a service port 0', PATHS.svc, { spec: { ports: [{ port: 0 }] } }],
    ['a service port 70000', PATHS.svc, { spec: { ports: [{ port: 70000 }] } }],
    ['a new clusterIP', PATHS.svc, { spec: { clusterIP: '127.96.250.250' } }],
    [
      'a nodePort on a ClusterIP service',
      PATHS.svc,
      { spec: { ports: [{ port: 80, nodePort: 30556 }] } },
    ],
    [
      'a nodePort out of range',
      PATHS.svc,
      { spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] } },
    ],
    [
      'duplicate service ports',
      PATHS.svc,
      {
        spec: {
          ports: [
            { port: 80, name: 'a' },
            { port: 80, name: 'a' },
          ],
        },
      },
    ],
  ];
  for (const [what, p, body] of mergePatches)
    add('patches', `merge-patch: ${what}`, {
      method: 'PATCH',
      path: p,
      contentType: mp,
      body: json(body),
    });

  const smp = 'application/strategic-merge-patch+json';
  const strategic: [string, string, unknown][] = [
    ['an unknown $patch directive', PATHS.dep, { $patch: 'bogus' }],
    [
      '$patch delete of a container without its merge key',
      PATHS.dep,
      { spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } },
    ],
    [
      'containers as a string',
      PATHS.dep,
      { spec: { template: { spec: { containers: 'notalist' } } } },
    ],
    ['$retainKeys that is not a list', PATHS.dep, { spec: { strategy: { $retainKeys: 'type' } } }],
    [
      '$deleteFromPrimitiveList that is not a list',
      PATHS.cm,
      { metadata: { '$deleteFromPrimitiveList/finalizers': 'x' } },
    ],
    [
      'an empty image',
      PATHS.dep,
      { spec: { template: { spec: { containers: [{ name: 'app', image: '' }] } } } },
    ],
    [
      'a container without a name',
      PATHS.dep,
      { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
    ],
    [
      'a negative container port',
      PATHS.dep,
      {
        spec: {
          template: { spec: { containers: [{ name: 'app', ports: [{ containerPort: -1 }] }] } },
        },
      },
    ],
    [
      'a bogus imagePullPolicy',
      PATHS.dep,
      {
        spec: {
          template: { spec: { containers: [{ name: 'app', imagePullPolicy: 'Sometimes' }] } },
        },
      },
    ],
    [
      'a bad cpu quantity',
      PATHS.dep,
      {
        spec: {
          template: {
            spec: { containers: [{ name: 'app', resources: { requests: { cpu: 'lots' } } }] },
          },
        },
      },
    ],
    [
      'limits below requests',
      PATHS.dep,
      {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'app', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } },
              ],
            },
          },
        },
      },
    ],
    [
      'a restartPolicy of Never in a Deployment',
      PATHS.dep,
      { spec: { template: { spec: { restartPolicy: 'Never' } } } },
    ],
    [
      'a pod spec change',
      PATHS.pod,
      { spec: { containers: [{ name: 'app', ports: [{ containerPort: 81 }] }] } },
    ],
    [
      'a toleration with a bad operator',
      PATHS.dep,
      { spec: { template: { spec: { tolerations: [{ key: 'a', operator: 'Maybe' }] } } } },
    ],
    [
      'an env var without a name',
      PATHS.dep,
      { spec: { template: { spec: { containers: [{ name: 'app', env: [{ value: 'x' }] }] } } } },
    ],
    ['a list where an object goes', PATHS.cm, { metadata: [] }],
    ['a null metadata', PATHS.cm, { metadata: null }],
  ];
  for (const [what, p, body] of strategic)
    add('patches', `strategic-merge-patch: ${what}`, {
      method: 'PATCH',
      path: p,
      contentType: smp,
      body: json(body),
    });

  const ap = 'application/apply-patch+yaml';
  add('patches', 'apply without fieldManager', {
    method: 'PATCH',
    path: PATHS.cm,
    contentType: ap,
    body: toYaml({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm' },
      data: { x: 'y' },
    }),
  });
  add('patches', 'apply with a fieldManager of 200 characters', {
    method: 'PATCH',
    path: `${PATHS.cm}?fieldManager=${'m'.repeat(200)}`,
    contentType: ap,
    body: toYaml({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm' },
      data: { x: 'y' },
    }),
  });
  add('patches', 'apply naming another object', {
    method: 'PATCH',
    path: `${PATHS.cm}?fieldManager=fz`,
    contentType: ap,
    body: toYaml({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'other' },
      data: { x: 'y' },
    }),
  });
  add('patches', 'apply with no kind', {
    method: 'PATCH',
    path: `${PATHS.cm}?fieldManager=fz`,
    contentType: ap,
    body: toYaml({ apiVersion: 'v1', metadata: { name: 'cm' } }),
  });
  add('patches', 'apply of a bad data value', {
    method: 'PATCH',
    path: `${PATHS.cm}?fieldManager=fz`,
    contentType: ap,
    body: toYaml({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm' },
      data: { x: ['y'] },
    }),
  });
  add('patches', 'apply of replicas -5', {
    method: 'PATCH',
    path: `${PATHS.dep}?fieldManager=fz`,
    contentType: ap,
    body: toYaml({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'dep' },
      spec: { replicas: -5 },
    }),
  });
  add('patches', 'apply of a missing object with an invalid body', {
    method: 'PATCH',
    path: `${core('configmaps', 'fresh')}?fieldManager=fz`,
    contentType: ap,
    body: toYaml({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'fresh', labels: { 'bad key': 'v' } },
    }),
  });
  add('patches', 'apply with force=maybe', {
    method: 'PATCH',
    path: `${PATHS.cm}?fieldManager=fz&force=maybe`,
    contentType: ap,
    body: toYaml({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm' },
      data: { x: 'y' },
    }),
  });
  for (const ct of ['application/json', 'text/plain', null, 'application/yaml']) {
    add('patches', `a patch sent as ${ct ?? 'no Content-Type'}`, {
      method: 'PATCH',
      path: PATHS.cm,
      contentType: ct,
      body: json({ data: { x: 'y' } }),
    });
  }
  add('patches', 'a merge patch to the deployment status with negative replicas', {
    method: 'PATCH',
    path: `${PATHS.dep}/status`,
    contentType: mp,
    body: json({ status: { replicas: -1 } }),
  });
  add('patches', 'a merge patch to scale with negative replicas', {
    method: 'PATCH',
    path: `${PATHS.dep}/scale`,
    contentType: mp,
    body: json({ spec: { replicas: -1 } }),
  });
  add('patches', 'PUT of a Scale with replicas as a string', {
    method: 'PUT',
    path: `${PATHS.dep}/scale`,
    body: json({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'dep', namespace: NS },
      spec: { replicas: 'x' },
    }),
  });
  add('patches', 'PUT of a Pod as the Scale', {
    method: 'PUT',
    path: `${PATHS.dep}/scale`,
    body: json({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dep', namespace: NS } }),
  });

  // Bad query parameters.
  const listParams = [
    'limit=abc',
    'limit=1.5',
    'resourceVersion=abc',
    'resourceVersionMatch=Bogus',
    'resourceVersionMatch=Exact',
    'continue=garbage',
    'continue=' + encodeURIComponent('eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ'),
    'timeoutSeconds=abc',
    'watch=maybe',
    'watch=2',
    'watch=yes',
    'allowWatchBookmarks=x',
    'pretty=2',
    'sendInitialEvents=maybe',
    'limit=5&continue=%%%',
  ];
  for (const q of listParams)
    add('params', `list ?${q}`, { method: 'GET', path: `${PATHS.configmaps}?${q}` });
  // Not a resourceVersion beyond the store's: the apiserver answers that with 504 Timeout after a wait.
  for (const q of [
    'resourceVersion=abc',
    'timeoutSeconds=-',
    'allowWatchBookmarks=nope',
    'resourceVersion=-1',
  ])
    add('params', `watch ?${q}`, { method: 'GET', path: `${PATHS.configmaps}?watch=true&${q}` });
  for (const q of [
    'fieldValidation=Bogus',
    'dryRun=Maybe',
    'dryRun=All&dryRun=Bogus',
    `fieldManager=${'m'.repeat(200)}`,
    'fieldManager=%01ctl',
    'pretty=maybe',
  ]) {
    add('params', `create ?${q}`, {
      method: 'POST',
      path: `${PATHS.configmaps}?${q}`,
      body: json(cm({ name: 'params' })),
    });
  }
  for (const q of [
    'gracePeriodSeconds=abc',
    'propagationPolicy=Bogus',
    'orphanDependents=maybe',
    'dryRun=Bogus',
    'gracePeriodSeconds=1.5',
  ])
    add('params', `delete ?${q}`, { method: 'DELETE', path: `${PATHS.cm}?${q}` });
  add('params', 'delete with a malformed body', {
    method: 'DELETE',
    path: PATHS.cm,
    body: '{"kind":"DeleteOptions",',
  });
  add('params', 'delete with a uid precondition that does not match', {
    method: 'DELETE',
    path: PATHS.cm,
    body: json({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      preconditions: { uid: '00000000-0000-0000-0000-000000000000' },
    }),
  });
  add('params', 'delete with a stale resourceVersion precondition', {
    method: 'DELETE',
    path: PATHS.cm,
    body: json({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      preconditions: { resourceVersion: '1' },
    }),
  });
  add('params', 'delete with propagationPolicy Bogus in the body', {
    method: 'DELETE',
    path: PATHS.cm,
    body: json({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Bogus' }),
  });
  add('params', 'deletecollection with dryRun=Bogus', {
    method: 'DELETE',
    path: `${PATHS.configmaps}?dryRun=Bogus`,
  });
  add('params', 'deletecollection with gracePeriodSeconds=-', {
    method: 'DELETE',
    path: `${PATHS.configmaps}?gracePeriodSeconds=-`,
  });
  for (const q of [
    'tailLines=abc',
    'sinceSeconds=-1',
    'container=nope',
    'follow=maybe',
    'limitBytes=0',
    'sinceSeconds=1&sinceTime=2024-01-01T00:00:00Z',
    'sinceTime=yesterday',
  ])
    add('params', `logs ?${q}`, { method: 'GET', path: `${PATHS.pod}/log?${q}` });

  // Content types.
  const valid = json(cm({ name: 'ctype' }));
  for (const ct of [
    'text/plain',
    'application/xml',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    'application/cbor',
    'text/html',
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
    'application/apply-patch+yaml',
    'image/png',
    'application/octet-stream',
  ]) {
    add('content-types', `POST as ${ct}`, {
      method: 'POST',
      path: PATHS.configmaps,
      contentType: ct,
      body: valid,
    });
    add('content-types', `PUT as ${ct}`, {
      method: 'PUT',
      path: PATHS.cm,
      contentType: ct,
      body: json(cm({ name: 'cm', namespace: NS }, { data: { changed: 'yes' } })),
    });
  }
  const pb = 'application/vnd.kubernetes.protobuf';
  add('content-types', 'protobuf: empty', {
    method: 'POST',
    path: PATHS.configmaps,
    contentType: pb,
    body: Buffer.alloc(0),
  });
  add('content-types', 'protobuf: magic only', {
    method: 'POST',
    path: PATHS.configmaps,
    contentType: pb,
    body: Buffer.from('k8s\0'),
  });
  add('content-types', 'protobuf: JSON text', {
    method: 'POST',
    path: PATHS.configmaps,
    contentType: pb,
    body: valid,
  });
  add('content-types', 'protobuf: a length past the end', {
    method: 'POST',
    path: PATHS.configmaps,
    contentType: pb,
    body: Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01])]),
  });
  add('content-types', 'protobuf: a varint that never ends', {
    method: 'POST',
    path: PATHS.configmaps,
    contentType: pb,
    body: Buffer.concat([Buffer.from('k8s\0'), Buffer.alloc(64, 0xff)]),
  });
  add('content-types', 'protobuf: wire type 7', {
    method: 'POST',
    path: PATHS.configmaps,
    contentType: pb,
    body: Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0f, 0x00])]),
  });

  // Oversize bodies.
  const padded = (bytes: number) =>
    `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"k":"${'x'.repeat(bytes)}"}}`;
  add('oversize', 'a body of 3 MiB + 1 KiB', {
    method: 'POST',
    path: PATHS.configmaps,
    body: padded(3 * 1024 * 1024 + 1024),
  });
  add('oversize', 'a chunked body of 3 MiB + 1 KiB', {
    method: 'POST',
    path: PATHS.configmaps,
    body: padded(3 * 1024 * 1024 + 1024),
    chunked: true,
  });
  add('oversize', 'a chunked body of 16 MiB', {
    method: 'POST',
    path: PATHS.configmaps,
    body: padded(16 * 1024 * 1024),
    chunked: true,
  });
  add('oversize', 'a PUT of 3 MiB + 1 KiB', {
    method: 'PUT',
    path: PATHS.cm,
    body: padded(3 * 1024 * 1024 + 1024),
  });
  add('oversize', 'a merge patch of 3 MiB + 1 KiB', {
    method: 'PATCH',
    path: PATHS.cm,
    contentType: mp,
    body: `{"data":{"k":"${'x'.repeat(3 * 1024 * 1024 + 1024)}"}}`,
  });
  add('oversize', 'configmap data of 1.6 MB', {
    method: 'POST',
    path: PATHS.configmaps,
    body: padded(1_600_000),
  });
  add('oversize', 'a merge patch growing the configmap to 1.6 MB', {
    method: 'PATCH',
    path: PATHS.cm,
    contentType: mp,
    body: `{"data":{"big":"${'x'.repeat(1_600_000)}"}}`,
  });
  add('oversize', 'annotations of 300 KB', {
    method: 'POST',
    path: PATHS.configmaps,
    body: json(cm({ name: 'ann-big', annotations: { a: 'x'.repeat(300_000) } })),
  });
  add('oversize', 'ten thousand labels, one invalid', {
    method: 'POST',
    path: PATHS.configmaps,
    body: json(
      cm({
        name: 'many',
        labels: {
          ...Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`l${i}`, 'v'])),
          'bad key': 'v',
        },
      }),
    ),
  });
  add('oversize', 'a YAML body of 3 MiB + 1 KiB', {
    method: 'POST',
    path: PATHS.configmaps,
    contentType: 'application/yaml',
    body: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  k: ${'x'.repeat(3 * 1024 * 1024 + 1024)}\n`,
  });

  // Wrong methods and paths.
  add('methods', 'PUT to a collection', {
    method: 'PUT',
    path: PATHS.configmaps,
    body: json(cm({ name: 'm' })),
  });
  add('methods', 'POST to a named object', {
    method: 'POST',
    path: PATHS.cm,
    body: json(cm({ name: 'cm' })),
  });
  add('methods', 'PATCH to a collection', {
    method: 'PATCH',
    path: PATHS.configmaps,
    contentType: mp,
    body: json({ data: { x: 'y' } }),
  });
  add('methods', 'DELETE of /api', { method: 'DELETE', path: '/api' });
  add('methods', 'POST to /apis/apps/v1', { method: 'POST', path: '/apis/apps/v1', body: valid });
  add('methods', 'PUT of a missing ConfigMap', {
    method: 'PUT',
    path: core('configmaps', 'absent'),
    body: json(cm({ name: 'absent', namespace: NS })),
  });
  add('methods', 'POST to the log subresource', {
    method: 'POST',
    path: `${PATHS.pod}/log`,
    body: '{}',
  });
  add('methods', 'a path with a traversal', {
    method: 'GET',
    path: `/api/v1/namespaces/${NS}/configmaps/../../../../etc/passwd`,
  });
  add('methods', 'a namespace path without a resource', {
    method: 'POST',
    path: `/api/v1/namespaces/${NS}/`,
    body: valid,
  });

  // Updates that Kubernetes refuses.
  add('updates', 'a name other than the URL', {
    method: 'PUT',
    path: PATHS.cm,
    body: json(cm({ name: 'other', namespace: NS })),
  });
  add('updates', 'a namespace other than the URL', {
    method: 'PUT',
    path: PATHS.cm,
    body: json(cm({ name: 'cm', namespace: 'default' })),
  });
  add('updates', 'a foreign uid', {
    method: 'PUT',
    path: PATHS.cm,
    body: json(cm({ name: 'cm', namespace: NS, uid: '00000000-0000-0000-0000-000000000000' })),
  });
  add('updates', 'a stale resourceVersion', {
    method: 'PUT',
    path: PATHS.cm,
    body: json(cm({ name: 'cm', namespace: NS, resourceVersion: '1' })),
  });
  add('updates', 'a resourceVersion that is not a number', {
    method: 'PUT',
    path: PATHS.cm,
    body: json(cm({ name: 'cm', namespace: NS, resourceVersion: 'abc' })),
  });
  add('updates', 'data of an immutable ConfigMap', {
    method: 'PUT',
    path: PATHS.immutable,
    body: json(cm({ name: 'frozen', namespace: NS }, { data: { k: 'other' }, immutable: true })),
  });
  add('updates', 'a pod whose containers changed', {
    method: 'PUT',
    path: PATHS.pod,
    body: json({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'gated', namespace: NS },
      spec: { containers: [{ name: 'other', image: 'x' }] },
    }),
  });
  add('updates', 'a service whose clusterIP changed', {
    method: 'PUT',
    path: PATHS.svc,
    body: json({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', namespace: NS },
      spec: { clusterIP: '127.96.250.251', ports: [{ port: 80 }] },
    }),
  });
  add('updates', 'a deployment whose selector changed', {
    method: 'PUT',
    path: PATHS.dep,
    body: json({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'dep', namespace: NS },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [container] } },
      },
    }),
  });
  add('updates', 'a binding of a gated pod', {
    method: 'POST',
    path: `${PATHS.pod}/binding`,
    body: json({
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'gated' },
      target: { kind: 'Pod', name: 'x' },
    }),
  });
  add('updates', 'a binding whose name is not the pod', {
    method: 'POST',
    path: `${PATHS.pod}/binding`,
    body: json({
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'other' },
      target: { kind: 'Node', name: 'n' },
    }),
  });
  add('updates', 'a binding with a foreign uid', {
    method: 'POST',
    path: `${PATHS.pod}/binding`,
    body: json({
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'gated', uid: '00000000-0000-0000-0000-000000000000' },
      target: { kind: 'Node', name: 'n' },
    }),
  });
  add('updates', 'a binding that is not JSON', {
    method: 'POST',
    path: `${PATHS.pod}/binding`,
    body: '{"kind":',
  });
  add('updates', 'an eviction that is a ConfigMap', {
    method: 'POST',
    path: `${PATHS.pod}/eviction`,
    body: json(cm({ name: 'gated' })),
  });
  add('updates', 'an eviction of another pod', {
    method: 'POST',
    path: `${PATHS.pod}/eviction`,
    body: json({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'other', namespace: NS },
    }),
  });
  add('updates', 'a pod status update naming another pod', {
    method: 'PUT',
    path: `${PATHS.pod}/status`,
    body: json({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'other', namespace: NS },
      spec: { containers: [container] },
    }),
  });
  add('updates', 'a namespace finalize with a bad body', {
    method: 'PUT',
    path: `/api/v1/namespaces/${NS}/finalize`,
    body: '[]',
  });
  add('updates', 'exec without a command', {
    method: 'POST',
    path: `${PATHS.pod}/exec?container=app`,
  });
  add('updates', 'a Lease with a negative duration', {
    method: 'POST',
    path: PATHS.leases,
    body: json({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'neg' },
      spec: { leaseDurationSeconds: -1 },
    }),
  });
  add('updates', 'an Event without involvedObject', {
    method: 'POST',
    path: PATHS.events,
    body: json({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'ev' }, reason: 'X' }),
  });
  add('updates', 'an Endpoints with an invalid IP', {
    method: 'POST',
    path: PATHS.endpoints,
    body: json({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'ep' },
      subsets: [{ addresses: [{ ip: 'not-an-ip' }], ports: [{ port: 80 }] }],
    }),
  });
  return out;
}

// Each mutation breaks a valid object in a way Kubernetes validation always refuses.
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Mutation = [string, (o: Obj, r: () => number) => boolean];

const INVALID_NAMES = [
  'Upper',
  'under_score',
  'a'.repeat(254),
  '-x',
  'x-',
  'a b',
  'é',
  'a:b',
  '',
  '.',
  '..',
];
const WRONG_TYPES: unknown[] = [42, true, ['x'], { a: 1 }, 'str', -1.5];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

const MUTATIONS: Mutation[] = [
  ['invalid metadata.name', (o, r) => ((o.metadata.name = pick(r, INVALID_NAMES)), true)],
  ['metadata of a wrong type', (o, r) => ((o.metadata = pick(r, [42, 'x', ['a'], true])), true)],
  [
    'labels of a wrong type',
    (o, r) => ((o.metadata.labels = pick(r, [42, 'x', ['a'], { k: 1 }, { k: ['v'] }])), true),
  ],
  [
    'annotations of a wrong type',
    (o, r) => (
      (o.metadata.annotations = pick(r, [42, 'x', ['a'], { k: 1 }, { k: { v: 1 } }])),
      true
    ),
  ],
  [
    'an invalid label',
    (o, r) => (
      (o.metadata.labels = {
        ...(o.metadata.labels ?? {}),
        [pick(r, ['bad key', '/x', 'a/', 'k'.repeat(64), '-k'])]: 'v',
      }),
      true
    ),
  ],
  [
    'an invalid label value',
    (o, r) => (
      (o.metadata.labels = {
        ...(o.metadata.labels ?? {}),
        k: pick(r, ['a b', '-v', 'v'.repeat(64), 'v!']),
      }),
      true
    ),
  ],
  ['kind of a wrong type', (o, r) => ((o.kind = pick(r, WRONG_TYPES)), true)],
  [
    'apiVersion of a wrong type',
    (o, r) => ((o.apiVersion = pick(r, [42, ['v1'], { v: 1 }, 'v1/x/y', 'nope/v0'])), true),
  ],
  ['a uid of a wrong type', (o) => ((o.metadata.uid = 12345), true)],
  [
    'finalizers of a wrong type',
    (o, r) => (
      (o.metadata.finalizers = pick(r, ['x', 42, [1], [{ a: 1 }], ['bad finalizer!']])),
      true
    ),
  ],
  [
    'ownerReferences missing fields',
    (o, r) => (
      (o.metadata.ownerReferences = [
        pick(r, [{}, { kind: 'X' }, { apiVersion: 'v1', kind: 'X', name: 'n' }, 'x']),
      ]),
      true
    ),
  ],
  [
    'a typed field of a wrong type',
    (o, r) => {
      switch (o.kind) {
        case 'ConfigMap':
          o.data = pick(r, [['a'], 'x', 42, { a: 1 }, { a: { b: 'c' } }]);
          return true;
        case 'Secret':
          o.data = pick(r, [['a'], 'x', { a: 1 }, { a: 'not base64!' }]);
          return true;
        case 'Pod':
          o.spec.containers = pick(r, [
            'x',
            42,
            {},
            [],
            [{}],
            [{ name: 'a' }, { name: 'a', image: 'y' }],
          ]);
          return true;
        case 'Service':
          o.spec.ports = pick(r, [
            'x',
            {},
            [{ port: 'http' }],
            [{ port: 0 }],
            [{ port: 80, protocol: 'ICMP' }],
          ]);
          return true;
        case 'Deployment':
        case 'ReplicaSet':
          o.spec.replicas = pick(r, ['three', -1, 1.5, [], {}]);
          return true;
        case 'Lease':
          o.spec.leaseDurationSeconds = pick(r, ['x', -5, 1.5, []]);
          return true;
        case 'Node':
          o.spec.unschedulable = pick(r, ['yes', 1, []]);
          return true;
        case 'Namespace':
          o.spec = pick(r, [[], 'x', { finalizers: 'x' }, { finalizers: ['bad/finalizer/x'] }]);
          return true;
        case 'ServiceAccount':
          o.secrets = pick(r, ['x', [1], {}]);
          return true;
        default:
          return false;
      }
    },
  ],
  [
    'an enum out of its set',
    (o, r) => {
      switch (o.kind) {
        case 'Pod':
          if (r() < 0.5) o.spec.restartPolicy = 'Sometimes';
          else o.spec.containers[0].imagePullPolicy = 'Whenever';
          return true;
        case 'Service':
          o.spec.type = pick(r, ['Bogus', 'clusterip', 'ExternalName']); // ExternalName needs externalName
          return true;
        case 'Deployment':
          o.spec.strategy.type = pick(r, ['Bogus', 'rollingupdate']);
          return true;
        case 'Secret':
          o.type = pick(r, [
            'kubernetes.io/tls',
            'kubernetes.io/dockerconfigjson',
            'kubernetes.io/basic-auth-x',
          ]);
          if (o.type === 'kubernetes.io/basic-auth-x') o.type = 'kubernetes.io/ssh-auth';
          return true;
        default:
          return false;
      }
    },
  ],
  [
    'a deep unknown field under Strict validation',
    (o, r) => {
      o.spec = {
        ...(o.spec ?? {}),
        [`bogus${Math.floor(r() * 100)}`]: nestedObject(1 + Math.floor(r() * 300)),
      };
      o.__strict = true;
      return true;
    },
  ],
  [
    'a selector that does not match the template',
    (o) => {
      if (o.kind !== 'Deployment' && o.kind !== 'ReplicaSet') return false;
      o.spec.template.metadata.labels = { app: 'mismatch' };
      return true;
    },
  ],
];

/** The fixture of each kind that generated patches target. */
const FIXTURE_OF: Record<string, { path: string; name: string }> = {
  ConfigMap: { path: PATHS.cm, name: 'cm' },
  Secret: { path: PATHS.secret, name: 'sec' },
  Deployment: { path: PATHS.dep, name: 'dep' },
  Service: { path: PATHS.svc, name: 'svc' },
};

/** Cuts a valid JSON text short: a proper prefix of an object's text is never valid JSON. */
function truncated(text: string, r: () => number): string {
  return text.slice(0, Math.floor(r() * (text.length - 1)));
}

function generated(seed: number, count: number): BadRequest[] {
  const r = seededRandom(seed);
  const ts = templates();
  const out: BadRequest[] = [];
  while (out.length < count) {
    const t = pick(r, ts);
    const roll = r();
    if (roll < 0.2) {
      out.push({
        category: 'generated',
        what: `truncated ${t.path}`,
        method: 'POST',
        path: t.path,
        body: truncated(json(t.obj()), r),
      });
      continue;
    }
    if (roll < 0.3) {
      // Truncated YAML is not always invalid YAML, so the cut also drops the kind line.
      const o = t.obj();
      delete o.kind;
      o.metadata.name = pick(r, INVALID_NAMES);
      out.push({
        category: 'generated',
        what: `YAML with no kind ${t.path}`,
        method: 'POST',
        path: t.path,
        contentType: 'application/yaml',
        body: toYaml(o),
      });
      continue;
    }
    const [name, mutate] = pick(r, MUTATIONS);
    const o = t.obj();
    if (!mutate(o, r)) continue;
    const strict = o.__strict === true;
    delete o.__strict;
    const q = strict ? '?fieldValidation=Strict' : '';
    const fixture = FIXTURE_OF[String(o.kind)];
    if (fixture && name !== 'invalid metadata.name' && r() < 0.35) {
      // The same breakage as a patch of the stored fixture: the merged object must be refused too.
      if (o.metadata && typeof o.metadata === 'object' && !Array.isArray(o.metadata))
        o.metadata.name = fixture.name;
      const type =
        r() < 0.5 ? 'application/merge-patch+json' : 'application/strategic-merge-patch+json';
      out.push({
        category: 'generated',
        what: `${name} as a ${type.split('/')[1]}: ${json(o).slice(0, 160)}`,
        method: 'PATCH',
        path: `${fixture.path}${q}`,
        contentType: type,
        body: json(o),
      });
      continue;
    }
    const yaml = r() < 0.15;
    out.push({
      category: 'generated',
      what: `${name}: ${String(o.kind ?? '?').slice(0, 20)} ${json(o).slice(0, 160)}`,
      method: 'POST',
      path: `${t.path}${q}`,
      contentType: yaml ? 'application/yaml' : 'application/json',
      body: yaml ? toYaml(o) : json(o),
    });
  }
  return out;
}

/** Exactly `total` requests: every hand-written case, then generated ones from `seed`. */
export function buildCorpus(seed: number, total = 1000): BadRequest[] {
  const hand = handWritten();
  if (hand.length > total)
    throw new Error(`${hand.length} hand-written cases exceed the corpus size ${total}`);
  return [...hand, ...generated(seed, total - hand.length)];
}
