import { describe, expect, it } from 'vitest';
import {
  labelSelectorToString,
  parseLabelSelector,
  SelectorParseError,
  selectorFromLabelSelector,
  selectorFromSet,
} from '../../src/lib/labels';

const matches = (sel: string, labels: Record<string, string>) =>
  parseLabelSelector(sel).matches(labels);

describe('parseLabelSelector', () => {
  it.each([
    'x=a,y=b,z=c',
    '',
    'x!=a,y=b',
    'x=',
    'x= ',
    'x=,z= ',
    'x= ,z= ',
    '!x',
    'x>1',
    'x>1,z<5',
  ])('accepts %j and prints it back without spaces', (s) => {
    expect(parseLabelSelector(s).toString()).toBe(s.replace(/ /g, ''));
  });

  it.each([
    'x=a||y=b',
    'x==a==b',
    '!x=a',
    'x<a',
    'x in',
    'x in (a',
    'x notin a',
    ',x',
    'x,',
    'x=a,,y=b',
    '=a',
    'x in (a b)',
  ])('rejects %j', (s) => {
    expect(() => parseLabelSelector(s)).toThrow(SelectorParseError);
  });

  it('prints requirements sorted by key, whatever order they were written in', () => {
    expect(parseLabelSelector('x=a,a=x').toString()).toBe('a=x,x=a');
    expect(parseLabelSelector('tier in (b,a),app=web').toString()).toBe('app=web,tier in (a,b)');
  });

  it('tolerates spaces, tabs and newlines between tokens', () => {
    expect(parseLabelSelector('foo  in\t (abc)').toString()).toBe('foo in (abc)');
    expect(parseLabelSelector('x notin\n (abc)').toString()).toBe('x notin (abc)');
    expect(parseLabelSelector('\rx').toString()).toBe('x');
    expect(parseLabelSelector(' app = web , tier != db ').toString()).toBe('app=web,tier!=db');
  });

  it('keeps == distinct from = when printing', () => {
    expect(parseLabelSelector('a==b').toString()).toBe('a==b');
  });

  it('reads empty entries in a value set as the empty value', () => {
    expect(parseLabelSelector('x in (abc,)').toString()).toBe('x in (,abc)');
    expect(parseLabelSelector('x in ()').toString()).toBe('x in ()');
    expect(parseLabelSelector('x notin (abc,,def),bar,z in (),w').toString()).toBe(
      'bar,w,x notin (,abc,def),z in ()',
    );
  });

  it('treats in and notin as plain words where a value or key belongs', () => {
    expect(matches('notin=in', { notin: 'in' })).toBe(true);
    expect(matches('x in (in,notin)', { x: 'notin' })).toBe(true);
  });

  it('accepts DNS-prefixed keys and dotted values', () => {
    const sel = parseLabelSelector('0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)');
    expect(sel.toString()).toBe('0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)');
    expect(
      parseLabelSelector('this-is-a-dns.domain.com/key-with-dash').matches({
        'this-is-a-dns.domain.com/key-with-dash': '',
      }),
    ).toBe(true);
  });

  it('rejects an invalid label key and says why', () => {
    expect(() => parseLabelSelector('-app=web')).toThrow(
      /unable to parse requirement: key: Invalid value: "-app": name part must consist of/,
    );
    expect(() => parseLabelSelector('a/b/c')).toThrow(/a qualified name must consist of/);
  });

  it('rejects a label value longer than 63 characters', () => {
    expect(() => parseLabelSelector(`app=${'a'.repeat(64)}`)).toThrow(
      /values\[0\]\[app\]: .*must be no more than 63 characters/,
    );
    expect(parseLabelSelector(`app=${'a'.repeat(63)}`).empty).toBe(false);
  });

  it('rejects a label value that does not start with an alphanumeric', () => {
    expect(() => parseLabelSelector('app=-web')).toThrow(
      /a valid label must be an empty string or consist of/,
    );
  });

  it('rejects a non-integer bound for > and <', () => {
    expect(() => parseLabelSelector('x>a')).toThrow(/the value must be an integer/);
  });

  it('names the unexpected token when the syntax is wrong', () => {
    expect(() => parseLabelSelector('x=a y=b')).toThrow(
      "found 'y', expected: ',' or 'end of string'",
    );
    expect(() => parseLabelSelector('x=a,')).toThrow("found '', expected: identifier after ','");
    expect(() => parseLabelSelector('x in a')).toThrow(
      "unable to parse requirement: found 'a' expected: '('",
    );
  });

  it('the empty selector is empty and matches everything', () => {
    const sel = parseLabelSelector('');
    expect(sel.empty).toBe(true);
    expect(sel.matches({ x: 'y' })).toBe(true);
    expect(sel.matches(undefined)).toBe(true);
  });
});

