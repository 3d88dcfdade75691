// Our schemas drive patch merging (SchemaNav) and strict decoding; these pin what users would notice of both.
import { describe, expect, it } from 'vitest';
import { RESOURCES, groupVersion } from '../../src/api/resources';
import { definitions, navFor, resolveSchema, schemaForKind } from '../../src/registry/schema/index';
import {
  findDuplicateFields,
  findTypeErrors,
  findUnknownFields,
} from '../../src/registry/schema/strict';

function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web' },
      creationTimestamp: null,
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    },
    spec: {
      replicas: 2,
      selector: {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }],
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'web' }, creationTimestamp: null },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'nginx:1.27',
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c'],
              args: ['exec nginx'],
              ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
              env: [
                { name: 'A', value: '1' },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                {
                  name: 'MEM',
                  valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
                },
                {
                  name: 'C',
                  valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: true } },
                },
                { name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
              ],
              envFrom: [
                { prefix: 'X_', configMapRef: { name: 'cm' } },
                { secretRef: { name: 's' } },
              ],
              resources: {
                limits: { cpu: '500m', memory: '128Mi' },
                requests: { cpu: 0.25, memory: 64e6 },
              },
              livenessProbe: {
                httpGet: {
                  path: '/healthz',
                  port: 'http',
                  scheme: 'HTTP',
                  httpHeaders: [{ name: 'X', value: 'y' }],
                },
                initialDelaySeconds: 1,
                periodSeconds: 5,
                timeoutSeconds: 1,
                failureThreshold: 3,
                successThreshold: 1,
              },
              readinessProbe: { tcpSocket: { port: 8080 } },
              startupProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 5 },
              lifecycle: {
                preStop: { sleep: { seconds: 3 } },
                postStart: { exec: { command: ['true'] } },
              },
              securityContext: {
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [
            { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
            {
              name: 'cfg',
              configMap: { name: 'cm', items: [{ key: 'a', path: 'a.txt' }], defaultMode: 420 },
            },
            { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
            {
              name: 'info',
              downwardAPI: {
                items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }],
              },
            },
            {
              name: 'proj',
              projected: {
                sources: [
                  { secret: { name: 's' } },
                  { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
                ],
              },
            },
          ],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'Exists' }] }],
              },
            },
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 10,
                  podAffinityTerm: {
                    topologyKey: 'kubernetes.io/hostname',
                    labelSelector: { matchLabels: { app: 'web' } },
                  },
                },
              ],
            },
          },
          tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
          nodeSelector: { disk: 'ssd' },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway' },
          ],
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
          terminationGracePeriodSeconds: 30,
          serviceAccountName: 'default',
          schedulerName: 'default-scheduler',
          securityContext: { fsGroup: 2000 },
          readinessGates: [{ conditionType: 'example.com/ready' }],
          imagePullSecrets: [{ name: 'reg' }],
          hostname: 'h',
          subdomain: 'sd',
          priority: 0,
        },
      },
    },
    status: {},
  };
}

describe('schema definitions', () => {
  it('resolves every $ref to a definition', () => {
    const refs: string[] = [];
    const walk = (s: unknown) => {
      if (!s || typeof s !== 'object') return;
      if ('$ref' in s) refs.push((s as { $ref: string }).$ref);
      Object.values(s).forEach(walk);
    };
    walk(definitions());
    expect(refs.length).toBeGreaterThan(200);
    for (const r of refs) expect(() => resolveSchema({ $ref: r })).not.toThrow();
  });

  it('has a schema tagged with its group/version/kind for every served kind and subresource kind', () => {
    const kinds = RESOURCES.flatMap((r) => [
      [groupVersion(r), r.kind],
      [groupVersion(r), r.listKind],
      ...r.subresources
        .filter((s) => s.kind && ['Scale', 'Binding', 'Eviction'].includes(s.kind.kind))
        .map((s) => [groupVersion(s.kind!), s.kind!.kind]),
    ]);
    for (const [gv, k] of kinds) {
      const s = schemaForKind(gv, k);
      expect(s, `${gv} ${k}`).toBeDefined();
      expect(s!['x-kubernetes-group-version-kind']!.some((g) => g.kind === k)).toBe(true);
    }
  });
});

