// kubectl's protobuf POST bodies decode to the JSON objects it meant: stored captures, live kubectl, edge cases.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtobufDecodeError, decodeKubernetesProtobuf } from '../../src/api/protobuf/decode';
import { ProtoReader } from '../../src/api/protobuf/wire';

const run = promisify(execFile);
const FIXTURES = new URL('./fixtures/protobuf/', import.meta.url);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`${name}.bin`, FIXTURES)));

const meta = (name: string, labels?: Record<string, string>) => ({
  name,
  creationTimestamp: null,
  ...(labels && { labels }),
});
const template = (labels: Record<string, string> | undefined, spec: object) => ({
  metadata: { creationTimestamp: null, ...(labels && { labels }) },
  spec,
});

// What `kubectl create ... --dry-run=client -o json` means, after Go's zero values are dropped (kubectl-wire.md §1.3).
const EXPECTED: Record<string, Record<string, unknown>> = {
  deployment: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('web', { app: 'web' }),
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: template({ app: 'web' }, { containers: [{ name: 'nginx', image: 'nginx:1.27' }] }),
    },
    status: {},
  },
  namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: meta('x'), spec: {}, status: {} },
  configmap: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('c'), data: { a: 'b' } },
  secret: { apiVersion: 'v1', kind: 'Secret', metadata: meta('s'), data: { p: 'cQ==' } },
  service: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('svc', { app: 'svc' }),
    spec: {
      ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
      selector: { app: 'svc' },
      type: 'ClusterIP',
    },
    status: {},
  },
  serviceaccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('sa') },
  job: {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta('j'),
    spec: {
      template: template(undefined, {
        containers: [{ name: 'j', image: 'busybox', command: ['echo', 'hi'] }],
        restartPolicy: 'Never',
      }),
    },
    status: {},
  },
};

const COMMANDS: Array<[fixture: string, args: string[], printed: string]> = [
  [
    'deployment',
    ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2'],
    'deployment.apps/web created',
  ],
  ['namespace', ['create', 'namespace', 'x'], 'namespace/x created'],
  ['configmap', ['create', 'configmap', 'c', '--from-literal=a=b'], 'configmap/c created'],
  ['secret', ['create', 'secret', 'generic', 's', '--from-literal=p=q'], 'secret/s created'],
  ['service', ['create', 'service', 'clusterip', 'svc', '--tcp=80:8080'], 'service/svc created'],
  ['serviceaccount', ['create', 'serviceaccount', 'sa'], 'serviceaccount/sa created'],
  ['job', ['create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'], 'job.batch/j created'],
];

describe('stored kubectl 1.32 bodies (no kubectl needed)', () => {
  for (const [name] of COMMANDS) {
    it(`decodes the captured ${name} body to the object kubectl meant`, () => {
      const decoded = decodeKubernetesProtobuf(fixture(name));
      expect(decoded.object).toEqual(EXPECTED[name]);
      expect([decoded.apiVersion, decoded.kind]).toEqual([
        EXPECTED[name].apiVersion,
        EXPECTED[name].kind,
      ]);
      expect(decoded.unknownFields).toEqual([]);
    });
  }
});

