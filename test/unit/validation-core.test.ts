// Core kinds other than pods: name rules per kind, ConfigMap and Secret limits, Services, Nodes, Events.
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/api/types';
import type { FieldError } from '../../src/registry/field-errors';
import { strategyFor } from '../../src/registry/strategies';

const byField = (errs: FieldError[]) => Object.fromEntries(errs.map((e) => [e.field, e]));

function check(group: string, resource: string, obj: KObject): FieldError[] {
  const s = strategyFor(group, resource);
  s.applyDefaults(obj);
  return s.validate(obj);
}

function update(group: string, resource: string, next: KObject, old: KObject): FieldError[] {
  const s = strategyFor(group, resource);
  s.applyDefaults(next);
  return s.validateUpdate(next, old);
}

function storedAs(group: string, resource: string, obj: KObject): KObject {
  strategyFor(group, resource).applyDefaults(obj);
  obj.metadata.uid = 'u-1';
  obj.metadata.resourceVersion = '3';
  return obj;
}

describe('name rules', () => {
  it('uses DNS-1123 subdomains for most kinds, so dots are fine in a ConfigMap name', () => {
    expect(
      check('', 'configmaps', { metadata: { name: 'app.config', namespace: 'default' } }),
    ).toEqual([]);
  });

  it('uses DNS-1123 labels for namespaces, so dots are not', () => {
    const errs = check('', 'namespaces', { metadata: { name: 'team.a' } });
    expect(errs).toEqual([
      {
        type: 'FieldValueInvalid',
        field: 'metadata.name',
        message: 'Invalid value: "team.a": must not contain dots',
      },
    ]);
  });

  it('uses DNS-1035 labels for services, so a leading digit is rejected', () => {
    const errs = check('', 'services', {
      metadata: { name: '1web', namespace: 'default' },
      spec: { ports: [{ port: 80 }] },
    });
    expect(errs).toHaveLength(1);
    expect(errs[0].field).toBe('metadata.name');
    expect(errs[0].message).toContain(
      'a DNS-1035 label must consist of lower case alphanumeric characters',
    );
  });

  it('requires a name, a namespace for namespaced kinds, and none for cluster-scoped ones', () => {
    expect(byField(check('', 'configmaps', { metadata: {} }))).toMatchObject({
      'metadata.name': { message: 'Required value: name or generateName is required' },
      'metadata.namespace': { message: 'Required value' },
    });
    expect(
      byField(check('', 'nodes', { metadata: { name: 'n1', namespace: 'default' } }))[
        'metadata.namespace'
      ].message,
    ).toBe('Forbidden: not allowed on this type');
  });

  it('allows a trailing dash in generateName but checks it otherwise', () => {
    const errs = check('', 'configmaps', {
      metadata: { name: 'cfg-x7k2p', generateName: 'cfg-', namespace: 'default' },
    });
    expect(errs).toEqual([]);
    const bad = check('', 'configmaps', {
      metadata: { name: 'cfg-x7k2p', generateName: 'Cfg-', namespace: 'default' },
    });
    expect(bad[0].field).toBe('metadata.generateName');
  });

  it('checks finalizers, annotation size and owner references', () => {
    const big = 'x'.repeat(256 * 1024);
    const errs = byField(
      check('', 'configmaps', {
        metadata: {
          name: 'c',
          namespace: 'default',
          finalizers: ['custom'],
          annotations: { note: big },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: '', uid: 'u' }],
        },
      }),
    );
    expect(errs['metadata.finalizers[0]'].message).toBe(
      'Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    );
    expect(errs['metadata.annotations'].message).toBe(
      'Too long: may not be more than 262144 bytes',
    );
    expect(errs['metadata.ownerReferences.name'].message).toBe(
      'Invalid value: "": must not be empty',
    );
    expect(errs['metadata.ownerReferences'].message).toContain(
      '/v1, Kind=Event is disallowed from being an owner',
    );
  });
});

