import { describe, expect, it } from 'vitest';
import {
  applyJsonPatch,
  type JsonPatchOperation,
  PatchError,
  parsePointer,
} from '../../src/lib/json-patch';

const apply = (doc: unknown, ops: JsonPatchOperation[]) => applyJsonPatch(doc, ops);

describe('applyJsonPatch', () => {
  it('adds an object member and replaces an existing one', () => {
    expect(apply({ a: 1 }, [{ op: 'add', path: '/b', value: 2 }])).toEqual({ a: 1, b: 2 });
    expect(apply({ a: 1 }, [{ op: 'add', path: '/a', value: 3 }])).toEqual({ a: 3 });
  });

  it('inserts into an array at an index, and appends with "-"', () => {
    expect(apply({ xs: [1, 3] }, [{ op: 'add', path: '/xs/1', value: 2 }])).toEqual({
      xs: [1, 2, 3],
    });
    expect(apply({ xs: [1] }, [{ op: 'add', path: '/xs/-', value: 2 }])).toEqual({ xs: [1, 2] });
    expect(apply({ xs: [1] }, [{ op: 'add', path: '/xs/1', value: 2 }])).toEqual({ xs: [1, 2] });
  });

  it('rejects an array index past the end, with a leading zero, or negative', () => {
    expect(() => apply({ xs: [1] }, [{ op: 'add', path: '/xs/2', value: 0 }])).toThrow(
      /out of bounds/,
    );
    expect(() => apply({ xs: [1, 2] }, [{ op: 'replace', path: '/xs/01', value: 0 }])).toThrow(
      /not a valid array index/,
    );
    expect(() => apply({ xs: [1] }, [{ op: 'remove', path: '/xs/-1' }])).toThrow(PatchError);
    expect(() => apply({ xs: [1] }, [{ op: 'remove', path: '/xs/-' }])).toThrow(PatchError);
  });

  it('adds at the root by replacing the whole document', () => {
    expect(apply({ a: 1 }, [{ op: 'add', path: '', value: [1] }])).toEqual([1]);
  });

  it('fails to add under a parent that does not exist', () => {
    expect(() => apply({}, [{ op: 'add', path: '/a/b', value: 1 }])).toThrow(
      'operation 0 (add): path "/a/b" does not exist',
    );
  });

  it('removes object members and array elements', () => {
    expect(apply({ a: 1, b: 2 }, [{ op: 'remove', path: '/a' }])).toEqual({ b: 2 });
    expect(apply({ xs: [1, 2, 3] }, [{ op: 'remove', path: '/xs/1' }])).toEqual({ xs: [1, 3] });
  });

  it('fails to remove or replace a member that does not exist', () => {
    expect(() => apply({}, [{ op: 'remove', path: '/a' }])).toThrow(/does not exist/);
    expect(() => apply({}, [{ op: 'replace', path: '/a', value: 1 }])).toThrow(/does not exist/);
  });

  it('replaces a value, including the whole document', () => {
    expect(apply({ a: { b: 1 } }, [{ op: 'replace', path: '/a/b', value: 'x' }])).toEqual({
      a: { b: 'x' },
    });
    expect(apply({ a: 1 }, [{ op: 'replace', path: '', value: { z: 1 } }])).toEqual({ z: 1 });
  });

  it('moves a value, removing it from its source', () => {
    expect(apply({ a: { x: 1 }, b: {} }, [{ op: 'move', from: '/a/x', path: '/b/y' }])).toEqual({
      a: {},
      b: { y: 1 },
    });
    expect(apply({ xs: [1, 2, 3] }, [{ op: 'move', from: '/xs/0', path: '/xs/-' }])).toEqual({
      xs: [2, 3, 1],
    });
  });

  it('refuses to move a value into its own child', () => {
    expect(() => apply({ a: { b: {} } }, [{ op: 'move', from: '/a', path: '/a/b/c' }])).toThrow(
      /into its own child/,
    );
  });

  it('copies a value deeply, so later ops do not touch the source', () => {
    const out = apply({ a: { x: [1] } }, [
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'add', path: '/b/x/-', value: 2 },
    ]);
    expect(out).toEqual({ a: { x: [1] }, b: { x: [1, 2] } });
  });

  it('passes a test op on deep JSON equality, ignoring member order', () => {
    expect(
      apply({ a: { x: 1, y: [1, { z: null }] } }, [
        { op: 'test', path: '/a', value: { y: [1, { z: null }], x: 1 } },
      ]),
    ).toEqual({
      a: { x: 1, y: [1, { z: null }] },
    });
  });

  it('fails the whole patch when a test op fails', () => {
    expect(() =>
      apply({ a: 1 }, [
        { op: 'replace', path: '/a', value: 2 },
        { op: 'test', path: '/a', value: 1 },
      ]),
    ).toThrow('operation 1 (test): test failed: path "/a" is not 1');
    expect(() => apply({ a: 1 }, [{ op: 'test', path: '/a', value: '1' }])).toThrow(PatchError);
    expect(() => apply({}, [{ op: 'test', path: '/a', value: null }])).toThrow(/does not exist/);
  });

  it('unescapes ~1 as / and ~0 as ~ in pointers', () => {
    const doc = { metadata: { labels: { 'app.kubernetes.io/name': 'web', 'a~b': 'x' } } };
    expect(
      apply(doc, [
        { op: 'replace', path: '/metadata/labels/app.kubernetes.io~1name', value: 'api' },
        { op: 'remove', path: '/metadata/labels/a~0b' },
      ]),
    ).toEqual({ metadata: { labels: { 'app.kubernetes.io/name': 'api' } } });
    expect(parsePointer('/~01')).toEqual(['~1']);
  });

  it('rejects a malformed pointer', () => {
    expect(() => apply({}, [{ op: 'add', path: 'a', value: 1 }])).toThrow(
      /must be empty or start with "\/"/,
    );
    expect(() => apply({}, [{ op: 'add', path: '/a~2', value: 1 }])).toThrow(
      /"~" must be followed by 0 or 1/,
    );
  });

  it('rejects an unknown op and an op missing its value', () => {
    expect(() => applyJsonPatch({}, [{ op: 'merge', path: '/a' }])).toThrow(
      /unsupported op "merge"/,
    );
    expect(() => applyJsonPatch({}, [{ op: 'add', path: '/a' }])).toThrow(/missing "value"/);
    expect(() => applyJsonPatch({}, [{ op: 'copy', path: '/a' }])).toThrow(/missing "from"/);
    expect(() => applyJsonPatch({}, { op: 'add' })).toThrow(/must be an array/);
  });

  it('does not mutate the input document or the patch values', () => {
    const doc = { a: { b: [1, 2] } };
    const value = { c: 1 };
    const snapshot = JSON.stringify(doc);
    const out = apply(doc, [
      { op: 'add', path: '/a/b/-', value: 3 },
      { op: 'add', path: '/v', value },
      { op: 'remove', path: '/a/b/0' },
    ]) as { v: { c: number } };
    out.v.c = 2;
    expect(JSON.stringify(doc)).toBe(snapshot);
    expect(value.c).toBe(1);
  });

  it('does not change the input when a later op fails', () => {
    const doc = { a: 1 };
    expect(() =>
      apply(doc, [
        { op: 'remove', path: '/a' },
        { op: 'remove', path: '/zz' },
      ]),
    ).toThrow(PatchError);
    expect(doc).toEqual({ a: 1 });
  });

  it('treats "__proto__" as an ordinary member name', () => {
    const out = apply({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]) as Record<
      string,
      unknown
    >;
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect((out as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
