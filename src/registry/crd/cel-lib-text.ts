// The Kubernetes CEL libraries for lists, strings and regular expressions, registered on a
// cel-js Environment (cel-js has size/contains/startsWith/endsWith/indexOf/lastIndexOf/substring/
// lowerAscii/upperAscii/trim/split/join of its own). Regular expressions are RE2 (./re2): `matches`
// is re-pointed at re2Matches when a rule is compiled (see cel.ts), `find`/`findAll` are RE2 here.
// k8s: staging/src/k8s.io/apiserver/pkg/cel/library/{lists,regex}.go and cel-go's ext strings.
import type { Environment } from '@marcbachmann/cel-js';
import { re2Find, re2FindAll, re2Test } from './re2';
import { chargeCost, strCost } from './cel-cost';

type Scalar = bigint | number | string | boolean;

function compare(a: Scalar, b: Scalar): number {
  if (typeof a === 'bigint' || typeof b === 'bigint' || typeof a === 'number') {
    const x = typeof a === 'bigint' && typeof b === 'number' ? Number(a) : a;
    const y = typeof b === 'bigint' && typeof a === 'number' ? Number(b) : b;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function extreme(list: Scalar[], name: string, sign: number): Scalar {
  if (list.length === 0) throw new Error(`${name} called on empty list`);
  chargeCost(list.length);
  return list.reduce((m, x) => (compare(x, m) * sign > 0 ? x : m));
}

const eq = (a: unknown, b: unknown) =>
  a === b || (typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b));

/** The byte (UTF-8 aware: rune) sequence of a string, as CEL indexes strings by code point. */
const runes = (s: string) => [...s];

export function registerTextLibraries(env: Environment): void {
  // lists
  env.registerFunction('list<A>.isSorted(): bool', (l: Scalar[]) => {
    chargeCost(l.length);
    return l.every((x, i) => i === 0 || compare(l[i - 1]!, x) <= 0);
  });
  env.registerFunction('list<int>.sum(): int', (l: bigint[]) => {
    chargeCost(l.length);
    return l.reduce((a, b) => a + b, 0n);
  });
  env.registerFunction('list<double>.sum(): double', (l: number[]) => {
    chargeCost(l.length);
    return l.reduce((a, b) => a + b, 0);
  });
  env.registerFunction('list<A>.min(): A', (l: Scalar[]) => extreme(l, 'min', -1));
  env.registerFunction('list<A>.max(): A', (l: Scalar[]) => extreme(l, 'max', 1));
  env.registerFunction('list<A>.indexOf(A): int', (l: unknown[], x: unknown) => {
    chargeCost(l.length);
    return BigInt(l.findIndex((y) => eq(x, y)));
  });
  env.registerFunction('list<A>.lastIndexOf(A): int', (l: unknown[], x: unknown) => {
    chargeCost(l.length);
    return BigInt(l.findLastIndex((y) => eq(x, y)));
  });
  env.registerFunction('list<A>.slice(int, int): list<A>', (l: unknown[], a: bigint, b: bigint) => {
    if (a < 0n || b < a || b > BigInt(l.length))
      throw new Error(`cannot slice(${a}, ${b}), list is length ${l.length}`);
    return l.slice(Number(a), Number(b));
  });
  env.registerFunction('list<A>.reverse(): list<A>', (l: unknown[]) => [...l].reverse());
  env.registerFunction('list<A>.distinct(): list<A>', (l: unknown[]) => {
    chargeCost(l.length * l.length);
    return l.filter((x, i) => l.findIndex((y) => eq(x, y)) === i);
  });

  // strings (cel-go ext strings, version used by Kubernetes)
  env.registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
    const r = runes(s);
    if (i < 0n || i > BigInt(r.length)) throw new Error(`index out of range: ${i}`);
    return r[Number(i)] ?? '';
  });
  env.registerFunction(
    'string.replace(string, string): string',
    (s: string, a: string, b: string) => {
      chargeCost(strCost(s));
      return s.split(a).join(b);
    },
  );
  env.registerFunction(
    'string.replace(string, string, int): string',
    (s: string, a: string, b: string, n: bigint) => {
      chargeCost(strCost(s));
      if (n < 0n) return s.split(a).join(b);
      const parts = s.split(a);
      const k = Number(n);
      return parts.length <= k + 1
        ? parts.join(b)
        : parts.slice(0, k + 1).join(b) + a + parts.slice(k + 1).join(a);
    },
  );
  env.registerFunction('string.reverse(): string', (s: string) => runes(s).reverse().join(''));

  // regex (RE2)
  env.registerFunction('string.re2Matches(string): bool', (s: string, re: string) => {
    chargeCost(strCost(s));
    return re2Test(re, s);
  });
  env.registerFunction('re2Matches(string, string): bool', (s: string, re: string) => {
    chargeCost(strCost(s));
    return re2Test(re, s);
  });
  env.registerFunction('string.find(string): string', (s: string, re: string) => {
    chargeCost(strCost(s));
    return re2Find(re, s);
  });
  env.registerFunction('string.findAll(string): list<string>', (s: string, re: string) => {
    chargeCost(strCost(s));
    return re2FindAll(re, s);
  });
  env.registerFunction(
    'string.findAll(string, int): list<string>',
    (s: string, re: string, n: bigint) => {
      chargeCost(strCost(s));
      return re2FindAll(re, s, Number(n));
    },
  );
}
