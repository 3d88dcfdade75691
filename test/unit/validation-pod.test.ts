// Pod validation: containers, volumes, probes, env, tolerations, and what a Pod update may change.
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/api/types';
import type { FieldError } from '../../src/registry/field-errors';
import { strategyFor } from '../../src/registry/strategies';

const pods = strategyFor('', 'pods');

function pod(spec: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }],
      ...spec,
    },
  };
}

function errorsOf(obj: KObject): FieldError[] {
  pods.applyDefaults(obj);
  return pods.validate(obj);
}

const byField = (errs: FieldError[]) => Object.fromEntries(errs.map((e) => [e.field, e]));

function stored(obj: KObject): KObject {
  pods.applyDefaults(obj);
  obj.metadata.resourceVersion = '7';
  obj.metadata.uid = 'u-1';
  return obj;
}

describe('pod create validation', () => {
  it('accepts a minimal pod once defaulted', () => {
    expect(errorsOf(pod())).toEqual([]);
  });

  it('requires at least one container', () => {
    expect(errorsOf(pod({ containers: [] }))).toEqual([
      { type: 'FieldValueRequired', field: 'spec.containers', message: 'Required value' },
    ]);
  });

  it('requires container names to be unique across init and app containers', () => {
    const errs = errorsOf(pod({ initContainers: [{ name: 'web', image: 'busybox' }] }));
    expect(errs).toEqual([
      {
        type: 'FieldValueDuplicate',
        field: 'spec.initContainers[0].name',
        message: 'Duplicate value: "web"',
      },
    ]);
  });

  it('rejects a mount of a volume the pod does not declare', () => {
    const p = pod();
    (p.spec as any).containers[0].volumeMounts = [{ name: 'data', mountPath: '/data' }];
    expect(errorsOf(p)).toEqual([
      {
        type: 'FieldValueNotFound',
        field: 'spec.containers[0].volumeMounts[0].name',
        message: 'Not found: "data"',
      },
    ]);
  });

  it('rejects a volume with two sources and duplicate volume names', () => {
    const errs = byField(
      errorsOf(
        pod({
          volumes: [
            { name: 'a', emptyDir: {}, hostPath: { path: '/x' } },
            { name: 'b', emptyDir: {} },
            { name: 'b', emptyDir: {} },
          ],
        }),
      ),
    );
    expect(errs['spec.volumes[0].hostPath'].message).toBe(
      'Forbidden: may not specify more than 1 volume type',
    );
    expect(errs['spec.volumes[2].name'].message).toBe('Duplicate value: "b"');
  });

  it('checks probes: one handler, liveness success threshold of 1, non-negative timings', () => {
    const p = pod();
    Object.assign((p.spec as any).containers[0], {
      livenessProbe: {
        exec: { command: ['true'] },
        tcpSocket: { port: 80 },
        successThreshold: 2,
        initialDelaySeconds: -1,
      },
      readinessProbe: {},
    });
    const errs = byField(errorsOf(p));
    expect(errs['spec.containers[0].livenessProbe.tcpSocket'].message).toBe(
      'Forbidden: may not specify more than 1 handler type',
    );
    expect(errs['spec.containers[0].livenessProbe.successThreshold'].message).toBe(
      'Invalid value: 2: must be 1',
    );
    expect(errs['spec.containers[0].livenessProbe.initialDelaySeconds'].message).toBe(
      'Invalid value: -1: must be greater than or equal to 0',
    );
    expect(errs['spec.containers[0].readinessProbe'].message).toBe(
      'Required value: must specify a handler type',
    );
  });

  it('requires exactly one env valueFrom source, and none alongside a value', () => {
    const p = pod();
    (p.spec as any).containers[0].env = [
      {
        name: 'A',
        valueFrom: {
          fieldRef: { fieldPath: 'metadata.name' },
          secretKeyRef: { name: 's', key: 'k' },
        },
      },
      { name: 'B', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: '1BAD', valueFrom: {} },
      { name: 'D', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } },
    ];
    const errs = byField(errorsOf(p));
    expect(errs['spec.containers[0].env[0].valueFrom'].message).toBe(
      'Invalid value: "": may not have more than one field specified at a time',
    );
    expect(errs['spec.containers[0].env[1].valueFrom'].message).toBe(
      'Invalid value: "": may not be specified when `value` is not empty',
    );
    expect(errs['spec.containers[0].env[2].valueFrom'].message).toContain(
      'must specify one of: `fieldRef`, `resourceFieldRef`',
    );
    expect(errs['spec.containers[0].env[2].name'].message).toContain(
      'a valid environment variable name must consist of',
    );
    expect(errs['spec.containers[0].env[3].valueFrom.fieldRef.fieldPath'].message).toContain(
      'Unsupported value: "spec.bogus"',
    );
  });

  it('validates ports: protocol enum, duplicate names, host port conflicts', () => {
    const p = pod({
      containers: [
        {
          name: 'a',
          image: 'x',
          ports: [
            { name: 'http', containerPort: 80, hostPort: 8080 },
            { name: 'http', containerPort: 81, protocol: 'ICMP' },
          ],
        },
        { name: 'b', image: 'x', ports: [{ containerPort: 90, hostPort: 8080 }] },
      ],
    });
    const errs = byField(errorsOf(p));
    expect(errs['spec.containers[0].ports[1].name'].message).toBe('Duplicate value: "http"');
    expect(errs['spec.containers[0].ports[1].protocol'].message).toBe(
      'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    );
    expect(errs['spec.containers[1].ports[0].hostPort'].message).toBe(
      'Duplicate value: "TCP//8080"',
    );
  });

  it('validates enums and the grace period', () => {
    const errs = byField(
      errorsOf(
        pod({ restartPolicy: 'Sometimes', dnsPolicy: 'Bogus', terminationGracePeriodSeconds: 0 }),
      ),
    );
    expect(errs['spec.restartPolicy'].message).toBe(
      'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    );
    expect(errs['spec.dnsPolicy'].message).toBe(
      'Unsupported value: "Bogus": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    );
    expect(errs['spec.terminationGracePeriodSeconds']).toBeUndefined();
  });

  it('validates tolerations: Exists needs no value, an empty key needs Exists, seconds need NoExecute', () => {
    const errs = byField(
      errorsOf(
        pod({
          tolerations: [
            { key: 'a', operator: 'Exists', value: 'x' },
            { operator: 'Equal', value: 'v' },
            { key: 'b', tolerationSeconds: 5, effect: 'NoSchedule' },
          ],
        }),
      ),
    );
    expect(errs['spec.tolerations[0].operator'].message).toBe(
      'Invalid value: "x": value must be empty when `operator` is \'Exists\'',
    );
    expect(errs['spec.tolerations[1].operator'].message).toContain(
      'operator must be Exists when `key` is empty',
    );
    expect(errs['spec.tolerations[2].effect'].message).toBe(
      'Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
    );
  });

  it('rejects bad label keys and values on the pod and in the nodeSelector', () => {
    const p = pod({ nodeSelector: { 'disk/type/x': 'ssd' } });
    p.metadata.labels = { app: 'bad value' };
    const errs = byField(errorsOf(p));
    expect(errs['metadata.labels'].message).toContain(
      'Invalid value: "bad value": a valid label must be an empty string',
    );
    expect(errs['spec.nodeSelector'].message).toContain(
      'Invalid value: "disk/type/x": a qualified name must consist of',
    );
  });
});

describe('pod update validation', () => {
  it('allows changing a container image', () => {
    const old = stored(pod());
    const next = structuredClone(old);
    (next.spec as any).containers[0].image = 'nginx:1.28';
    expect(pods.validateUpdate(next, old)).toEqual([]);
  });

  it('forbids changing anything else, naming what may change', () => {
    const old = stored(pod());
    const next = structuredClone(old);
    (next.spec as any).containers[0].ports[0].containerPort = 81;
    const errs = pods.validateUpdate(next, old);
    expect(errs).toHaveLength(1);
    expect(errs[0].field).toBe('spec');
    expect(errs[0].type).toBe('FieldValueForbidden');
    expect(errs[0].message).toContain(
      'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)',
    );
    expect(errs[0].message).toContain('spec.containers[0].ports[0].containerPort: 80 -> 81');
  });

  it('forbids adding containers', () => {
    const old = stored(pod());
    const next = structuredClone(old);
    (next.spec as any).containers.push({ name: 'side', image: 'busybox' });
    pods.applyDefaults(next);
    expect(byField(pods.validateUpdate(next, old))['spec.containers'].message).toBe(
      'Forbidden: pod updates may not add or remove containers',
    );
  });

  it('allows adding tolerations but not changing existing ones', () => {
    const old = stored(
      pod({
        tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }],
      }),
    );
    const added = structuredClone(old);
    (added.spec as any).tolerations.push({ key: 'b', operator: 'Exists' });
    (added.spec as any).tolerations[0].tolerationSeconds = 20;
    expect(pods.validateUpdate(added, old)).toEqual([]);
    const changed = structuredClone(old);
    (changed.spec as any).tolerations[0].key = 'z';
    expect(byField(pods.validateUpdate(changed, old))['spec.tolerations'].message).toBe(
      'Forbidden: existing toleration can not be modified except its tolerationSeconds',
    );
  });

  it('lets activeDeadlineSeconds shrink but not grow', () => {
    const old = stored(pod({ activeDeadlineSeconds: 100 }));
    const shrink = structuredClone(old);
    (shrink.spec as any).activeDeadlineSeconds = 50;
    expect(pods.validateUpdate(shrink, old)).toEqual([]);
    const grow = structuredClone(old);
    (grow.spec as any).activeDeadlineSeconds = 200;
    expect(byField(pods.validateUpdate(grow, old))['spec.activeDeadlineSeconds'].message).toBe(
      'Invalid value: 200: must be less than or equal to previous value',
    );
  });

  it('keeps name, namespace, uid and creationTimestamp immutable and needs a resourceVersion', () => {
    const old = stored(pod());
    old.metadata.creationTimestamp = '2024-01-01T00:00:00Z';
    const next = structuredClone(old);
    next.metadata.uid = 'u-2';
    next.metadata.creationTimestamp = '2025-01-01T00:00:00Z';
    delete next.metadata.resourceVersion;
    const errs = byField(pods.validateUpdate(next, old));
    expect(errs['metadata.uid'].message).toBe('Invalid value: "u-2": field is immutable');
    expect(errs['metadata.creationTimestamp'].message).toBe(
      'Invalid value: "2025-01-01T00:00:00Z": field is immutable',
    );
    expect(errs['metadata.resourceVersion'].message).toBe(
      'Invalid value: "": must be specified for an update',
    );
  });

  it('does not track generation (Kubernetes 1.32 pods have none) but has status', () => {
    expect(pods.tracksGeneration).toBe(false);
    expect(pods.hasStatus).toBe(true);
  });
});
