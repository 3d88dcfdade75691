// Defaulting as the Kubernetes 1.32 Go defaulters do it, for the fields kubectl shows back to users.
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/api/types';
import { base64UTF8 } from '../../src/registry/defaults/secret';
import { strategyFor } from '../../src/registry/strategies';

function defaulted(group: string, resource: string, obj: KObject): any {
  strategyFor(group, resource).applyDefaults(obj);
  return obj;
}

describe('secret defaults', () => {
  it('folds stringData into base64 data as UTF-8, overriding data, and drops stringData', () => {
    const s = defaulted('', 'secrets', {
      metadata: { name: 's', namespace: 'default' },
      data: { keep: 'a2VlcA==', user: 'b2xk' },
      stringData: { user: 'admin', greeting: 'grüß dich ✓' },
    });
    expect(s.type).toBe('Opaque');
    expect(s.stringData).toBeUndefined();
    expect(s.data).toEqual({
      keep: 'a2VlcA==',
      user: 'YWRtaW4=',
      greeting: 'Z3LDvMOfIGRpY2gg4pyT',
    });
    expect(
      new TextDecoder().decode(Uint8Array.from(atob(s.data.greeting), (c) => c.charCodeAt(0))),
    ).toBe('grüß dich ✓');
  });

  it('encodes the empty string', () => {
    expect(base64UTF8('')).toBe('');
  });
});

describe('deployment defaults', () => {
  const deployment = (): KObject => ({
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx',
              ports: [{ containerPort: 80 }],
              env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              livenessProbe: { httpGet: { port: 80 } },
              resources: { limits: { cpu: '1' } },
            },
          ],
        },
      },
    },
  });

  it('fills replicas, the 25%/25% rolling update, history limit and progress deadline', () => {
    const d = defaulted('apps', 'deployments', deployment());
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
    });
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
  });

  it('defaults the pod template the way a PodSpec is defaulted, without the Pod-only rules', () => {
    const spec = defaulted('apps', 'deployments', deployment()).spec.template.spec;
    expect(spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      securityContext: {},
    });
    expect(spec.enableServiceLinks).toBeUndefined();
    const c = spec.containers[0];
    expect(c).toMatchObject({
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
    expect(c.ports[0].protocol).toBe('TCP');
    expect(c.env[0].valueFrom.fieldRef.apiVersion).toBe('v1');
    expect(c.livenessProbe).toEqual({
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    // Requests are copied from limits only for real Pods, never in templates.
    expect(c.resources).toEqual({ limits: { cpu: '1' } });
  });

  it('keeps explicit values and is idempotent', () => {
    const d = deployment();
    (d.spec as any).replicas = 0;
    (d.spec as any).strategy = { type: 'Recreate' };
    const once = defaulted('apps', 'deployments', d);
    expect(once.spec.replicas).toBe(0);
    expect(once.spec.strategy).toEqual({ type: 'Recreate' });
    const twice = defaulted('apps', 'deployments', structuredClone(once));
    expect(twice).toEqual(once);
  });

  it('gives ReplicaSets one replica and template defaults', () => {
    const rs = defaulted('apps', 'replicasets', {
      metadata: { name: 'r', namespace: 'default' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    });
    expect(rs.spec.replicas).toBe(1);
    expect(rs.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });
});

describe('pod defaults', () => {
  const pod = (containers: unknown[], extra: Record<string, unknown> = {}): KObject => ({
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers, ...extra },
  });

  it('picks the pull policy from the image tag', () => {
    const images = [
      'nginx',
      'nginx:latest',
      'nginx:1.27',
      'localhost:5000/app',
      'localhost:5000/app:v2',
      'nginx@sha256:abc',
      'nginx:latest@sha256:abc',
    ];
    const p = defaulted('', 'pods', pod(images.map((image, i) => ({ name: `c${i}`, image }))));
    expect(p.spec.containers.map((c: any) => c.imagePullPolicy)).toEqual([
      'Always',
      'Always',
      'IfNotPresent',
      'Always',
      'IfNotPresent',
      'IfNotPresent',
      'Always',
    ]);
  });

  it('copies limits into missing requests, enables service links, and maps host-network ports', () => {
    const p = defaulted(
      '',
      'pods',
      pod(
        [
          {
            name: 'c',
            image: 'x:1',
            ports: [{ containerPort: 8080 }],
            resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } },
          },
        ],
        { hostNetwork: true },
      ),
    );
    expect(p.spec.containers[0].resources.requests).toEqual({ cpu: '500m', memory: '1Gi' });
    expect(p.spec.enableServiceLinks).toBe(true);
    expect(p.spec.containers[0].ports[0]).toEqual({
      containerPort: 8080,
      hostPort: 8080,
      protocol: 'TCP',
    });
    expect(p.spec.containers[0].resources).toBeDefined();
  });

  it('defaults volumes: a sourceless volume is an emptyDir, projections get mode 0644', () => {
    const p = defaulted(
      '',
      'pods',
      pod([{ name: 'c', image: 'x:1' }], {
        volumes: [
          { name: 'scratch' },
          { name: 'cfg', configMap: { name: 'cfg' } },
          { name: 'sec', secret: { secretName: 's' } },
          { name: 'h', hostPath: { path: '/tmp' } },
        ],
      }),
    );
    expect(p.spec.volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } },
      { name: 'sec', secret: { secretName: 's', defaultMode: 420 } },
      { name: 'h', hostPath: { path: '/tmp', type: '' } },
    ]);
  });
});

describe('service, namespace and node defaults', () => {
  it('gives a Service its type, affinity, port protocol and target port, and traffic policies', () => {
    const s = defaulted('', 'services', {
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    expect(s.spec).toEqual({
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      sessionAffinity: 'None',
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    const plain = defaulted('', 'services', {
      metadata: { name: 'web', namespace: 'default' },
      spec: { ports: [{ port: 80, targetPort: 'http' }] },
    });
    expect(plain.spec.type).toBe('ClusterIP');
    expect(plain.spec.externalTrafficPolicy).toBeUndefined();
    expect(plain.spec.ports[0].targetPort).toBe('http');
  });

  it('gives a new Namespace its name label, the kubernetes finalizer and phase Active', () => {
    const ns = defaulted('', 'namespaces', { metadata: { name: 'team-a' } });
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team-a' });
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(ns.status).toEqual({ phase: 'Active' });
  });

  it('does not put the finalizer back on a stored namespace the controller is finalizing', () => {
    const ns = defaulted('', 'namespaces', {
      metadata: { name: 'team-a', uid: 'u', resourceVersion: '9' },
      spec: { finalizers: [] },
      status: { phase: 'Terminating' },
    });
    expect(ns.spec.finalizers).toEqual([]);
    expect(ns.status.phase).toBe('Terminating');
  });

  it('mirrors node capacity into allocatable and podCIDR into podCIDRs', () => {
    const n = defaulted('', 'nodes', {
      metadata: { name: 'n1' },
      spec: { podCIDR: '127.1.0.0/24' },
      status: { capacity: { cpu: '4', pods: '110' } },
    });
    expect(n.status.allocatable).toEqual({ cpu: '4', pods: '110' });
    expect(n.spec.podCIDRs).toEqual(['127.1.0.0/24']);
  });
});
