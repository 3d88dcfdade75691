// resource.Quantity: parsing, exact comparison, rounding to int/milli, and canonical printing.
// k8s: staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go (and suffix.go, amount.go)

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

export class QuantityError extends Error {
  override name = 'QuantityError';
}

// Upstream's error texts: the apiserver sends them back verbatim when a manifest holds a bad quantity.
const ERR_FORMAT =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const ERR_SUFFIX = "unable to parse quantity's suffix";

const decimalSuffixes: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalSuffixByExp = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binarySuffixByPow = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const MAX_INT64 = 2n ** 63n - 1n;
const NANO = -9;

const pow10 = (n: number) => 10n ** BigInt(n);
const abs = (n: bigint) => (n < 0n ? -n : n);
const digitCount = (n: bigint) => abs(n).toString().length;

// Division rounding away from zero: inf.RoundUp, which every upstream accessor uses.
function divAway(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d === 0n ? q : n < 0n ? q - 1n : q + 1n;
}

/**
 * A quantity is mantissa × 10^exponent, held exactly (bigint), normalized so the mantissa has no
 * trailing zeros; as upstream, values finer than 1n are rounded up to the nano.
 */
export class Quantity {
  private constructor(
    readonly mantissa: bigint,
    readonly exponent: number,
    readonly format: QuantityFormat,
    // A parsed string that was already canonical is echoed back as written, as upstream does.
    private readonly original?: string,
  ) {}

  /** @internal builds a normalized quantity; used by the parser and the formatters. */
  static of(
    mantissa: bigint,
    exponent: number,
    format: QuantityFormat,
    original?: string,
  ): Quantity {
    if (mantissa === 0n) return new Quantity(0n, 0, format, original);
    if (exponent < NANO) {
      const shift = NANO - exponent;
      mantissa =
        shift > digitCount(mantissa) ? (mantissa < 0n ? -1n : 1n) : divAway(mantissa, pow10(shift));
      exponent = NANO;
    }
    while (mantissa % 10n === 0n) {
      mantissa /= 10n;
      exponent++;
    }
    return new Quantity(mantissa, exponent, format, original);
  }

  sign(): -1 | 0 | 1 {
    return this.mantissa === 0n ? 0 : this.mantissa < 0n ? -1 : 1;
  }

  isZero(): boolean {
    return this.mantissa === 0n;
  }

  /** -1, 0 or 1, exactly: `0.1` and `100m` compare equal. */
  cmp(other: Quantity): -1 | 0 | 1 {
    const sa = this.sign();
    const sb = other.sign();
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (sa === 0) return 0;
    // Same sign: compare magnitudes by order of magnitude first, so huge exponents never expand.
    const ma = digitCount(this.mantissa) + this.exponent;
    const mb = digitCount(other.mantissa) + other.exponent;
    let mag: -1 | 0 | 1;
    if (ma !== mb) mag = ma < mb ? -1 : 1;
    else {
      const e = Math.min(this.exponent, other.exponent);
      const a = abs(this.mantissa) * pow10(this.exponent - e);
      const b = abs(other.mantissa) * pow10(other.exponent - e);
      mag = a === b ? 0 : a < b ? -1 : 1;
    }
    return (sa < 0 && mag !== 0 ? -mag : mag) as -1 | 0 | 1;
  }

  /** ceil(q / 10^scale), rounding away from zero; ±Infinity when the value is beyond a double. */
  scaledValue(scale: number): number {
    if (this.mantissa === 0n) return 0;
    const shift = this.exponent - scale;
    if (shift >= 0) {
      if (digitCount(this.mantissa) + shift > 400) return this.mantissa < 0n ? -Infinity : Infinity;
      return Number(this.mantissa * pow10(shift));
    }
    // Dividing by more than the mantissa's digits leaves only the rounding: one unit, away from zero.
    if (-shift > digitCount(this.mantissa)) return this.mantissa < 0n ? -1 : 1;
    return Number(divAway(this.mantissa, pow10(-shift)));
  }

  /** The value rounded up (away from zero) to an integer: bytes, counts. */
  value(): number {
    return this.scaledValue(0);
  }

  /** ceil(value × 1000), away from zero: millicores. */
  milli(): number {
    return this.scaledValue(-3);
  }

  toString(): string {
    return this.original ?? canonical(this);
  }

  toJSON(): string {
    return this.toString();
  }
}

