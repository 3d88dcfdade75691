import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCpuMilli,
  isQuantity,
  parseQuantity,
  QuantityError,
} from '../../src/lib/quantity';

const q = parseQuantity;

describe('parseQuantity', () => {
  it.each([
    ['0', '0'],
    ['1', '1'],
    ['1Ki', '1Ki'],
    ['8Ki', '8Ki'],
    ['7Mi', '7Mi'],
    ['6Gi', '6Gi'],
    ['5Ti', '5Ti'],
    ['4Pi', '4Pi'],
    ['3Ei', '3Ei'],
    ['5n', '5n'],
    ['4u', '4u'],
    ['3m', '3m'],
    ['8k', '8k'],
    ['50k', '50k'],
    ['7M', '7M'],
    ['2P', '2P'],
    ['1E', '1E'],
    ['12E', '12E'],
    ['1E-3', '1E-3'],
    ['1e3', '1e3'],
    ['0.001', '1m'],
    ['0.0005k', '500m'],
    ['0.5', '500m'],
    ['0.5e0', '500e-3'],
    ['1.2e3', '1200'],
    ['1.3E+6', '1300e3'],
    ['9.01', '9010m'],
    ['8.1k', '8100'],
    ['1.01E', '1010P'],
    ['1.5', '1500m'],
    ['1.5Gi', '1536Mi'],
    ['1024Mi', '1Gi'],
    ['1000M', '1G'],
    ['1000m', '1'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    ['0.5Mi', '512Ki'],
    ['100.035Ki', '102435840m'],
    ['.0001k', '100m'],
    ['0Ki', '0'],
    ['0m', '0'],
    ['-0', '0'],
    ['1000E', '1e21'],
  ])('parses %j and prints it canonically as %j', (input, canonical) => {
    expect(q(input).toString()).toBe(canonical);
  });

  it.each([
    ['3.001n', '4n'],
    ['1.1E-9', '2e-9'],
    ['0.0000000001', '1n'],
    ['0.0000000005', '1n'],
    ['0.9n', '1n'],
    ['0.00000012345', '124n'],
    ['0.000000000001Ki', '2n'],
    ['1e-100', '1e-9'],
  ])('rounds %j up to the nano, giving %j', (input, canonical) => {
    expect(q(input).toString()).toBe(canonical);
  });

  it('caps binary quantities at the int64 maximum', () => {
    expect(q('9Ei').cmp(q('9223372036854775807'))).toBe(0);
    expect(q('9223372036854775807Ki').cmp(q('9223372036854775807'))).toBe(0);
    expect(q('-9Ei').cmp(q('-9223372036854775807'))).toBe(0);
  });

  it('keeps decimal quantities beyond int64 exact', () => {
    expect(q('18446744073709551616').toString()).toBe('18446744073709551616');
    expect(q('18446744073709551616').cmp(q('18446744073709551615'))).toBe(1);
  });

  it('accepts a sign on every form', () => {
    expect(q('-1.5Gi').toString()).toBe('-1536Mi');
    expect(q('-100m').toString()).toBe('-100m');
    expect(q('+1Ki').cmp(q('1024'))).toBe(0);
    expect(q('-.000000000001Ki').toString()).toBe('-2n');
  });

  it('echoes a canonical-looking input exactly as written, as upstream does', () => {
    expect(q('+1').toString()).toBe('+1');
    expect(q('05').toString()).toBe('05');
    expect(q('1.').toString()).toBe('1.');
    expect(q('1.G').toString()).toBe('1.G');
    expect(q('100.035k').toString()).toBe('100.035k');
    expect(q('10.035M').toString()).toBe('10.035M');
    // ...but not when the digits end in 000, start with 0, or the scale is not a multiple of 3.
    expect(q('1.5k').toString()).toBe('1500');
    expect(q('1000k').toString()).toBe('1M');
    expect(q('0.5k').toString()).toBe('500');
    expect(q('+5Mi').toString()).toBe('+5Mi');
    expect(q('+8Mi').toString()).toBe('8Mi');
  });

  it('remembers the suffix family of its input', () => {
    expect(q('1Gi').format).toBe('BinarySI');
    expect(q('1G').format).toBe('DecimalSI');
    expect(q('1e9').format).toBe('DecimalExponent');
    expect(q('0.000000000001Ki').format).toBe('DecimalSI');
    expect(q('0Ki').format).toBe('BinarySI');
  });

  it.each([
    '',
    '1.1.M',
    '1+1.0M',
    '0.1mi',
    '0.1am',
    'aoeu',
    '.5i',
    '1i',
    '-3.01i',
    '-3.01e-',
    ' 1',
    '1 ',
    '1K',
    '1KiB',
    '1e',
    '1ee3',
    '1e3.5',
  ])('rejects %j', (input) => {
    expect(() => q(input)).toThrow(QuantityError);
    expect(isQuantity(input)).toBe(false);
  });

  it('says which part of a bad quantity is wrong', () => {
    expect(() => q('1 ')).toThrow(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
    expect(() => q('1K')).toThrow("unable to parse quantity's suffix");
  });

  it('reads a bare sign, dot or suffix as zero, as upstream does', () => {
    for (const s of ['-', '+', '.', 'Ki', 'm', '-k']) expect(q(s).isZero()).toBe(true);
  });
});

describe('Quantity arithmetic', () => {
  it('compares exactly across suffixes', () => {
    expect(q('0.1').cmp(q('100m'))).toBe(0);
    expect(q('100m').cmp(q('50m'))).toBe(1);
    expect(q('50m').cmp(q('100m'))).toBe(-1);
    expect(q('10000T').cmp(q('100Gi'))).toBe(1);
    expect(q('1Ki').cmp(q('1k'))).toBe(1);
    expect(q('-1').cmp(q('1n'))).toBe(-1);
    expect(q('-2').cmp(q('-1'))).toBe(-1);
    expect(q('0').cmp(q('0Gi'))).toBe(0);
    expect(q('1e1000').cmp(q('1e999'))).toBe(1);
  });

  it('rounds milli() up for CPU', () => {
    expect(q('100m').milli()).toBe(100);
    expect(q('0.5').milli()).toBe(500);
    expect(q('2').milli()).toBe(2000);
    expect(q('1n').milli()).toBe(1);
    expect(q('1.0001m').milli()).toBe(2);
  });

  it('rounds value() up to a whole number for bytes', () => {
    expect(q('128Mi').value()).toBe(134217728);
    expect(q('1G').value()).toBe(1e9);
    expect(q('100m').value()).toBe(1);
    expect(q('9.01').value()).toBe(10);
  });

  it('rounds negative values away from zero', () => {
    expect(q('-9.01').value()).toBe(-10);
    expect(q('-1.5m').milli()).toBe(-2);
  });

  it('serialises to its string form in JSON', () => {
    expect(JSON.stringify({ cpu: q('0.5') })).toBe('{"cpu":"500m"}');
  });
});

describe('formatting helpers', () => {
  it('prints CPU millicores canonically', () => {
    expect(formatCpuMilli(500)).toBe('500m');
    expect(formatCpuMilli(2000)).toBe('2');
    expect(formatCpuMilli(1500)).toBe('1500m');
    expect(formatCpuMilli(0)).toBe('0');
  });

  it('prints byte counts with binary suffixes when they divide evenly', () => {
    expect(formatBytes(128 * 1024 * 1024)).toBe('128Mi');
    expect(formatBytes(1024 ** 3)).toBe('1Gi');
    expect(formatBytes(1536 * 1024 * 1024)).toBe('1536Mi');
    expect(formatBytes(1025)).toBe('1025');
    expect(formatBytes(3 * 1024 + 1)).toBe('3073');
  });

  it('prints byte counts under 1Ki as decimal, as upstream does', () => {
    expect(formatBytes(1000)).toBe('1k');
    expect(formatBytes(500)).toBe('500');
    expect(formatBytes(0)).toBe('0');
  });
});
