// CEL rules are compiled against the schema's declared types at CRD write (unknown fields and
// type errors refused, as upstream), their cost is estimated from the schema's bounds (unbounded
// lists with expensive rules refused), and a runtime budget stops runaway evaluation.
import { describe, expect, it } from 'vitest';
import type { JSONSchemaProps } from '../../src/api/crd';
import { ruleCompileErrors, validateRules } from '../../src/registry/crd/cel';

const ROOT = 'spec.versions[0].schema.openAPIV3Schema';
const lines = (errs: { field: string; message: string }[]) =>
  errs.map((e) => `${e.field}: ${e.message}`);

const withSpecRule = (rule: string, spec: JSONSchemaProps): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: { ...spec, 'x-kubernetes-validations': [{ rule }] } },
});

const spec: JSONSchemaProps = {
  type: 'object',
  properties: {
    replicas: { type: 'integer' },
    name: { type: 'string', maxLength: 63 },
    'max-surge': { type: 'integer' },
    ports: {
      type: 'array',
      maxItems: 8,
      items: { type: 'object', properties: { port: { type: 'integer' } } },
    },
    labels: {
      type: 'object',
      maxProperties: 8,
      additionalProperties: { type: 'string', maxLength: 63 },
    },
    anything: { 'x-kubernetes-int-or-string': true },
  },
};

