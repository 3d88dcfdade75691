// Structural schemas of custom resources: pruning, defaulting and validation with every error
// collected, worded as the apiextensions apiserver words them; JSONPath for printer columns.
import { describe, expect, it } from 'vitest';
import type { JSONSchemaProps } from '../../src/api/crd';
import { evalJsonPath, parseJsonPath } from '../../src/lib/jsonpath';
import { applyDefaults, prune, validateSchema } from '../../src/registry/crd/structural';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size', 'mode'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 10 },
        ratio: { type: 'number', exclusiveMaximum: true, maximum: 1 },
        mode: { type: 'string', enum: ['fast', 'slow'] },
        name: { type: 'string', pattern: '^[a-z]+$', minLength: 2, maxLength: 5 },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', maxItems: 2, items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        nested: {
          type: 'object',
          default: {},
          properties: {
            level: { type: 'integer', default: 3 },
            note: { type: 'string', nullable: true },
          },
        },
        items: {
          type: 'array',
          items: { type: 'object', properties: { k: { type: 'string', default: 'x' } } },
        },
      },
    },
  },
};

describe('custom resource schemas', () => {
  it('collects every error in one pass, worded as upstream', () => {
    const errs = validateSchema(
      {
        apiVersion: 'x/v1',
        kind: 'X',
        metadata: { name: 'a' },
        spec: {
          size: 'big',
          ratio: 1,
          name: 'AB',
          port: 1.5,
          tags: ['a', 'b', 'c'],
          labels: { a: 1 },
          mode: 'medium',
        },
      },
      schema,
    );
    expect(errs.map((e) => `${e.field}: ${e.message}`)).toEqual([
      'spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"',
      'spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1',
      'spec.name: Invalid value: "AB": spec.name in body should match \'^[a-z]+$\'',
      'spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number"',
      'spec.tags: Too many: 3: must have at most 2 items',
      'spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"',
      'spec.mode: Unsupported value: "medium": supported values: "fast", "slow"',
    ]);
    expect(errs.map((e) => e.type)).toContain('FieldValueTypeInvalid');
    expect(
      validateSchema({ spec: { mode: 'fast', size: 0, name: 'abcdef' } }, schema).map(
        (e) => `${e.field}: ${e.message}`,
      ),
    ).toEqual([
      'spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1',
      'spec.name: Too long: may not be more than 5 bytes',
    ]);
    expect(validateSchema({ spec: {} }, schema).map((e) => `${e.field}: ${e.message}`)).toEqual([
      'spec.size: Required value',
      'spec.mode: Required value',
    ]);
  });

  it('refuses duplicates in set lists and duplicate keys in map lists', () => {
    const lists: JSONSchemaProps = {
      type: 'object',
      properties: {
        set: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        map: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, v: { type: 'integer' } },
          },
        },
      },
    };
    expect(
      validateSchema(
        {
          set: ['a', 'b', 'a'],
          map: [
            { name: 'x', v: 1 },
            { name: 'x', v: 2 },
          ],
        },
        lists,
      ).map((e) => `${e.field}: ${e.message}`),
    ).toEqual([
      'set[2]: Duplicate value: "a"',
      'map[1]: Duplicate value: map[string]interface {}{"name":"x"}',
    ]);
  });

  it('accepts int-or-string both ways, nullable nulls, and anything under preserve-unknown-fields', () => {
    for (const port of [80, 'http'])
      expect(
        validateSchema(
          {
            spec: {
              size: 1,
              mode: 'fast',
              port,
              nested: { note: null },
              free: { a: [1, { b: 2 }] },
            },
          },
          schema,
        ),
      ).toEqual([]);
  });

  it('prunes unknown fields except under preserve-unknown-fields, and keeps the root metadata', () => {
    const obj = {
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'a', labels: { l: 'v' } },
      spec: { size: 1, bogus: true, free: { anything: { goes: 1 } }, items: [{ k: 'a', z: 1 }] },
      status: { dropped: 1 },
    };
    const pruned = prune(obj, schema);
    expect(pruned.map((p) => p.path)).toEqual(['spec.bogus', 'spec.items[0].z', 'status']);
    expect(obj).toEqual({
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'a', labels: { l: 'v' } },
      spec: { size: 1, free: { anything: { goes: 1 } }, items: [{ k: 'a' }] },
    });
  });

  it('defaults absent fields, inside defaulted objects and array items too', () => {
    const obj = { spec: { size: 1, items: [{}, { k: 'b' }] } };
    applyDefaults(obj, schema);
    expect(obj.spec).toEqual({ size: 1, nested: { level: 3 }, items: [{ k: 'x' }, { k: 'b' }] });
  });

  it('evaluates printer-column JSONPaths: fields, indexes, wildcards and filters', () => {
    const o = {
      spec: { 'a.b': 1, list: [{ n: 1 }, { n: 2 }] },
      status: {
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'Other', status: 'False' },
        ],
      },
    };
    const at = (p: string) => evalJsonPath(parseJsonPath(p), o);
    expect(at('.status.conditions[?(@.type=="Ready")].status')).toEqual(['True']);
    expect(at(".spec['a.b']")).toEqual([1]);
    expect(at('.spec.list[1].n')).toEqual([2]);
    expect(at('{.spec.list[*].n}')).toEqual([1, 2]);
    expect(at('.spec.missing')).toEqual([]);
    expect(() => parseJsonPath('.spec..x[')).toThrow();
  });
});
