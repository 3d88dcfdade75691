// Deployment and ReplicaSet validation: every error in one pass, with Kubernetes' paths and wording.
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/api/types';
import type { FieldError } from '../../src/registry/field-errors';
import { strategyFor } from '../../src/registry/strategies';

const deployments = strategyFor('apps', 'deployments');
const replicasets = strategyFor('apps', 'replicasets');

function deployment(overrides: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }],
        },
      },
      ...overrides,
    },
  };
}

function errorsOf(obj: KObject): FieldError[] {
  deployments.applyDefaults(obj);
  return deployments.validate(obj);
}

const byField = (errs: FieldError[]) => Object.fromEntries(errs.map((e) => [e.field, e]));

describe('deployment validation', () => {
  it('accepts a minimal deployment once defaulted', () => {
    expect(errorsOf(deployment())).toEqual([]);
  });

  it('reports every problem of a bad deployment at once, each on its Kubernetes path', () => {
    const bad = deployment({
      replicas: -1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'other' } },
        spec: {
          containers: [
            {
              name: 'web',
              ports: [{ containerPort: 70000 }],
              resources: { requests: { cpu: '2' }, limits: { cpu: '1' } },
            },
          ],
        },
      },
    });
    bad.metadata.name = 'Bad_Name';
    const list = errorsOf(bad);
    const errs = byField(list);
    expect(list).toHaveLength(7);

    expect(errs['metadata.name'].message).toContain(
      'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of',
    );
    expect(errs['spec.replicas'].message).toBe(
      'Invalid value: -1: must be greater than or equal to 0',
    );
    expect(errs['spec.template.metadata.labels'].message).toBe(
      'Invalid value: {"app":"other"}: `selector` does not match template `labels`',
    );
    expect(errs['spec.template.spec.containers[0].image']).toEqual({
      type: 'FieldValueRequired',
      field: 'spec.template.spec.containers[0].image',
      message: 'Required value',
    });
    expect(errs['spec.template.spec.containers[0].ports[0].containerPort'].message).toBe(
      'Invalid value: 70000: must be between 1 and 65535, inclusive',
    );
    expect(errs['spec.template.spec.containers[0].resources.requests'].message).toBe(
      'Invalid value: "2": must be less than or equal to cpu limit of 1',
    );
    expect(errs['spec.strategy.rollingUpdate.maxUnavailable'].message).toBe(
      'Invalid value: 0: may not be 0 when `maxSurge` is 0',
    );
    expect(Object.keys(errs).sort()).toEqual([
      'metadata.name',
      'spec.replicas',
      'spec.strategy.rollingUpdate.maxUnavailable',
      'spec.template.metadata.labels',
      'spec.template.spec.containers[0].image',
      'spec.template.spec.containers[0].ports[0].containerPort',
      'spec.template.spec.containers[0].resources.requests',
    ]);
  });

  it('requires a non-empty selector', () => {
    const missing = byField(errorsOf(deployment({ selector: undefined })));
    expect(missing['spec.selector'].message).toBe('Required value');
    const empty = byField(errorsOf(deployment({ selector: {} })));
    expect(empty['spec.selector'].message).toBe(
      'Invalid value: {}: empty selector is invalid for deployment',
    );
  });

  it('allows only Always as the template restart policy', () => {
    const d = deployment();
    (d.spec as any).template.spec.restartPolicy = 'Never';
    expect(byField(errorsOf(d))['spec.template.spec.restartPolicy'].message).toBe(
      'Unsupported value: "Never": supported values: "Always"',
    );
  });

  it('rejects maxUnavailable above 100% and malformed percentages', () => {
    const errs = byField(
      errorsOf(
        deployment({
          strategy: {
            type: 'RollingUpdate',
            rollingUpdate: { maxUnavailable: '110%', maxSurge: '2x' },
          },
        }),
      ),
    );
    expect(errs['spec.strategy.rollingUpdate.maxUnavailable'].message).toBe(
      'Invalid value: "110%": must not be greater than 100%',
    );
    expect(errs['spec.strategy.rollingUpdate.maxSurge'].message).toContain(
      "a valid percent string must be a numeric string followed by an ending '%'",
    );
  });

  it('rejects an unknown strategy type, a negative history limit and a deadline within minReadySeconds', () => {
    const errs = byField(
      errorsOf(
        deployment({
          strategy: { type: 'BlueGreen' },
          revisionHistoryLimit: -2,
          minReadySeconds: 700,
        }),
      ),
    );
    expect(errs['spec.strategy'].message).toBe(
      'Unsupported value: {"type":"BlueGreen"}: supported values: "Recreate", "RollingUpdate"',
    );
    expect(errs['spec.revisionHistoryLimit'].message).toBe(
      'Invalid value: -2: must be greater than or equal to 0',
    );
    expect(errs['spec.progressDeadlineSeconds'].message).toBe(
      'Invalid value: 600: must be greater than minReadySeconds',
    );
  });

  it('keeps the selector immutable on update', () => {
    const old = deployment();
    deployments.applyDefaults(old);
    old.metadata.resourceVersion = '5';
    const next = structuredClone(old);
    (next.spec as any).selector = { matchLabels: { app: 'web', tier: 'front' } };
    (next.spec as any).template.metadata.labels = { app: 'web', tier: 'front' };
    const errs = deployments.validateUpdate(next, old);
    expect(errs).toEqual([
      {
        type: 'FieldValueInvalid',
        field: 'spec.selector',
        message: 'Invalid value: {"matchLabels":{"app":"web","tier":"front"}}: field is immutable',
      },
    ]);
  });

  it('lets an update change replicas and the template', () => {
    const old = deployment();
    deployments.applyDefaults(old);
    old.metadata.resourceVersion = '5';
    const next = structuredClone(old);
    (next.spec as any).replicas = 5;
    (next.spec as any).template.spec.containers[0].image = 'nginx:1.28';
    expect(deployments.validateUpdate(next, old)).toEqual([]);
  });

  it('tracks generation and has a status subresource', () => {
    expect(deployments.tracksGeneration).toBe(true);
    expect(deployments.hasStatus).toBe(true);
  });
});

describe('replicaset validation', () => {
  it('shares the selector rules, upstream wording included', () => {
    const rs: KObject = {
      metadata: { name: 'web-1', namespace: 'default' },
      spec: { selector: {}, template: deployment().spec && (deployment().spec as any).template },
    };
    replicasets.applyDefaults(rs);
    const errs = byField(replicasets.validate(rs));
    expect(errs['spec.selector'].message).toBe(
      'Invalid value: {}: empty selector is invalid for deployment',
    );
  });

  it('rejects activeDeadlineSeconds in the template', () => {
    const rs: KObject = {
      metadata: { name: 'web-1', namespace: 'default' },
      spec: deployment().spec as any,
    };
    delete (rs.spec as any).strategy;
    (rs.spec as any).template.spec.activeDeadlineSeconds = 30;
    replicasets.applyDefaults(rs);
    expect(
      byField(replicasets.validate(rs))['spec.template.spec.activeDeadlineSeconds'].message,
    ).toBe('Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported');
  });
});