describe('configmaps and secrets', () => {
  it('rejects a ConfigMap over 1 MiB in total, reported on the whole object', () => {
    const errs = check('', 'configmaps', {
      metadata: { name: 'big', namespace: 'default' },
      data: { a: 'x'.repeat(600_000), b: 'y'.repeat(600_000) },
    });
    expect(errs).toEqual([
      {
        type: 'FieldValueTooLong',
        field: '',
        message: 'Too long: may not be more than 1048576 bytes',
      },
    ]);
  });

  it('rejects keys that are not config keys', () => {
    const errs = check('', 'configmaps', {
      metadata: { name: 'c', namespace: 'default' },
      data: { 'bad key': 'v', '..x': 'v' },
    });
    expect(errs.map((e) => e.field)).toEqual(['data[bad key]', 'data[..x]']);
    expect(errs[0].message).toContain(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
    );
    expect(errs[1].message).toBe('Invalid value: "..x": must not start with \'..\'');
  });

  it('forbids data changes once a ConfigMap is immutable', () => {
    const old = storedAs('', 'configmaps', {
      metadata: { name: 'c', namespace: 'default' },
      data: { a: '1' },
      immutable: true,
    });
    const next = structuredClone(old);
    next.data = { a: '2' };
    expect(update('', 'configmaps', next, old)).toEqual([
      {
        type: 'FieldValueForbidden',
        field: 'data',
        message: 'Forbidden: field is immutable when `immutable` is set',
      },
    ]);
  });

  it('measures Secret size after base64 decoding and needs the keys its type names', () => {
    const b64 = btoa('x'.repeat(786_432)); // 1 MiB of base64 text, 768 KiB decoded
    expect(
      check('', 'secrets', { metadata: { name: 's', namespace: 'default' }, data: { a: b64 } }),
    ).toEqual([]);
    const tls = byField(
      check('', 'secrets', {
        metadata: { name: 't', namespace: 'default' },
        type: 'kubernetes.io/tls',
        data: {},
      }),
    );
    expect(Object.keys(tls).sort()).toEqual(['data[tls.crt]', 'data[tls.key]']);
  });

  it('keeps a Secret type immutable', () => {
    const old = storedAs('', 'secrets', { metadata: { name: 's', namespace: 'default' } });
    const next = structuredClone(old);
    next.type = 'kubernetes.io/basic-auth';
    next.data = { username: 'YQ==' };
    expect(update('', 'secrets', next, old)).toEqual([
      {
        type: 'FieldValueInvalid',
        field: 'type',
        message: 'Invalid value: "kubernetes.io/basic-auth": field is immutable',
      },
    ]);
  });
});

