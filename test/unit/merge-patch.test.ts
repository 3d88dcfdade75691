import { describe, expect, it } from 'vitest';
import { applyMergePatch, createMergePatch } from '../../src/lib/merge-patch';

// The examples of RFC 7386 appendix A: [target, patch, result].
const rfcExamples: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [
    ['a', 'b'],
    ['c', 'd'],
    ['c', 'd'],
  ],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe('applyMergePatch', () => {
  it.each(rfcExamples)('applies the RFC 7386 example %j + %j', (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });

  it('merges nested labels and deletes one with null', () => {
    const pod = {
      metadata: { name: 'p', labels: { app: 'web', tier: 'fe' } },
      spec: { containers: [{ name: 'c' }] },
    };
    expect(applyMergePatch(pod, { metadata: { labels: { tier: null, env: 'prod' } } })).toEqual({
      metadata: { name: 'p', labels: { app: 'web', env: 'prod' } },
      spec: { containers: [{ name: 'c' }] },
    });
  });

  it('does not mutate the target or the patch, and shares no structure with them', () => {
    const target = { a: { b: 1 }, keep: { deep: [1] } };
    const patch = { a: { c: { d: 2 } } };
    const out = applyMergePatch(target, patch) as {
      a: { c: { d: number } };
      keep: { deep: number[] };
    };
    out.a.c.d = 3;
    out.keep.deep.push(2);
    expect(target).toEqual({ a: { b: 1 }, keep: { deep: [1] } });
    expect(patch).toEqual({ a: { c: { d: 2 } } });
  });

  it('treats "__proto__" as an ordinary member name', () => {
    const out = applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect((out as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('does not read inherited properties as existing members', () => {
    expect(applyMergePatch({}, { constructor: { a: 1 } })).toEqual({ constructor: { a: 1 } });
  });
});

describe('createMergePatch', () => {
  it('is empty when nothing changed', () => {
    expect(createMergePatch({ a: { b: [1] } }, { a: { b: [1] } })).toEqual({});
  });

  it('nulls removed members, adds new ones and recurses into changed objects', () => {
    const original = {
      metadata: { labels: { app: 'web', tier: 'fe' } },
      spec: { replicas: 1, paused: true },
    };
    const modified = {
      metadata: { labels: { app: 'web', env: 'prod' } },
      spec: { replicas: 3, paused: true },
    };
    expect(createMergePatch(original, modified)).toEqual({
      metadata: { labels: { tier: null, env: 'prod' } },
      spec: { replicas: 3 },
    });
  });

  it('replaces arrays wholesale', () => {
    expect(createMergePatch({ xs: [1, 2] }, { xs: [1, 2, 3] })).toEqual({ xs: [1, 2, 3] });
  });

  it('replaces when either side is not an object', () => {
    expect(createMergePatch({ a: 1 }, [1])).toEqual([1]);
    expect(createMergePatch('x', { a: 1 })).toEqual({ a: 1 });
    expect(createMergePatch({ a: { b: 1 } }, { a: 'flat' })).toEqual({ a: 'flat' });
  });

  it('round-trips: applying the created patch to the original gives the modified document', () => {
    const pairs: [unknown, unknown][] = [
      [
        { a: 1, b: { c: 2, d: [1] } },
        { b: { c: 3, e: 'x' }, f: true },
      ],
      [
        { spec: { template: { metadata: { labels: { a: 'b' } } } } },
        { spec: { template: { metadata: {} } } },
      ],
      [{}, { a: { b: { c: 1 } } }],
    ];
    for (const [original, modified] of pairs) {
      expect(applyMergePatch(original, createMergePatch(original, modified))).toEqual(modified);
    }
  });
});
