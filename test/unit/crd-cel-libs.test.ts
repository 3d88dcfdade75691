// The Kubernetes CEL libraries on cel-js (lists, strings, regex, url, ip/cidr, quantity) and RE2
// semantics for `matches`, `find` and schema `pattern`: linear time, Perl-only syntax refused.
import { describe, expect, it } from 'vitest';
import type { JSONSchemaProps } from '../../src/api/crd';
import { ruleCompileErrors, validateRules } from '../../src/registry/crd/cel';
import { validateSchema } from '../../src/registry/crd/structural';

/** Evaluates a rule with `self` a free-form value; returns true, false or the error text. */
function run(rule: string, self: unknown = {}): unknown {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      v: { 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-validations': [{ rule }] },
    },
  };
  const compileErrs = ruleCompileErrors(schema, 'schema');
  if (compileErrs.length) return compileErrs[0]!.message;
  const errs = validateRules({ v: self }, undefined, schema);
  if (!errs.length) return true;
  return /failed rule/.test(errs[0]!.message) ? false : errs[0]!.message;
}

const ok = (rules: string[], self?: unknown) => {
  for (const r of rules) expect(run(r, self), r).toBe(true);
};

describe('Kubernetes CEL libraries', () => {
  it('lists', () => {
    ok([
      '[1, 2, 3].isSorted() && ![2, 1].isSorted() && ["a", "b"].isSorted()',
      '[1, 2, 3].sum() == 6 && [1.5, 2.5].sum() == 4.0 && [].sum() == 0',
      '[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3 && ["b", "a"].min() == "a"',
      '[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2 && [1].indexOf(5) == -1',
      '[1, 2, 3, 4].slice(1, 3) == [2, 3] && [1, 2].reverse() == [2, 1]',
      '[1, 2, 1].distinct() == [1, 2]',
    ]);
    expect(run('[].min() == 0')).toMatch(/min called on empty list evaluating rule/);
  });

  it('strings', () => {
    ok([
      '"AbC".lowerAscii() == "abc" && "AbC".upperAscii() == "ABC" && "  x ".trim() == "x"',
      '"a-b-c".replace("-", "+") == "a+b+c" && "a-b-c".replace("-", "+", 1) == "a+b-c"',
      '"a,b".split(",") == ["a", "b"] && ["a", "b"].join("/") == "a/b"',
      '"hello".substring(1, 3) == "el" && "hello".charAt(1) == "e" && "abc".reverse() == "cba"',
      '"hello".indexOf("l") == 2 && "hello".lastIndexOf("l") == 3',
    ]);
  });

  it('regex (RE2)', () => {
    ok([
      '"abc123".matches("^[a-z]+[0-9]+$") && !"abc".matches("^[0-9]+$")',
      '"abc 123 def 456".find("[0-9]+") == "123" && "abc".find("[0-9]+") == ""',
      '"abc 123 def 456".findAll("[0-9]+") == ["123", "456"]',
      '"a1b2c3".findAll("[0-9]", 2) == ["1", "2"]',
      // Go skips an empty match right after a match: ["", "aaa", ""], not four.
      '"baaab".findAll("a*") == ["", "aaa", ""]',
    ]);
    // Perl-only syntax is not RE2: an evaluation error, as cel-go reports it.
    expect(run('"abc".matches("a(?=b)")')).toMatch(/invalid or unsupported Perl syntax/);
  });

  it('url', () => {
    ok([
      'isURL("https://example.com:8443/a/b?x=1&x=2") && !isURL("not a url")',
      'url("https://example.com:8443/a/b?x=1&x=2").getScheme() == "https"',
      'url("https://example.com:8443/a").getHost() == "example.com:8443"',
      'url("https://[::1]:80/").getHostname() == "::1" && url("https://example.com:8443").getPort() == "8443"',
      'url("https://example.com/a%20b").getEscapedPath() == "/a%20b"',
      'url("https://e.com/?x=1&x=2&y=3").getQuery() == {"x": ["1", "2"], "y": ["3"]}',
      'url("/absolute/path").getEscapedPath() == "/absolute/path"',
    ]);
  });

  it('ip and cidr', () => {
    ok([
      'isIP("10.0.0.1") && isIP("2001:db8::1") && !isIP("10.0.0.01") && !isIP("::ffff:10.0.0.1")',
      'ip("10.0.0.1").family() == 4 && ip("::1").family() == 6',
      'ip("127.0.0.1").isLoopback() && ip("::1").isLoopback() && ip("0.0.0.0").isUnspecified()',
      'ip("169.254.1.1").isLinkLocalUnicast() && ip("fe80::1").isLinkLocalUnicast()',
      'ip("224.0.0.1").isLinkLocalMulticast() && ip("ff02::1").isLinkLocalMulticast()',
      'ip("8.8.8.8").isGlobalUnicast() && !ip("127.0.0.1").isGlobalUnicast()',
      'string(ip("2001:0db8:0:0:0:0:0:1")) == "2001:db8::1" && ip("10.0.0.1") == ip("10.0.0.1")',
      'isCIDR("10.0.0.0/8") && !isCIDR("10.0.0.0/33") && !isCIDR("10.0.0.0")',
      'cidr("10.0.0.0/8").containsIP("10.1.2.3") && !cidr("10.0.0.0/8").containsIP(ip("11.0.0.1"))',
      'cidr("10.0.0.0/8").containsCIDR("10.1.0.0/16") && !cidr("10.1.0.0/16").containsCIDR("10.0.0.0/8")',
      'cidr("10.1.2.3/8").masked() == cidr("10.0.0.0/8") && cidr("10.1.2.3/8").prefixLength() == 8',
      'cidr("2001:db8::/32").containsIP("2001:db8::5") && cidr("10.1.2.3/8").ip() == ip("10.1.2.3")',
    ]);
    expect(run('ip("nope").family() == 4')).toMatch(/parse error during conversion from string/);
  });

  it('quantity', () => {
    ok([
      'isQuantity("100m") && isQuantity("1Gi") && !isQuantity("1GG")',
      'quantity("1Gi").isGreaterThan(quantity("1G")) && quantity("100m").isLessThan(quantity("1"))',
      'quantity("0.1").compareTo(quantity("100m")) == 0 && quantity("0.1") == quantity("100m")',
      'quantity("2k").asInteger() == 2000 && quantity("1.5").isInteger() == false',
      'quantity("1.5").asApproximateFloat() == 1.5 && quantity("-1").sign() == -1',
      'quantity("1").add(quantity("500m")) == quantity("1500m") && quantity("1").sub(1).sign() == 0',
      'quantity("1").add(2).asInteger() == 3',
    ]);
    expect(run('quantity("1.5").asInteger() == 1')).toMatch(/cannot convert value to integer/);
  });

  it('type-checks library calls against the schema', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        cpu: {
          type: 'string',
          maxLength: 16,
          'x-kubernetes-validations': [{ rule: 'quantity(self).isLessThan(quantity("4"))' }],
        },
        bad: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'isIP(self)' }] },
      },
    };
    const errs = ruleCompileErrors(s, 'schema');
    expect(errs.map((e) => e.field)).toEqual([
      'schema.properties[bad].x-kubernetes-validations[0].rule',
    ]);
    expect(validateRules({ cpu: '8' }, undefined, s)).toHaveLength(1);
    expect(validateRules({ cpu: '500m' }, undefined, s)).toEqual([]);
  });
});

describe('RE2 semantics, no ReDoS', () => {
  const evil = 'a'.repeat(30) + 'b';

  it('a catastrophic schema pattern returns at once', () => {
    const start = Date.now();
    const errs = validateSchema(
      { s: evil },
      { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } },
    );
    expect(errs.map((e) => e.message)).toEqual([
      `Invalid value: "${evil}": s in body should match '^(a+)+$'`,
    ]);
    // JS RegExp backtracks 2^30 times here (minutes); RE2 is linear.
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('a catastrophic CEL matches returns at once', () => {
    const start = Date.now();
    expect(run(`self.matches("^(a+)+$")`, evil)).toBe(false);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('schema patterns match anywhere, as Go regexp.MatchString', () => {
    const s: JSONSchemaProps = { type: 'string', pattern: '[0-9]' };
    expect(validateSchema('ab1', s)).toEqual([]);
    expect(validateSchema('abc', s)).toHaveLength(1);
  });
});