describe('services', () => {
  const svc = (spec: Record<string, unknown>, name = 'web'): KObject => ({
    metadata: { name, namespace: 'default' },
    spec,
  });

  it('requires ports unless headless or ExternalName', () => {
    expect(
      byField(check('', 'services', svc({ selector: { app: 'web' } })))['spec.ports'].message,
    ).toBe('Required value');
    expect(check('', 'services', svc({ clusterIP: 'None', selector: { app: 'web' } }))).toEqual([]);
    expect(
      check('', 'services', svc({ type: 'ExternalName', externalName: 'db.example.com' })),
    ).toEqual([]);
  });

  it('requires port names when there is more than one port, and checks ranges and enums', () => {
    const errs = byField(
      check(
        '',
        'services',
        svc({
          type: 'NodePort',
          sessionAffinity: 'Sticky',
          ports: [
            { port: 80, targetPort: 70000 },
            { name: 'b', port: 0, nodePort: 80 },
          ],
        }),
      ),
    );
    expect(errs['spec.ports[0].name'].message).toBe('Required value');
    expect(errs['spec.ports[0].targetPort'].message).toBe(
      'Invalid value: 70000: must be between 1 and 65535, inclusive',
    );
    expect(errs['spec.ports[1].port'].message).toBe(
      'Invalid value: 0: must be between 1 and 65535, inclusive',
    );
    expect(errs['spec.ports[1].nodePort'].message).toBe(
      'Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    expect(errs['spec.sessionAffinity'].message).toBe(
      'Unsupported value: "Sticky": supported values: "ClientIP", "None"',
    );
    expect(
      byField(check('', 'services', svc({ type: 'Magic', ports: [{ port: 80 }] })))['spec.type']
        .message,
    ).toBe(
      'Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    );
  });

  it('forbids a nodePort on a ClusterIP service', () => {
    const errs = byField(check('', 'services', svc({ ports: [{ port: 80, nodePort: 30080 }] })));
    expect(errs['spec.ports[0].nodePort'].message).toBe(
      "Forbidden: may not be used when `type` is 'ClusterIP'",
    );
  });

  it('keeps the clusterIP once set, but treats an omitted one as unchanged', () => {
    const old = storedAs('', 'services', svc({ clusterIP: '127.96.0.10', ports: [{ port: 80 }] }));
    const omitted = structuredClone(old);
    delete (omitted.spec as any).clusterIP;
    delete (omitted.spec as any).clusterIPs;
    expect(update('', 'services', omitted, old)).toEqual([]);
    const changed = structuredClone(old);
    (changed.spec as any).clusterIP = '127.96.0.11';
    (changed.spec as any).clusterIPs = ['127.96.0.11'];
    expect(byField(update('', 'services', changed, old))['spec.clusterIPs[0]'].message).toBe(
      'Invalid value: ["127.96.0.11"]: may not change once set',
    );
  });
});

describe('nodes, endpoints, events, leases and unknown kinds', () => {
  it('checks node taints and podCIDRs, and keeps podCIDRs once assigned', () => {
    const errs = byField(
      check('', 'nodes', {
        metadata: { name: 'n1' },
        spec: {
          podCIDRs: ['10.0.0.0/33'],
          taints: [
            { key: 'k', effect: 'Sometimes' },
            { key: 'k', effect: 'NoSchedule' },
            { key: 'k', effect: 'NoSchedule' },
          ],
        },
      }),
    );
    expect(errs['metadata.taints[0].effect'].message).toBe(
      'Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    );
    expect(errs['metadata.taints[2]'].message).toBe(
      'Duplicate value: {"key":"k","effect":"NoSchedule"}: taints must be unique by key and effect pair',
    );
    expect(errs['spec.podCIDRs[0]'].message).toContain('must be a valid CIDR value');
    const old = storedAs('', 'nodes', {
      metadata: { name: 'n1' },
      spec: { podCIDR: '127.1.0.0/24' },
    });
    const next = structuredClone(old);
    (next.spec as any).podCIDR = '127.2.0.0/24';
    (next.spec as any).podCIDRs = ['127.2.0.0/24'];
    expect(update('', 'nodes', next, old)).toEqual([
      {
        type: 'FieldValueForbidden',
        field: 'spec.podCIDRs',
        message: 'Forbidden: node updates may not change podCIDR except from "" to valid',
      },
    ]);
  });

  it('accepts loopback pod addresses in Endpoints, which edgeplane uses for local pods', () => {
    const ep: KObject = {
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '127.0.1.5' }], ports: [{ port: 8080 }] }],
    };
    expect(check('', 'endpoints', ep)).toEqual([]);
    const bad: KObject = {
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '169.254.1.1' }] }],
    };
    expect(check('', 'endpoints', bad)[0].message).toContain('may not be in the link-local range');
  });

  it('applies the strict rules to events.k8s.io Events and the legacy ones to core Events', () => {
    const strict = byField(
      check('events.k8s.io', 'events', {
        metadata: { name: 'e1', namespace: 'default' },
        regarding: { kind: 'Pod', namespace: 'default' },
        type: 'Odd',
      }),
    );
    expect(strict['eventTime'].message).toBe('Required value');
    expect(strict['type'].message).toBe('Invalid value: "": has invalid value: Odd');
    const legacy = check('', 'events', {
      metadata: { name: 'e1', namespace: 'default' },
      involvedObject: { kind: 'Pod', namespace: 'other' },
      reason: 'Started',
    });
    expect(legacy).toEqual([
      {
        type: 'FieldValueInvalid',
        field: 'involvedObject.namespace',
        message: 'Invalid value: "other": does not match event.namespace',
      },
    ]);
  });

  it('rejects a non-positive lease duration', () => {
    const errs = check('coordination.k8s.io', 'leases', {
      metadata: { name: 'n1', namespace: 'kube-node-lease' },
      spec: { leaseDurationSeconds: 0 },
    });
    expect(errs).toEqual([
      {
        type: 'FieldValueInvalid',
        field: 'spec.leaseDurationSeconds',
        message: 'Invalid value: 0: must be greater than 0',
      },
    ]);
  });

  it('validates only metadata for kinds it does not know', () => {
    const s = strategyFor('example.com', 'widgets');
    expect(
      s.validate({ metadata: { name: 'w1', namespace: 'default' }, spec: { anything: -1 } }),
    ).toEqual([]);
    expect(s.validate({ metadata: { name: 'W1' } })[0].field).toBe('metadata.name');
    expect(s.tracksGeneration).toBe(false);
  });
});