describe('CEL rules type-checked against the schema', () => {
  it('accepts rules that use declared fields with their types', () => {
    for (const rule of [
      'self.replicas >= 0',
      'self.name.startsWith("a") && size(self.name) < 10',
      'self.max__dash__surge <= self.replicas',
      'self.ports.all(p, p.port > 0 && p.port < 65536)',
      'self.labels.all(k, self.labels[k].size() > 0)',
      'has(self.anything) ? self.anything == 1 || self.anything == "x" : true',
      'self == oldSelf',
      '!has(self.name) || self.name.matches("^[a-z]+$")',
    ])
      expect(ruleCompileErrors(withSpecRule(rule, spec), ROOT), rule).toEqual([]);
  });

  it('refuses a field the schema does not declare and a type error, naming the rule', () => {
    expect(lines(ruleCompileErrors(withSpecRule('self.replicaz > 1', spec), ROOT))).toEqual([
      `${ROOT}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: "self.replicaz > 1": compilation failed: ERROR: <input>:1:5: undefined field 'replicaz'`,
    ]);
    const [typeErr] = ruleCompileErrors(withSpecRule('self.name + 1 == "a"', spec), ROOT);
    expect(typeErr!.message).toMatch(
      /compilation failed: ERROR: <input>:1:1: no such overload: string \+ int/,
    );
    const [notBool] = ruleCompileErrors(withSpecRule('self.replicas + 1', spec), ROOT);
    expect(notBool!.message).toMatch(/compilation failed: cel expression must evaluate to a bool/);
    const [deep] = ruleCompileErrors(withSpecRule('self.ports[0].host == "x"', spec), ROOT);
    expect(deep!.message).toMatch(/undefined field 'host'/);
  });

  it('types rules below a nullable object (dyn) by their own node', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          nullable: true,
          properties: {
            inner: {
              type: 'object',
              properties: { n: { type: 'integer' } },
              'x-kubernetes-validations': [{ rule: 'self.n > 0' }],
            },
          },
        },
      },
    };
    expect(ruleCompileErrors(s, ROOT)).toEqual([]);
    expect(validateRules({ spec: { inner: { n: 1 } } }, undefined, s)).toEqual([]);
    expect(validateRules({ spec: { inner: { n: 0 } } }, undefined, s)).toHaveLength(1);
    const typo = structuredClone(s);
    typo.properties!.spec!.properties!.inner!['x-kubernetes-validations'] = [
      { rule: 'self.m > 0' },
    ];
    expect(ruleCompileErrors(typo, ROOT)[0]!.message).toMatch(/undefined field 'm'/);
  });

  it("checks that a rule's fieldPath names a field below its node", () => {
    const at = (fieldPath: string) =>
      lines(
        ruleCompileErrors(
          {
            type: 'object',
            properties: {
              spec: { ...spec, 'x-kubernetes-validations': [{ rule: 'true', fieldPath } as never] },
            },
          },
          ROOT,
        ),
      );
    const f = `${ROOT}.properties[spec].x-kubernetes-validations[0].fieldPath`;
    expect(at('.replicas')).toEqual([]);
    expect(at(".labels['a.b']")).toEqual([]);
    expect(at('.max-surge')).toEqual([]);
    expect(at('.nope')).toEqual([
      `${f}: Invalid value: ".nope": fieldPath must be a valid path: does not refer to a valid field`,
    ]);
    expect(at('.ports[0]')).toEqual([
      `${f}: Invalid value: ".ports[0]": fieldPath must be a valid path: expected single quoted string but got 0`,
    ]);
    expect(at('  ')).toEqual([
      `${f}: Invalid value: "  ": fieldPath must be non-empty if specified`,
    ]);
  });

  it('types the root as an object with apiVersion, kind and metadata.name', () => {
    const root: JSONSchemaProps = {
      type: 'object',
      'x-kubernetes-validations': [{ rule: 'self.metadata.name.size() < 20 && self.kind != ""' }],
      properties: { spec },
    };
    expect(ruleCompileErrors(root, ROOT)).toEqual([]);
    const bad = { ...root, 'x-kubernetes-validations': [{ rule: 'self.metadata.uid != ""' }] };
    expect(ruleCompileErrors(bad, ROOT)[0]!.message).toMatch(/undefined field 'uid'/);
    expect(
      lines(
        validateRules({ kind: 'W', metadata: { name: 'x'.repeat(30), uid: 'u' } }, undefined, root),
      ),
    ).toEqual(
      [
        'Invalid value: "object": failed rule: self.metadata.name.size() < 20 && self.kind != ""',
      ].map((m) => `: ${m}`),
    );
  });

  it('evaluates typed values: integers, escaped names, map lists and object equality', () => {
    const s = withSpecRule('self.max__dash__surge <= self.replicas', spec);
    expect(validateRules({ spec: { replicas: 2, 'max-surge': 1 } }, undefined, s)).toEqual([]);
    expect(lines(validateRules({ spec: { replicas: 2, 'max-surge': 3 } }, undefined, s))).toEqual([
      'spec: Invalid value: "object": failed rule: self.max__dash__surge <= self.replicas',
    ]);
    const immutable = withSpecRule('self == oldSelf', spec);
    const v = { spec: { replicas: 1, ports: [{ port: 80 }], labels: { a: 'b' } } };
    expect(validateRules(v, structuredClone(v), immutable)).toEqual([]);
    expect(
      validateRules(v, { spec: { ...v.spec, ports: [{ port: 81 }] } }, immutable),
    ).toHaveLength(1);
    // An absent field read without has() is an evaluation error, worded as upstream.
    expect(
      lines(validateRules({ spec: {} }, undefined, withSpecRule('self.replicas > 0', spec))),
    ).toEqual([
      'spec: Invalid value: "object": No such key: replicas evaluating rule: self.replicas > 0',
    ]);
  });
});