function canonical(q: Quantity): string {
  if (q.isZero()) return '0';
  const sign = q.mantissa < 0n ? '-' : '';
  let format = q.format;
  if (format === 'BinarySI') {
    // Below 1Ki, or with a fraction, a binary suffix would round or mislead: print as decimal.
    const oneKi = Quantity.of(1024n, 0, 'DecimalSI');
    const small = q.cmp(Quantity.of(-1024n, 0, 'DecimalSI')) > 0 && q.cmp(oneKi) < 0;
    if (small || q.exponent < 0) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let v = abs(q.mantissa) * pow10(q.exponent);
    let pow = 0;
    while (pow < 6 && v % 1024n === 0n) {
      v /= 1024n;
      pow++;
    }
    return `${sign}${v}${binarySuffixByPow[pow]}`;
  }
  let m = abs(q.mantissa);
  let e = q.exponent;
  while (e % 3 !== 0) {
    m *= 10n;
    e--;
  }
  const si = format === 'DecimalSI' ? decimalSuffixByExp.get(e) : undefined;
  // DecimalSI has no suffix past E (10^18): fall back to exponent notation rather than lose magnitude.
  const suffix = si ?? (e === 0 ? '' : `e${e}`);
  return `${sign}${m}${suffix}`;
}

interface Scanned {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

// parseQuantityString: sign, number (leading zeros dropped), fraction, then the suffix characters.
function scan(str: string): Scanned {
  let pos = 0;
  const end = str.length;
  let positive = true;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, num: '0', denom: '', suffix: '' };
  const digitsFrom = (i: number) => {
    while (i < end && str[i] >= '0' && str[i] <= '9') i++;
    return i;
  };
  let i = digitsFrom(pos);
  const num = str.slice(pos, i) || '0';
  let denom = '';
  if (str[i] === '.') {
    const j = digitsFrom(i + 1);
    denom = str.slice(i + 1, j);
    i = j;
  }
  const suffixStart = i;
  while (i < end && 'eEinumkKMGTP'.includes(str[i])) i++;
  if (str[i] === '-' || str[i] === '+') i++;
  i = digitsFrom(i);
  if (i < end) throw new QuantityError(ERR_FORMAT);
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
} {
  if (suffix in decimalSuffixes)
    return { base: 10, exponent: decimalSuffixes[suffix], format: 'DecimalSI' };
  if (suffix in binarySuffixes)
    return { base: 2, exponent: binarySuffixes[suffix], format: 'BinarySI' };
  if (
    suffix.length > 1 &&
    (suffix[0] === 'e' || suffix[0] === 'E') &&
    /^[+-]?[0-9]+$/.test(suffix.slice(1))
  ) {
    const exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) <= 2 ** 31 - 1) return { base: 10, exponent, format: 'DecimalExponent' };
  }
  throw new QuantityError(ERR_SUFFIX);
}

// Upstream's fast path keeps the input string when it is already canonical-looking; mirror its test.
function keepsOriginal(s: Scanned, base: 2 | 10, exponent: number): boolean {
  const shifted = s.num + s.denom;
  if (base === 10) {
    const scale = exponent - s.denom.length;
    return (
      shifted.length <= 18 &&
      scale >= NANO &&
      scale % 3 === 0 &&
      !shifted.endsWith('000') &&
      shifted[0] !== '0'
    );
  }
  if (s.denom.length > 0 || 15 - s.num.length - Math.trunc((exponent * 3) / 10) - 1 < 0)
    return false;
  const value = BigInt(s.num);
  return value << BigInt(exponent) <= MAX_INT64 && (value & 7n) !== 0n;
}

/** resource.ParseQuantity. Throws QuantityError with upstream's message. */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new QuantityError(ERR_FORMAT);
  if (str === '0') return Quantity.of(0n, 0, 'DecimalSI', '0');
  const s = scan(str);
  const { base, exponent, format } = interpretSuffix(s.suffix);
  const original = keepsOriginal(s, base, exponent) ? str : undefined;
  let mantissa = BigInt(s.num + s.denom);
  if (!s.positive) mantissa = -mantissa;
  if (base === 10) return Quantity.of(mantissa, exponent - s.denom.length, format, original);

  let q = Quantity.of(mantissa << BigInt(exponent), -s.denom.length, format, original);
  // Binary magnitudes are capped (silently, as upstream) at the int64 maximum.
  if (Quantity.of(abs(q.mantissa), q.exponent, format).cmp(Quantity.of(MAX_INT64, 0, format)) > 0) {
    q = Quantity.of(q.sign() < 0 ? -MAX_INT64 : MAX_INT64, 0, format);
  }
  // A non-zero binary amount under one unit prints as decimal.
  const under1 = !q.isZero() && digitCount(q.mantissa) + q.exponent <= 0;
  return under1 ? Quantity.of(q.mantissa, q.exponent, 'DecimalSI', original) : q;
}

export function isQuantity(s: string): boolean {
  try {
    parseQuantity(s);
    return true;
  } catch {
    return false;
  }
}

/** Canonical CPU string for a millicore count: 500 → "500m", 2000 → "2". */
export function formatCpuMilli(milli: number): string {
  return Quantity.of(BigInt(Math.ceil(milli)), -3, 'DecimalSI').toString();
}

/** Canonical memory string for a byte count: 134217728 → "128Mi", 1000 → "1000". */
export function formatBytes(bytes: number): string {
  return Quantity.of(BigInt(Math.ceil(bytes)), 0, 'BinarySI').toString();
}
