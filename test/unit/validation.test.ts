import { describe, expect, it } from 'vitest';
import {
  isCIdentifier,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  validateAnnotationsSize,
} from '../../src/lib/validation';

describe('isDNS1123Label', () => {
  it.each([
    'a',
    'ab',
    'abc',
    'a1',
    'a-1',
    'a--1--2--b',
    '0',
    '01',
    '012',
    '1a',
    '1-a',
    '1--a--b--2',
    'a'.repeat(63),
  ])('accepts %j', (v) => expect(isDNS1123Label(v)).toEqual([]));

  it.each([
    '',
    'A',
    'ABC',
    'aBc',
    'A1',
    'A-1',
    '1-A',
    '-',
    'a-',
    '-a',
    '1-',
    '-1',
    '_',
    'a_',
    '_a',
    'a_b',
    '1_',
    '_1',
    '1_2',
    '.',
    'a.',
    '.a',
    '1.',
    '.1',
    '1.2',
    ' ',
    'a ',
    ' a',
    'a b',
    '1 ',
    ' 1',
    '1 2',
  ])('rejects %j', (v) => expect(isDNS1123Label(v)).not.toEqual([]));

  it('rejects a label longer than 63 characters', () => {
    expect(isDNS1123Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });

  it('explains a dotted name as containing dots', () => {
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots']);
  });

  it('words the format error as the apiserver does', () => {
    expect(isDNS1123Label('My_Name')).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });
});

describe('isDNS1123Subdomain', () => {
  it.each([
    'a',
    'a.b',
    'a.b.c',
    '1.a',
    'a-1.b-2',
    '0.0.0.0',
    'a--1--2--b.c',
    `${'a'.repeat(63)}.${'b'.repeat(63)}`,
    'a'.repeat(253),
  ])('accepts %j', (v) => expect(isDNS1123Subdomain(v)).toEqual([]));

  it.each(['', 'A', 'a..b', '.a', 'a.', 'a_b', '-a.b', 'a.b-', 'a b'])('rejects %j', (v) => {
    expect(isDNS1123Subdomain(v)).toEqual([
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
  });

  it('rejects a subdomain longer than 253 characters', () => {
    expect(isDNS1123Subdomain('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
  });
});

describe('isDNS1035Label', () => {
  it.each(['a', 'ab', 'a1', 'a-1', 'a--1--2--b', 'a'.repeat(63)])('accepts %j', (v) =>
    expect(isDNS1035Label(v)).toEqual([]),
  );

  it.each(['0', '01', '1a', '1-a', '', 'A', 'a-', '-a', 'a.b', 'a_b'])(
    'rejects %j, which must start with a letter',
    (v) => {
      expect(isDNS1035Label(v)).toHaveLength(1);
    },
  );

  it('rejects a label longer than 63 characters', () => {
    expect(isDNS1035Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });
});

describe('isQualifiedName', () => {
  it.each([
    'simple',
    'now-with-dashes',
    '1-starts-with-num',
    '1234',
    'simple/simple',
    'now-with-dashes/simple',
    'now-with-dashes/now-with-dashes',
    'now.with.dots/simple',
    'now-with.dashes-and.dots/simple',
    '1-num.2-num/3-num',
    '1234/5678',
    '1.2.3.4/5678',
    'Uppercase_Is_OK_123',
    'example.com/Uppercase_Is_OK_123',
    'requests.storage-foo',
    'a'.repeat(63),
    `${'a'.repeat(253)}/${'b'.repeat(63)}`,
  ])('accepts %j', (v) => expect(isQualifiedName(v)).toEqual([]));

  it.each([
    'nospecialchars%^=@',
    'cantendwithadash-',
    '-cantstartwithadash-',
    'only/one/slash',
    'Example.com/abc',
    'example_com/abc',
    'example.com/',
    '/simple',
    'a'.repeat(64),
    `${'a'.repeat(254)}/abc`,
  ])('rejects %j', (v) => expect(isQualifiedName(v)).not.toEqual([]));

  it('explains each part that is wrong', () => {
    expect(isQualifiedName('/simple')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('example.com/')[0]).toBe('name part must be non-empty');
    expect(isQualifiedName('a'.repeat(64))).toEqual([
      'name part must be no more than 63 characters',
    ]);
    expect(isQualifiedName('Example.com/abc')[0]).toMatch(
      /^prefix part a lowercase RFC 1123 subdomain/,
    );
    expect(isQualifiedName('a/b/c')).toEqual([
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]);
  });
});

describe('isValidLabelValue', () => {
  it.each([
    'simple',
    'now-with-dashes',
    '1-starts-with-num',
    'end-with-num-1',
    '1234',
    '-'.repeat(0),
    'a'.repeat(63),
    'Upper_And.lower-1',
  ])('accepts %j', (v) => expect(isValidLabelValue(v)).toEqual([]));

  it('accepts the empty string', () => {
    expect(isValidLabelValue('')).toEqual([]);
  });

  it('rejects a label value longer than 63 characters', () => {
    expect(isValidLabelValue('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });

  it.each([
    'nospecialchars%^=@',
    'Tama-nui-te-rā.is.Māori.sun',
    '\\backslashes\\are\\bad',
    '-starts-with-dash',
    'ends-with-dash-',
    '.starts.with.dot',
    'ends.with.dot.',
    'a b',
  ])('rejects %j', (v) =>
    expect(isValidLabelValue(v)).toEqual([
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]),
  );

  it('counts length in UTF-8 bytes, as Go does', () => {
    expect(isValidLabelValue('ā'.repeat(32))).toContain('must be no more than 63 characters');
  });
});

describe('validateAnnotationsSize', () => {
  it('accepts annotations totalling exactly 256 KiB of keys and values', () => {
    expect(validateAnnotationsSize({ k: 'v'.repeat(256 * 1024 - 1) })).toEqual([]);
    expect(validateAnnotationsSize(undefined)).toEqual([]);
  });

  it('rejects annotations over 256 KiB in total', () => {
    expect(validateAnnotationsSize({ k: 'v'.repeat(256 * 1024 - 1), k2: '' })).toEqual([
      'may not be more than 262144 bytes',
    ]);
    expect(
      validateAnnotationsSize({ a: 'x'.repeat(200 * 1024), b: 'y'.repeat(100 * 1024) }),
    ).toHaveLength(1);
  });
});

describe('isValidPortNum', () => {
  it.each([1, 80, 8080, 65535])('accepts %d', (p) => expect(isValidPortNum(p)).toEqual([]));
  it.each([0, -1, 65536, 1.5, Number.NaN])('rejects %d', (p) => {
    expect(isValidPortNum(p)).toEqual(['must be between 1 and 65535, inclusive']);
  });
});

describe('isValidPortName', () => {
  it.each([
    'telnet',
    're-mail-ck',
    'pop3',
    'a',
    'a-1',
    '1-a',
    'a-1-b-2-c',
    '1-a-2-b-3',
    'http-8080',
    'abcdefghijklmno',
  ])('accepts %j', (p) => {
    expect(isValidPortName(p)).toEqual([]);
  });

  it('rejects a name longer than 15 characters', () => {
    expect(isValidPortName('abcdefghijklmnop')).toEqual(['must be no more than 15 characters']);
  });

  it('explains every rule a bad name breaks', () => {
    expect(isValidPortName('')).toEqual([
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'must contain at least one letter (a-z)',
    ]);
    expect(isValidPortName('1234')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('a--b')).toEqual(['must not contain consecutive hyphens']);
    expect(isValidPortName('-ab')).toEqual(['must not begin or end with a hyphen']);
    expect(isValidPortName('Http')).toEqual([
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]);
    expect(isValidPortName('a_b')).toEqual([
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]);
  });
});

describe('isCIdentifier', () => {
  it.each(['a', 'ab', 'abc', 'a1', '_a', 'a_', 'a_b', 'a_1', '_1', 'A', 'AB', 'A_1'])(
    'accepts %j',
    (v) => {
      expect(isCIdentifier(v)).toEqual([]);
    },
  );
  it.each(['', '1', '123', '1a', 'a-b', 'a.b', 'a b', 'a$b'])('rejects %j', (v) => {
    expect(isCIdentifier(v)).toHaveLength(1);
  });
});

describe('isEnvVarName', () => {
  it.each([
    'a',
    'ab',
    'A',
    'AB',
    'AbC',
    'Ab1',
    'a-b',
    'a.b',
    '_a',
    '.a',
    '-a',
    'a..b',
    '.1',
    '_1',
    '-1',
    'my.env-name',
    'MY_ENV.NAME',
  ])('accepts %j', (v) => expect(isEnvVarName(v)).toEqual([]));

  it('rejects a name starting with a digit and says which characters are allowed', () => {
    expect(isEnvVarName('1A')).toEqual([
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    ]);
  });

  it.each(['', 'a b', 'a=b', 'a$b', 'ä'])('rejects %j', (v) =>
    expect(isEnvVarName(v)).toHaveLength(1),
  );

  it('rejects names that would change directory', () => {
    expect(isEnvVarName('.')).toEqual(["must not be '.'"]);
    expect(isEnvVarName('..')).toEqual(["must not be '..'"]);
    expect(isEnvVarName('..a')).toEqual(["must not start with '..'"]);
  });
});

describe('isRelaxedEnvVarName', () => {
  it('accepts any printable ASCII but =', () => {
    expect(isRelaxedEnvVarName('1A b$!')).toEqual([]);
  });
  it('rejects empty names, = and non-ASCII', () => {
    expect(isRelaxedEnvVarName('')).toEqual(['environment variable name must be non-empty']);
    expect(isRelaxedEnvVarName('a=b')).toHaveLength(1);
    expect(isRelaxedEnvVarName('ä')).toHaveLength(1);
    expect(isRelaxedEnvVarName('a\tb')).toHaveLength(1);
  });
});

describe('isValidIP', () => {
  it.each([
    '0.0.0.0',
    '1.1.1.1',
    '255.255.255.255',
    '127.0.0.2',
    '010.001.0.1',
    '::',
    '::1',
    '2001:db8::ffff',
    '2001:0db8:0000:0000:0000:ff00:0042:8329',
    '1:2:3:4:5:6:7::',
    '::ffff:1.2.3.4',
    '::1.2.3.4',
    '1:2:3:4:5:6:1.2.3.4',
    'FE80::1',
  ])('accepts %j', (ip) => expect(isValidIP(ip)).toEqual([]));

  it.each([
    '',
    'a',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '1.2.3.-4',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4::5:6:7:8',
    '1::2::3',
    ':::1',
    '12345::',
    'fe80::1%eth0',
    '::1.2.3',
    '1.2.3.4::',
    '1:2:3:4:5:6:7:1.2.3.4',
    '1.2.3.4/32',
  ])('rejects %j', (ip) => {
    expect(isValidIP(ip)).toEqual([
      'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
  });
});