describe('label selector matching', () => {
  it.each([
    ['x=y', { x: 'y' }],
    ['x=y,z=w', { x: 'y', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'a' }],
    ['x', { x: 'z' }],
    ['!x', { y: 'z' }],
    ['x>1', { x: '2' }],
    ['x<1', { x: '0' }],
    ['x in (a,b)', { x: 'b' }],
    ['x notin (a,b)', { x: 'c' }],
    ['x notin (a)', {}],
    ['x!=a', {}],
    ['x=', { x: '' }],
  ])('%j matches %j', (sel, labels) => {
    expect(matches(sel, labels)).toBe(true);
  });

  it.each([
    ['x=z', {}],
    ['x=y', { x: 'z' }],
    ['x=y,z=w', { x: 'w', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'w' }],
    ['x', { y: 'z' }],
    ['!x', { x: 'z' }],
    ['x>1', { x: '0' }],
    ['x<1', { x: '2' }],
    ['x>1', { x: 'v2' }],
    ['x>1', {}],
    ['x in (a,b)', {}],
    ['x in ()', { y: 'baz' }],
    ['x=', {}],
  ])('%j does not match %j', (sel, labels) => {
    expect(matches(sel, labels)).toBe(false);
  });

  it('does not see inherited object properties as labels', () => {
    expect(matches('constructor', {})).toBe(false);
    expect(matches('!toString', {})).toBe(true);
  });

  it('reports the value a selector pins a key to', () => {
    const sel = parseLabelSelector('app=web,tier in (fe),env in (a,b),x!=y');
    expect(sel.requiresExactMatch('app')).toBe('web');
    expect(sel.requiresExactMatch('tier')).toBe('fe');
    expect(sel.requiresExactMatch('env')).toBeUndefined();
    expect(sel.requiresExactMatch('x')).toBeUndefined();
  });
});

describe('selectorFromLabelSelector', () => {
  it('selects nothing for a null or missing selector', () => {
    for (const ls of [null, undefined]) {
      const sel = selectorFromLabelSelector(ls);
      expect(sel.matches({ a: 'b' })).toBe(false);
      expect(sel.matches({})).toBe(false);
      expect(sel.empty).toBe(false);
      expect(sel.toString()).toBe('');
    }
  });

  it('selects everything for an empty selector', () => {
    for (const ls of [{}, { matchLabels: {}, matchExpressions: [] }]) {
      const sel = selectorFromLabelSelector(ls);
      expect(sel.empty).toBe(true);
      expect(sel.matches({ a: 'b' })).toBe(true);
    }
  });

  it('ANDs matchLabels with matchExpressions', () => {
    const sel = selectorFromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['fe', 'be'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(sel.toString()).toBe('app=web,env notin (prod),!legacy,team,tier in (be,fe)');
    expect(sel.matches({ app: 'web', tier: 'fe', team: 'x' })).toBe(true);
    expect(sel.matches({ app: 'web', tier: 'fe', team: 'x', env: 'prod' })).toBe(false);
    expect(sel.matches({ app: 'web', tier: 'fe', team: 'x', legacy: 'y' })).toBe(false);
    expect(sel.matches({ app: 'web', tier: 'fe' })).toBe(false);
  });

  it('rejects In with no values', () => {
    expect(() =>
      selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    ).toThrow("values set can't be empty");
  });

  it('rejects Exists with values', () => {
    expect(() =>
      selectorFromLabelSelector({
        matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }],
      }),
    ).toThrow('values set must be empty for exists and does not exist');
  });

  it('rejects an unknown operator', () => {
    const ls = { matchExpressions: [{ key: 'a', operator: 'Gt' as 'In', values: ['1'] }] };
    expect(() => selectorFromLabelSelector(ls)).toThrow(
      '"Gt" is not a valid label selector operator',
    );
  });

  it('rejects an invalid matchLabels value', () => {
    expect(() => selectorFromLabelSelector({ matchLabels: { app: 'a b' } })).toThrow(
      SelectorParseError,
    );
  });
});

describe('labelSelectorToString', () => {
  it('prints <none> for a missing or empty selector', () => {
    expect(labelSelectorToString(undefined)).toBe('<none>');
    expect(labelSelectorToString({})).toBe('<none>');
  });

  it('prints the canonical form kubectl shows in SELECTOR columns', () => {
    expect(
      labelSelectorToString({
        matchLabels: { tier: 'x', app: 'web' },
        matchExpressions: [{ key: 'b', operator: 'In', values: ['z', 'y'] }],
      }),
    ).toBe('app=web,b in (y,z),tier=x');
  });

  it('prints <error> for a selector that does not validate', () => {
    expect(labelSelectorToString({ matchExpressions: [{ key: 'a', operator: 'In' }] })).toBe(
      '<error>',
    );
  });
});

describe('selectorFromSet', () => {
  it('matches labels that hold every pair, and everything when the set is empty', () => {
    expect(selectorFromSet({ app: 'web' }).matches({ app: 'web', x: 'y' })).toBe(true);
    expect(selectorFromSet({ app: 'web' }).matches({ app: 'db' })).toBe(false);
    expect(selectorFromSet({}).matches({ a: 'b' })).toBe(true);
    expect(selectorFromSet(undefined).empty).toBe(true);
    expect(selectorFromSet({ b: '2', a: '1' }).toString()).toBe('a=1,b=2');
  });
});