describe('CEL cost', () => {
  const list = (bounded: boolean): JSONSchemaProps => ({
    type: 'array',
    ...(bounded ? { maxItems: 10 } : {}),
    items: { type: 'string', ...(bounded ? { maxLength: 64 } : {}) },
  });

  it('refuses an expensive rule over an unbounded list, and accepts it once bounded', () => {
    const rule = 'self.all(x, self.exists(y, x.contains(y)))';
    const errs = lines(ruleCompileErrors(withSpecRule(rule, list(false)), ROOT));
    expect(errs[0]).toBe(
      `${ROOT}.properties[spec].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`,
    );
    expect(errs).toContain(
      `${ROOT}: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`,
    );
    expect(ruleCompileErrors(withSpecRule(rule, list(true)), ROOT)).toEqual([]);
  });

  it('multiplies a rule on items by the times it can run', () => {
    const items = (maxItems?: number): JSONSchemaProps => ({
      type: 'object',
      properties: {
        spec: {
          type: 'array',
          ...(maxItems ? { maxItems } : {}),
          items: {
            type: 'string',
            maxLength: 4096,
            'x-kubernetes-validations': [{ rule: 'self.contains("keyword")' }],
          },
        },
      },
    });
    expect(lines(ruleCompileErrors(items(), ROOT))).toContain(
      `${ROOT}.properties[spec].items.x-kubernetes-validations[0].rule: Forbidden: contributed to estimated rule & messageExpression cost total exceeding cost limit for entire OpenAPIv3 schema`,
    );
    expect(ruleCompileErrors(items(100), ROOT)).toEqual([]);
  });

  it("stops when one object's rules together spend the runtime budget", () => {
    // Each rule costs about 480,000 (400 × 400 × 3 nodes) (under the per-call limit); 25 of them pass 10,000,000.
    const rules = Array.from({ length: 25 }, (_, i) => ({
      rule: `self.all(x, self.all(y, ${i} >= 0))`,
    }));
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: { type: 'array', items: { type: 'integer' }, 'x-kubernetes-validations': rules },
      },
    };
    const errs = lines(
      validateRules({ spec: Array.from({ length: 400 }, (_, i) => i) }, undefined, s),
    );
    expect(errs).toEqual([
      'spec: Invalid value: "array": validation failed due to running out of cost budget, no further validation rules will be run',
    ]);
  });

  it('stops at a rule that spends its per-call limit', () => {
    const quadratic: JSONSchemaProps = withSpecRule('self.all(x, self.all(y, x <= y || x > y))', {
      type: 'array',
      items: { type: 'integer' },
    });
    const start = Date.now();
    const errs = lines(
      validateRules({ spec: Array.from({ length: 2000 }, (_, i) => i) }, undefined, quadratic),
    );
    expect(errs).toEqual([
      `spec: Invalid value: "array": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: self.all(x, self.all(y, x <= y || x > y))`,
    ]);
    expect(Date.now() - start).toBeLessThan(5000);
  });
});

describe('formats as CEL types', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        'x-kubernetes-validations': [
          { rule: 'self.start < self.end' },
          { rule: 'self.timeout <= duration("1h") && self.timeout > duration("0s")' },
          { rule: 'self.end - self.start >= self.timeout' },
        ],
        properties: {
          start: { type: 'string', format: 'date-time' },
          end: { type: 'string', format: 'date-time' },
          timeout: { type: 'string', format: 'duration' },
        },
      },
    },
  };

  it('types date-time strings as timestamps and duration strings as durations', () => {
    expect(ruleCompileErrors(s, ROOT)).toEqual([]);
    const ok = { start: '2026-01-01T00:00:00Z', end: '2026-01-01T02:00:00Z', timeout: '1h' };
    expect(validateRules({ spec: ok }, undefined, s)).toEqual([]);
    const bad = { start: '2026-01-01T00:00:00Z', end: '2026-01-01T00:30:00Z', timeout: '1h30m' };
    expect(lines(validateRules({ spec: bad }, undefined, s))).toEqual([
      'spec: Invalid value: "object": failed rule: self.timeout <= duration("1h") && self.timeout > duration("0s")',
      'spec: Invalid value: "object": failed rule: self.end - self.start >= self.timeout',
    ]);
    const [err] = ruleCompileErrors(
      {
        type: 'object',
        properties: {
          t: {
            ...s.properties!.spec!.properties!.start!,
            'x-kubernetes-validations': [{ rule: 'self.startsWith("2")' }],
          },
        },
      },
      ROOT,
    );
    expect(err!.message).toMatch(/found no matching overload/);
  });

  it('compares timestamps by value in object equality (self == oldSelf)', () => {
    const immutable: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: { ...s.properties!.spec!, 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] },
      },
    };
    const v = {
      spec: { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z', timeout: '1h' },
    };
    expect(validateRules(v, structuredClone(v), immutable)).toEqual([]);
    expect(
      validateRules(v, { spec: { ...v.spec, start: '2025-01-01T00:00:00Z' } }, immutable),
    ).toHaveLength(1);
    expect(validateRules(v, { spec: { ...v.spec, timeout: '2h' } }, immutable)).toHaveLength(1);
  });
});
