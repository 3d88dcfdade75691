import { describe, expect, it } from 'vitest';
import {
  escapeFieldValue,
  FieldSelectorParseError,
  oneTermEqualSelector,
  parseFieldSelector,
  unescapeFieldValue,
} from '../../src/lib/fields';

const pod: Record<string, string> = {
  'metadata.name': 'web-1',
  'spec.nodeName': 'node-a',
  'status.phase': 'Running',
};
const get = (f: string) => pod[f];

describe('parseFieldSelector', () => {
  it('matches equality, double equality and inequality terms ANDed together', () => {
    expect(parseFieldSelector('spec.nodeName=node-a').matches(get)).toBe(true);
    expect(parseFieldSelector('spec.nodeName==node-a').matches(get)).toBe(true);
    expect(parseFieldSelector('status.phase!=Running').matches(get)).toBe(false);
    expect(parseFieldSelector('spec.nodeName=node-a,status.phase!=Pending').matches(get)).toBe(
      true,
    );
    expect(parseFieldSelector('spec.nodeName=node-a,status.phase=Pending').matches(get)).toBe(
      false,
    );
  });

  it('reads a missing field as the empty string', () => {
    expect(parseFieldSelector('spec.nodeName=').matches(() => undefined)).toBe(true);
    expect(parseFieldSelector('spec.nodeName!=').matches(() => undefined)).toBe(false);
    expect(parseFieldSelector('spec.nodeName=x').matches(() => undefined)).toBe(false);
  });

  it('the empty selector is empty and matches everything', () => {
    const sel = parseFieldSelector('');
    expect(sel.empty).toBe(true);
    expect(sel.requirements).toEqual([]);
    expect(sel.matches(get)).toBe(true);
  });

  it('skips empty terms', () => {
    expect(parseFieldSelector('a=b,,c=d').requirements).toHaveLength(2);
  });

  it('lists requirements sorted, with == reported as =', () => {
    expect(parseFieldSelector('status.phase!=Failed,metadata.name==x').requirements).toEqual([
      { field: 'metadata.name', operator: '=', value: 'x' },
      { field: 'status.phase', operator: '!=', value: 'Failed' },
    ]);
  });

  it('prints the canonical form', () => {
    expect(parseFieldSelector('b==2,a!=1').toString()).toBe('a!=1,b=2');
  });

  it('finds the value an equality term pins a field to', () => {
    const sel = parseFieldSelector('status.phase!=Failed,spec.nodeName=node-a');
    expect(sel.exactMatch('spec.nodeName')).toBe('node-a');
    expect(sel.exactMatch('status.phase')).toBeUndefined();
    expect(sel.exactMatch('metadata.name')).toBeUndefined();
  });

  it('rejects a term without an operator', () => {
    expect(() => parseFieldSelector('spec.nodeName')).toThrow(FieldSelectorParseError);
    expect(() => parseFieldSelector('a=b,c')).toThrow(
      "invalid selector: 'a=b,c'; can't understand 'c'",
    );
  });

  it('does not trim whitespace, as upstream does not', () => {
    expect(parseFieldSelector(' a=b').requirements[0].field).toBe(' a');
  });

  it('splits on the first operator, so the value may hold an escaped = or ,', () => {
    const sel = parseFieldSelector('metadata.name=a\\=b\\,c');
    expect(sel.requirements[0].value).toBe('a=b,c');
    expect(sel.toString()).toBe('metadata.name=a\\=b\\,c');
  });

  it('rejects an unescaped = in a value and an unknown escape', () => {
    expect(() => parseFieldSelector('a=b=c')).toThrow(/unescaped character in value/);
    expect(() => parseFieldSelector('a=b\\n')).toThrow(/invalid escape sequence: \\n/);
    expect(() => parseFieldSelector('a=b\\')).toThrow(/invalid escape sequence/);
  });
});

describe('field value escaping', () => {
  it('round-trips backslashes, commas and equals signs', () => {
    const raw = 'a\\b,c=d';
    expect(escapeFieldValue(raw)).toBe('a\\\\b\\,c\\=d');
    expect(unescapeFieldValue(escapeFieldValue(raw))).toBe(raw);
  });
});

describe('oneTermEqualSelector', () => {
  it('builds the selector an agent uses for its own pods', () => {
    const sel = oneTermEqualSelector('spec.nodeName', 'node-a');
    expect(sel.toString()).toBe('spec.nodeName=node-a');
    expect(sel.exactMatch('spec.nodeName')).toBe('node-a');
    expect(sel.matches(get)).toBe(true);
  });
});
