// CEL rules of CRD schemas (x-kubernetes-validations): self, oldSelf transition rules, messages,
// reasons and field paths, and compile errors reported on the CRD.
import { describe, expect, it } from 'vitest';
import type { JSONSchemaProps } from '../../src/api/crd';
import { ruleCompileErrors, validateRules } from '../../src/registry/crd/cel';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        {
          rule: 'self.minReplicas <= self.replicas',
          message: 'replicas must be at least minReplicas',
        },
        { rule: 'self.replicas >= oldSelf.replicas', message: 'replicas may not shrink' },
        {
          rule: "!has(self.mode) || self.mode.startsWith('x')",
          reason: 'FieldValueForbidden',
          fieldPath: '.mode',
          messageExpression: "'mode ' + self.mode + ' is not allowed'",
        } as never,
      ],
      properties: {
        replicas: { type: 'integer' },
        minReplicas: { type: 'integer' },
        mode: { type: 'string' },
        tags: {
          type: 'array',
          items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() <= 3' }] },
        },
      },
    },
  },
};

const msgs = (errs: { field: string; message: string }[]) =>
  errs.map((e) => `${e.field}: ${e.message}`);

describe('CEL validation rules', () => {
  it('reports each failing rule at its node, worded as upstream', () => {
    expect(
      msgs(
        validateRules(
          { spec: { replicas: 1, minReplicas: 2, mode: 'y', tags: ['ok', 'long'] } },
          undefined,
          schema,
        ),
      ),
    ).toEqual([
      'spec: Invalid value: "object": replicas must be at least minReplicas',
      'spec.mode: Forbidden: mode y is not allowed',
      'spec.tags[1]: Invalid value: "string": failed rule: self.size() <= 3',
    ]);
    expect(
      validateRules({ spec: { replicas: 3, minReplicas: 2, mode: 'xy' } }, undefined, schema),
    ).toEqual([]);
  });

  it('runs transition rules only against a stored value', () => {
    const next = { spec: { replicas: 2, minReplicas: 1 } };
    expect(validateRules(next, undefined, schema)).toEqual([]);
    expect(msgs(validateRules(next, { spec: { replicas: 5, minReplicas: 1 } }, schema))).toEqual([
      'spec: Invalid value: "object": replicas may not shrink',
    ]);
  });

  it('reports rules that do not compile on the CRD', () => {
    const bad: JSONSchemaProps = {
      type: 'object',
      properties: { spec: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a ==' }] } },
    };
    const errs = ruleCompileErrors(bad, 'spec.versions[0].schema.openAPIV3Schema');
    expect(errs).toHaveLength(1);
    expect(errs[0].field).toBe(
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule',
    );
    expect(errs[0].message).toMatch(/^Invalid value: "self.a ==": compilation failed: /);
  });
});