describe('live bodies from the real kubectl', () => {
  let dir: string;
  let server: Server;
  let kubeconfig: string;
  const posts: Array<{ url: string; contentType: string; body: Uint8Array }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgeplane-protobuf-'));
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-days',
      '1',
      '-keyout',
      join(dir, 'k'),
      '-out',
      join(dir, 'c'),
    ]);
    server = createServer(
      { key: readFileSync(join(dir, 'k')), cert: readFileSync(join(dir, 'c')) },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const json = (code: number, body: unknown) => {
            res.writeHead(code, { 'content-type': 'application/json' });
            res.end(JSON.stringify(body));
          };
          // The gcloud kubectl dispatcher picks its bundled client minor from /version.
          if (req.url?.startsWith('/version'))
            return json(200, { major: '1', minor: '32', gitVersion: 'v1.32.4' });
          if (req.method !== 'POST')
            return json(404, {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              code: 404,
              reason: 'NotFound',
            });
          const body = new Uint8Array(Buffer.concat(chunks));
          posts.push({ url: req.url ?? '', contentType: req.headers['content-type'] ?? '', body });
          try {
            json(201, decodeKubernetesProtobuf(body).object);
          } catch (err) {
            json(415, {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              code: 415,
              message: String(err),
            });
          }
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true },
          },
        ],
        users: [{ name: 'u', user: { token: 'test-token' } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
        'current-context': 'c',
      }),
    );
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function capture(args: string[]) {
    const before = posts.length;
    const { stdout } = await run(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
      {
        env: { ...process.env, HOME: dir, KUBECONFIG: kubeconfig },
      },
    );
    expect(posts.length).toBe(before + 1);
    const post = posts[posts.length - 1];
    expect(post.contentType).toBe('application/vnd.kubernetes.protobuf');
    return { stdout: stdout.trim(), decoded: decodeKubernetesProtobuf(post.body) };
  }

  it('kubectl create <generator> sends protobuf that decodes exactly, and accepts our JSON echo', async () => {
    for (const [name, args, printed] of COMMANDS) {
      const { stdout, decoded } = await capture(args);
      expect(decoded.object, name).toEqual(EXPECTED[name]);
      expect(decoded.unknownFields, name).toEqual([]);
      expect(stdout).toBe(printed);
    }
  });

  it('a named targetPort arrives as a string', async () => {
    const { decoded } = await capture([
      'create',
      'service',
      'clusterip',
      'named',
      '--tcp=443:https',
    ]);
    expect((decoded.object.spec as { ports: unknown[] }).ports).toEqual([
      { name: '443-https', protocol: 'TCP', port: 443, targetPort: 'https' },
    ]);
  });

  it('non-UTF-8 file content arrives as base64 binaryData', async () => {
    writeFileSync(join(dir, 'blob'), Buffer.from([0xff, 0x00, 0xfe]));
    const { decoded } = await capture([
      'create',
      'configmap',
      'bin',
      `--from-file=blob=${join(dir, 'blob')}`,
    ]);
    expect(decoded.object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('bin'),
      binaryData: { blob: '/wD+' },
    });
  });

  it('--replicas=0 survives as an explicit pointer zero, ports as containerPort', async () => {
    const { decoded } = await capture([
      'create',
      'deployment',
      'idle',
      '--image=nginx',
      '--port=8080',
      '--replicas=0',
    ]);
    const spec = decoded.object.spec as Record<string, any>;
    expect(spec.replicas).toBe(0);
    expect(spec.template.spec.containers).toEqual([
      { name: 'nginx', image: 'nginx', ports: [{ containerPort: 8080 }] },
    ]);
  });
});

// A tiny protobuf writer for hand-built bodies.
const utf8 = new TextEncoder();
function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? low | 0x80 : low);
  } while (v);
  return out;
}
const pb = {
  int: (no: number, n: number | bigint) => [...varint(no * 8), ...varint(n)],
  bytes: (no: number, b: ArrayLike<number>) => [
    ...varint(no * 8 + 2),
    ...varint(b.length),
    ...Array.from(b),
  ],
  str: (no: number, s: string) => pb.bytes(no, utf8.encode(s)),
  msg: (no: number, ...parts: number[][]) => pb.bytes(no, parts.flat()),
  entry: (no: number, key: string, value: number[]) => pb.msg(no, pb.str(1, key), value),
};
function body(apiVersion: string, kind: string, ...raw: number[][]): Uint8Array {
  const typeMeta = pb.msg(1, pb.str(1, apiVersion), pb.str(2, kind));
  return new Uint8Array([
    0x6b,
    0x38,
    0x73,
    0x00,
    ...typeMeta,
    ...pb.msg(2, ...raw),
    ...pb.str(3, ''),
    ...pb.str(4, ''),
  ]);
}
const decode = (...args: Parameters<typeof body>) => decodeKubernetesProtobuf(body(...args));
function thrown(fn: () => unknown): ProtobufDecodeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtobufDecodeError);
    return err as ProtobufDecodeError;
  }
  throw new Error('expected a ProtobufDecodeError');
}