describe('navFor', () => {
  const pod = () =>
    navFor('apps/v1', 'Deployment').field('spec')!.field('template')!.field('spec')!;

  it('merges containers by name and container ports by containerPort', () => {
    const containers = pod().field('containers')!;
    expect(containers.kind).toBe('array');
    expect(containers.patchMergeKey).toBe('name');
    expect(containers.patchStrategy).toBe('merge');
    expect(containers.listType).toBe('map');
    const ports = containers.items()!.field('ports')!;
    expect(ports.patchMergeKey).toBe('containerPort');
    expect(ports.listMapKeys).toEqual(['containerPort', 'protocol']);
    expect(containers.items()!.field('env')!.patchMergeKey).toBe('name');
    expect(containers.items()!.field('volumeMounts')!.patchMergeKey).toBe('mountPath');
  });

  it('keeps volumes with retainKeys and the Deployment strategy with retainKeys', () => {
    expect(pod().field('volumes')!.patchStrategy).toBe('merge,retainKeys');
    expect(navFor('apps/v1', 'Deployment').field('spec')!.field('strategy')!.patchStrategy).toBe(
      'retainKeys',
    );
  });

  it('treats finalizers as a merged set and ownerReferences as keyed by uid', () => {
    const meta = navFor('v1', 'Pod').field('metadata')!;
    expect(meta.field('finalizers')).toMatchObject({
      kind: 'array',
      listType: 'set',
      patchStrategy: 'merge',
    });
    expect(meta.field('ownerReferences')).toMatchObject({
      patchMergeKey: 'uid',
      listMapKeys: ['uid'],
    });
    expect(meta.field('managedFields')!.listType).toBe('atomic');
  });

  it('sees maps, atomic structs, quantities and int-or-strings', () => {
    const meta = navFor('v1', 'Pod').field('metadata')!;
    expect(meta.field('labels')!.kind).toBe('map');
    expect(meta.field('labels')!.field('anything')!.kind).toBe('string');
    expect(pod().field('nodeSelector')!.mapType).toBe('atomic');
    expect(
      pod()
        .field('affinity')!
        .field('nodeAffinity')!
        .field('requiredDuringSchedulingIgnoredDuringExecution')!.mapType,
    ).toBe('atomic');
    const c = pod().field('containers')!.items()!;
    expect(c.field('resources')!.field('limits')!.field('cpu')!.kind).toBe('quantity');
    expect(c.field('livenessProbe')!.field('httpGet')!.field('port')!.kind).toBe('int-or-string');
    expect(c.field('tolerations')).toBeUndefined();
    expect(pod().field('tolerations')!.listType).toBe('atomic');
  });

  it('keys service ports by port and node conditions and addresses by type', () => {
    expect(navFor('v1', 'Service').field('spec')!.field('ports')).toMatchObject({
      patchMergeKey: 'port',
      listMapKeys: ['port', 'protocol'],
    });
    const status = navFor('v1', 'Node').field('status')!;
    expect(status.field('conditions')!.patchMergeKey).toBe('type');
    expect(status.field('addresses')!.patchMergeKey).toBe('type');
    expect(navFor('v1', 'Node').field('spec')!.field('podCIDRs')).toMatchObject({
      listType: 'set',
      patchStrategy: 'merge',
    });
  });

  it('answers a free-form nav for kinds without a schema', () => {
    const nav = navFor('example.com/v1', 'Widget');
    expect(nav.kind).toBe('any');
    expect(nav.field('spec')!.items()!.kind).toBe('any');
  });
});