describe('edge cases', () => {
  it('renders IntOrString as a number or a string, and keeps a pointer IntOrString at 0', () => {
    const port = (name: string, n: number, target: number[][]) =>
      pb.msg(1, pb.str(1, name), pb.int(3, n), pb.msg(4, ...target));
    const svc = decode(
      'v1',
      'Service',
      pb.msg(
        2,
        port('http', 80, [pb.int(1, 0), pb.int(2, 8080), pb.str(3, '')]),
        port('https', 443, [pb.int(1, 1), pb.int(2, 0), pb.str(3, 'https')]),
        port('same', 53, [pb.int(1, 0), pb.int(2, 0), pb.str(3, '')]),
      ),
    );
    expect((svc.object.spec as { ports: unknown[] }).ports).toEqual([
      { name: 'http', port: 80, targetPort: 8080 },
      { name: 'https', port: 443, targetPort: 'https' },
      { name: 'same', port: 53 },
    ]);
    const strategy = pb.msg(
      4,
      pb.str(1, 'RollingUpdate'),
      pb.msg(2, pb.msg(1, pb.int(1, 1), pb.str(3, '25%')), pb.msg(2, pb.int(1, 0))),
    );
    const deploy = decode('apps/v1', 'Deployment', pb.msg(2, strategy));
    expect((deploy.object.spec as Record<string, unknown>).strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: 0 },
    });
  });

  it('renders metav1.Time as whole-second RFC3339 UTC, and a zero time as null', () => {
    const ns = (...time: number[][]) =>
      decode('v1', 'Namespace', pb.msg(1, pb.str(1, 'n'), pb.msg(8, ...time)));
    expect(
      (ns(pb.int(1, 1700000000), pb.int(2, 500)).object.metadata as Record<string, unknown>)
        .creationTimestamp,
    ).toBe('2023-11-14T22:13:20Z');
    expect(ns().object.metadata).toEqual({ name: 'n', creationTimestamp: null });
    expect(ns(pb.int(1, -62135596800n)).object.metadata).toEqual({
      name: 'n',
      creationTimestamp: null,
    });
    const deleting = decode('v1', 'Namespace', pb.msg(1, pb.str(1, 'n'), pb.msg(9, pb.int(1, 0))));
    expect(deleting.object.metadata).toEqual({
      name: 'n',
      deletionTimestamp: '1970-01-01T00:00:00Z',
    });
  });

  it('encodes bytes as base64 and keeps text maps as strings', () => {
    const secret = decode(
      'v1',
      'Secret',
      pb.entry(2, 'key', pb.bytes(2, [0xff, 0x00, 0x80])),
      pb.entry(4, 'plain', pb.str(2, 'text')),
      pb.str(3, 'Opaque'),
    );
    expect(secret.object).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      data: { key: '/wCA' },
      stringData: { plain: 'text' },
      type: 'Opaque',
    });
  });

  it('keeps pointer fields at zero and drops zero non-pointer fields', () => {
    const deploy = decode(
      'apps/v1',
      'Deployment',
      pb.msg(
        2,
        pb.int(1, 0),
        pb.int(5, 0),
        pb.int(6, 0),
        pb.int(7, 0),
        pb.msg(4, pb.str(1, '')),
        pb.int(9, 600),
      ),
    );
    expect(deploy.object.spec).toEqual({
      replicas: 0,
      revisionHistoryLimit: 0,
      progressDeadlineSeconds: 600,
    });
    const cm = decode('v1', 'ConfigMap', pb.int(4, 0));
    expect(cm.object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', immutable: false });
  });

  it('embeds managedFields fieldsV1 as JSON and decodes ownerReferences', () => {
    const cm = decode(
      'v1',
      'ConfigMap',
      pb.msg(
        1,
        pb.str(1, 'c'),
        pb.msg(
          13,
          pb.str(1, 'Deployment'),
          pb.str(3, 'web'),
          pb.str(4, 'u-1'),
          pb.str(5, 'apps/v1'),
          pb.int(6, 1),
        ),
        pb.msg(
          17,
          pb.str(1, 'kubectl'),
          pb.str(2, 'Update'),
          pb.str(6, 'FieldsV1'),
          pb.msg(7, pb.str(1, '{"f:data":{}}')),
        ),
      ),
    );
    expect(cm.object.metadata).toEqual({
      name: 'c',
      ownerReferences: [
        { kind: 'Deployment', name: 'web', uid: 'u-1', apiVersion: 'apps/v1', controller: true },
      ],
      managedFields: [
        {
          manager: 'kubectl',
          operation: 'Update',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': {} },
        },
      ],
    });
  });

  it('flattens Go embedded structs: probe handlers, volume sources, env source references', () => {
    const container = pb.msg(
      2,
      pb.str(1, 'app'),
      pb.msg(19, pb.msg(2, pb.msg(1, pb.str(1, 'app-env')))),
      pb.msg(
        10,
        pb.msg(1, pb.msg(2, pb.str(1, '/healthz'), pb.msg(2, pb.int(1, 1), pb.str(3, 'http')))),
        pb.int(3, 1),
      ),
      pb.msg(8),
    );
    const volume = pb.msg(
      1,
      pb.str(1, 'cfg'),
      pb.msg(2, pb.msg(19, pb.msg(1, pb.str(1, 'app-config')), pb.int(3, 420))),
    );
    const job = decode(
      'batch/v1',
      'Job',
      pb.msg(2, pb.int(7, 0), pb.msg(6, pb.msg(2, volume, container))),
    );
    expect(job.object.spec).toEqual({
      backoffLimit: 0,
      template: {
        spec: {
          volumes: [{ name: 'cfg', configMap: { name: 'app-config', defaultMode: 420 } }],
          containers: [
            {
              name: 'app',
              envFrom: [{ configMapRef: { name: 'app-env' } }],
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, timeoutSeconds: 1 },
            },
          ],
        },
      },
    });
  });

  it('decodes a CronJob as kubectl create cronjob sends it', () => {
    const cj = decode(
      'batch/v1',
      'CronJob',
      pb.msg(1, pb.str(1, 'nightly')),
      pb.msg(
        2,
        pb.str(1, '0 3 * * *'),
        pb.str(8, 'Europe/Paris'),
        pb.msg(5, pb.msg(2, pb.int(7, 2))),
      ),
    );
    expect(cj.object.metadata).toEqual({ name: 'nightly' });
    expect(cj.object.spec).toEqual({
      schedule: '0 3 * * *',
      timeZone: 'Europe/Paris',
      jobTemplate: { spec: { backoffLimit: 2 } },
    });
  });

  it('skips unknown fields, keeps decoding, and reports where they were', () => {
    const ns = decode(
      'v1',
      'Namespace',
      pb.msg(1, pb.str(1, 'n')),
      pb.msg(2, pb.int(99, 7), pb.str(1, 'kubernetes')),
    );
    expect(ns.object.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(ns.unknownFields).toEqual(['spec: field 99 of k8s.io.api.core.v1.NamespaceSpec']);
  });

  it('rejects a body without the k8s magic', () => {
    const err = thrown(() => decodeKubernetesProtobuf(utf8.encode('{"kind":"Namespace"}')));
    expect(err.reason).toBe('BadMagic');
    expect(err.message).toContain('6b 38 73 00');
  });

  it('rejects kinds it has no descriptor for, naming the kind and the supported ones', () => {
    const err = thrown(() => decode('apps/v1', 'DaemonSet', pb.msg(1, pb.str(1, 'ds'))));
    expect(err.reason).toBe('UnsupportedKind');
    expect(err.message).toContain('apps/v1 DaemonSet');
    expect(err.message).toContain('supported only for apps/v1 Deployment');
  });

  it('rejects a truncated body', () => {
    const full = fixture('deployment');
    expect(thrown(() => decodeKubernetesProtobuf(full.subarray(0, full.length - 20))).reason).toBe(
      'Truncated',
    );
  });

  it('rejects a field whose wire type contradicts its descriptor', () => {
    const err = thrown(() => decode('v1', 'Namespace', pb.msg(1, pb.int(1, 5))));
    expect(err.reason).toBe('Malformed');
    expect(err.message).toContain('metadata.name');
  });

  it('reads negative and 64-bit varints as Go would', () => {
    const r = new ProtoReader(
      new Uint8Array([...varint(-1), ...varint(-1), ...varint(2 ** 40), ...varint(-5)]),
    );
    expect([r.int32(), r.int64(), r.int64(), r.int64()]).toEqual([-1, -1, 2 ** 40, -5]);
    expect(r.eof()).toBe(true);
  });
});