describe('strict decoding', () => {
  it('finds unknown fields deep in a Deployment, in document order and Kubernetes wording', () => {
    const d = deployment() as any;
    d.spec.template.spec.containers[0].bogusField = 1;
    d.spec.replicass = 3;
    expect(findUnknownFields(d, 'apps/v1', 'Deployment')).toEqual([
      'spec.template.spec.containers[0].bogusField',
      'spec.replicass',
    ]);
  });

  it('accepts a full, valid Deployment without unknown fields or type errors', () => {
    expect(findUnknownFields(deployment(), 'apps/v1', 'Deployment')).toEqual([]);
    expect(findTypeErrors(deployment(), 'apps/v1', 'Deployment')).toEqual([]);
  });

  it('accepts any keys in maps and anything in free-form fields', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { 'a.b/c': 'd' } },
      data: { 'any-key': 'v' },
    };
    expect(findUnknownFields(cm, 'v1', 'ConfigMap')).toEqual([]);
    const meta = {
      name: 'x',
      managedFields: [
        { manager: 'm', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
      ],
    };
    expect(
      findUnknownFields({ apiVersion: 'v1', kind: 'Pod', metadata: meta }, 'v1', 'Pod'),
    ).toEqual([]);
    // Volume sources we do not model in detail still decode, so manifests from other clusters are not refused.
    const spec = {
      containers: [{ name: 'a' }],
      volumes: [{ name: 'v', gitRepo: { repository: 'r', revision: 'x' } }],
    };
    expect(
      findUnknownFields(
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec },
        'v1',
        'Pod',
      ),
    ).toEqual([]);
  });

  it('reports nothing for kinds it has no schema for', () => {
    expect(findUnknownFields({ spec: { anything: 1 } }, 'example.com/v1', 'Widget')).toEqual([]);
  });

  it("reports a string where an int32 is required, as Go's decoder words it", () => {
    const d = deployment() as any;
    d.spec.template.spec.containers[0].ports[0].containerPort = '8080';
    expect(findTypeErrors(d, 'apps/v1', 'Deployment')).toEqual([
      {
        type: 'FieldValueTypeInvalid',
        field: 'spec.template.spec.containers[0].ports[0].containerPort',
        message:
          'json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32',
      },
    ]);
  });

  it('reports numbers in string maps, fractions in integers, bad quantities and wrong shapes', () => {
    const d = deployment() as any;
    d.metadata.labels.version = 2;
    d.spec.replicas = 1.5;
    d.spec.template.spec.containers[0].resources.limits.cpu = 'lots';
    d.spec.template.spec.containers[0].livenessProbe.httpGet.port = true;
    d.spec.template.spec.tolerations = { key: 'k' };
    const errs = findTypeErrors(d, 'apps/v1', 'Deployment');
    expect(errs.map((e) => e.field)).toEqual([
      'metadata.labels[version]',
      'spec.replicas',
      'spec.template.spec.containers[0].resources.limits[cpu]',
      'spec.template.spec.containers[0].livenessProbe.httpGet.port',
      'spec.template.spec.tolerations',
    ]);
    expect(errs[0].message).toBe(
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    );
    expect(errs[1].message).toContain(
      'cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
    expect(errs[2].message).toContain('quantities must match the regular expression');
    expect(errs[3].message).toContain('of type intstr.IntOrString');
    expect(errs[4].message).toBe(
      'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.tolerations of type []v1.Toleration',
    );
  });

  it('checks timestamps and base64 secret data, and lets null through anywhere', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', creationTimestamp: 'yesterday', deletionTimestamp: null },
      data: { ok: 'aGk=', bad: 'not base64!' },
    };
    expect(findTypeErrors(secret, 'v1', 'Secret').map((e) => e.field)).toEqual([
      'metadata.creationTimestamp',
      'data[bad]',
    ]);
  });
});

describe('findDuplicateFields', () => {
  it('finds keys repeated in one object, with their paths', () => {
    const body =
      '{"metadata":{"name":"a","labels":{"x":"1"},"name":"b"},"spec":{"containers":[{"name":"c","image":"i","image":"j"}]}}';
    expect(findDuplicateFields(body)).toEqual(['metadata.name', 'spec.containers[0].image']);
  });

  it('finds none in well-formed bodies and gives up quietly on broken ones', () => {
    expect(findDuplicateFields(JSON.stringify(deployment()))).toEqual([]);
    expect(findDuplicateFields('{"a":')).toEqual([]);
    expect(findDuplicateFields('{"a\\"b":1,"a\\"b":2}')).toEqual(['a"b']);
  });
});
