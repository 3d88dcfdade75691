// The Kubernetes CEL libraries for URLs, IP addresses, CIDRs and quantities, on a cel-js
// Environment. Types are named as upstream names them (kubernetes.URL, net.IP, net.CIDR,
// kubernetes.Quantity), so `type(ip("::1"))` and error messages read the same.
// k8s: staging/src/k8s.io/apiserver/pkg/cel/library/{urls,ip,cidr,quantity}.go
import type { Environment } from '@marcbachmann/cel-js';
import { Quantity, parseQuantity } from '../../lib/quantity';

// --- URL ---------------------------------------------------------------------------------------

class CelURL {
  constructor(readonly url: URL) {}
}

function parseURL(s: string): CelURL | undefined {
  try {
    // As Go's url.Parse with the library's rule: an absolute URL or an absolute path.
    if (s.startsWith('/')) return new CelURL(new URL(s, 'relative:///'));
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) return undefined;
    return new CelURL(new URL(s));
  } catch {
    return undefined;
  }
}

// --- IP and CIDR -------------------------------------------------------------------------------

/** An address as bytes (4 or 16); IPv4-mapped IPv6 and zones are refused, as upstream refuses them. */
class CelIP {
  constructor(readonly bytes: number[]) {}
  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }
  toString(): string {
    if (this.family === 4) return this.bytes.join('.');
    const words = [];
    for (let i = 0; i < 16; i += 2) words.push((this.bytes[i]! << 8) | this.bytes[i + 1]!);
    // The longest run (length >= 2) of zero words becomes '::' (RFC 5952).
    let best = -1;
    let bestLen = 1;
    for (let i = 0; i < 8;) {
      let j = i;
      while (j < 8 && words[j] === 0) j++;
      if (j - i > bestLen) [best, bestLen] = [i, j - i];
      i = j === i ? i + 1 : j;
    }
    const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
    return best < 0
      ? hex(words)
      : `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLen))}`;
  }
}

function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out.push(Number(p));
  }
  return out;
}

function parseIPv6(s: string): number[] | undefined {
  if (s.includes('%')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const words = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return undefined;
    }
    return out;
  };
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

function parseIP(s: string): CelIP | undefined {
  const bytes = s.includes(':') ? parseIPv6(s) : parseIPv4(s);
  if (!bytes) return undefined;
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) is not accepted by the library.
  if (
    bytes.length === 16 &&
    bytes.slice(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff
  )
    return undefined;
  return new CelIP(bytes);
}

class CelCIDR {
  constructor(
    readonly ip: CelIP,
    readonly prefix: number,
  ) {}
  masked(): CelIP {
    return new CelIP(
      this.ip.bytes.map((b, i) => {
        const bits = Math.max(0, Math.min(8, this.prefix - i * 8));
        return b & ((0xff << (8 - bits)) & 0xff);
      }),
    );
  }
  contains(ip: CelIP): boolean {
    if (ip.family !== this.ip.family) return false;
    const net = this.masked().bytes;
    const other = new CelCIDR(ip, this.prefix).masked().bytes;
    return net.every((b, i) => b === other[i]);
  }
  toString(): string {
    return `${this.ip.toString()}/${this.prefix}`;
  }
}

function parseCIDR(s: string): CelCIDR | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const bits = s.slice(slash + 1);
  if (!ip || !/^(0|[1-9]\d{0,2})$/.test(bits)) return undefined;
  const prefix = Number(bits);
  if (prefix > ip.bytes.length * 8) return undefined;
  return new CelCIDR(ip, prefix);
}

// --- quantity ----------------------------------------------------------------------------------

function quantity(s: string): Quantity {
  try {
    return parseQuantity(s);
  } catch (e) {
    throw new Error(`invalid quantity: ${(e as Error).message}`);
  }
}

/** The exact int64 value, or an error when it is fractional or out of range (asInteger). */
function asInteger(q: Quantity): bigint {
  if (q.exponent < 0) {
    const d = 10n ** BigInt(-q.exponent);
    if (q.mantissa % d !== 0n) throw new Error('cannot convert value to integer');
    return q.mantissa / d;
  }
  if (q.exponent > 19) throw new Error('cannot convert value to integer');
  const v = q.mantissa * 10n ** BigInt(q.exponent);
  if (v > 2n ** 63n - 1n || v < -(2n ** 63n)) throw new Error('cannot convert value to integer');
  return v;
}

function isIntegerQ(q: Quantity): boolean {
  try {
    asInteger(q);
    return true;
  } catch {
    return false;
  }
}

function addQ(a: Quantity, b: Quantity, sign: 1n | -1n): Quantity {
  const e = Math.min(a.exponent, b.exponent);
  const m =
    a.mantissa * 10n ** BigInt(a.exponent - e) + sign * b.mantissa * 10n ** BigInt(b.exponent - e);
  return Quantity.of(m, e, a.format);
}

const qInt = (n: bigint) => Quantity.of(n, 0, 'DecimalSI');

export function registerNetLibraries(env: Environment): void {
  env.registerType('kubernetes.URL', CelURL);
  env.registerType('net.IP', CelIP);
  env.registerType('net.CIDR', CelCIDR);
  env.registerType('kubernetes.Quantity', Quantity);

  // URL
  env.registerFunction('url(string): kubernetes.URL', (s: string) => {
    const u = parseURL(s);
    if (!u) throw new Error(`URL parse error during conversion from string: ${s}`);
    return u;
  });
  env.registerFunction('isURL(string): bool', (s: string) => !!parseURL(s));
  env.registerFunction('kubernetes.URL.getScheme(): string', (u: CelURL) =>
    u.url.protocol === 'relative:' ? '' : u.url.protocol.slice(0, -1),
  );
  env.registerFunction('kubernetes.URL.getHost(): string', (u: CelURL) => u.url.host);
  env.registerFunction('kubernetes.URL.getHostname(): string', (u: CelURL) =>
    u.url.hostname.replace(/^\[(.*)\]$/, '$1'),
  );
  env.registerFunction('kubernetes.URL.getPort(): string', (u: CelURL) => u.url.port);
  env.registerFunction('kubernetes.URL.getEscapedPath(): string', (u: CelURL) => u.url.pathname);
  env.registerFunction('kubernetes.URL.getQuery(): map<string, list<string>>', (u: CelURL) => {
    const out: Record<string, string[]> = {};
    for (const [k, v] of u.url.searchParams) (out[k] ??= []).push(v);
    return out;
  });

  // IP
  env.registerFunction('ip(string): net.IP', (s: string) => {
    const ip = parseIP(s);
    if (!ip)
      throw new Error(`IP Address ${JSON.stringify(s)} parse error during conversion from string`);
    return ip;
  });
  env.registerFunction('isIP(string): bool', (s: string) => !!parseIP(s));
  env.registerFunction('string(net.IP): string', (ip: CelIP) => ip.toString());
  env.registerFunction('net.IP.family(): int', (ip: CelIP) => BigInt(ip.family));
  env.registerFunction('net.IP.isUnspecified(): bool', (ip: CelIP) =>
    ip.bytes.every((b) => b === 0),
  );
  env.registerFunction('net.IP.isLoopback(): bool', (ip: CelIP) =>
    ip.family === 4 ? ip.bytes[0] === 127 : ip.bytes.every((b, i) => b === (i === 15 ? 1 : 0)),
  );
  env.registerFunction('net.IP.isLinkLocalMulticast(): bool', (ip: CelIP) =>
    ip.family === 4
      ? ip.bytes[0] === 224 && ip.bytes[1] === 0 && ip.bytes[2] === 0
      : ip.bytes[0] === 0xff && (ip.bytes[1]! & 0x0f) === 0x02,
  );
  env.registerFunction('net.IP.isLinkLocalUnicast(): bool', (ip: CelIP) =>
    ip.family === 4
      ? ip.bytes[0] === 169 && ip.bytes[1] === 254
      : ip.bytes[0] === 0xfe && (ip.bytes[1]! & 0xc0) === 0x80,
  );
  env.registerFunction('net.IP.isGlobalUnicast(): bool', (ip: CelIP) => {
    const b = ip.bytes;
    if (ip.family === 4)
      return !(
        b.every((x) => x === 255) ||
        b[0] === 0 ||
        b[0] === 127 ||
        (b[0]! >= 224 && b[0]! <= 239) ||
        (b[0] === 169 && b[1] === 254)
      );
    return !(
      b.every((x) => x === 0) ||
      b.every((x, i) => x === (i === 15 ? 1 : 0)) ||
      b[0] === 0xff ||
      (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80)
    );
  });
  env.registerOperator('net.IP == net.IP', (a: CelIP, b: CelIP) => a.toString() === b.toString());

  // CIDR
  env.registerFunction('cidr(string): net.CIDR', (s: string) => {
    const c = parseCIDR(s);
    if (!c)
      throw new Error(
        `network address ${JSON.stringify(s)} parse error during conversion from string`,
      );
    return c;
  });
  env.registerFunction('isCIDR(string): bool', (s: string) => !!parseCIDR(s));
  env.registerFunction('string(net.CIDR): string', (c: CelCIDR) => c.toString());
  env.registerFunction('net.CIDR.ip(): net.IP', (c: CelCIDR) => c.ip);
  env.registerFunction(
    'net.CIDR.masked(): net.CIDR',
    (c: CelCIDR) => new CelCIDR(c.masked(), c.prefix),
  );
  env.registerFunction('net.CIDR.prefixLength(): int', (c: CelCIDR) => BigInt(c.prefix));
  env.registerFunction('net.CIDR.containsIP(net.IP): bool', (c: CelCIDR, ip: CelIP) =>
    c.contains(ip),
  );
  env.registerFunction('net.CIDR.containsIP(string): bool', (c: CelCIDR, s: string) => {
    const ip = parseIP(s);
    if (!ip)
      throw new Error(`IP Address ${JSON.stringify(s)} parse error during conversion from string`);
    return c.contains(ip);
  });
  const containsCIDR = (c: CelCIDR, o: CelCIDR) => o.prefix >= c.prefix && c.contains(o.ip);
  env.registerFunction('net.CIDR.containsCIDR(net.CIDR): bool', containsCIDR);
  env.registerFunction('net.CIDR.containsCIDR(string): bool', (c: CelCIDR, s: string) => {
    const o = parseCIDR(s);
    if (!o)
      throw new Error(
        `network address ${JSON.stringify(s)} parse error during conversion from string`,
      );
    return containsCIDR(c, o);
  });
  env.registerOperator(
    'net.CIDR == net.CIDR',
    (a: CelCIDR, b: CelCIDR) => a.toString() === b.toString(),
  );

  // quantity
  const Q = 'kubernetes.Quantity';
  env.registerFunction(`quantity(string): ${Q}`, quantity);
  env.registerFunction('isQuantity(string): bool', (s: string) => {
    try {
      parseQuantity(s);
      return true;
    } catch {
      return false;
    }
  });
  env.registerFunction(`${Q}.sign(): int`, (q: Quantity) => BigInt(q.sign()));
  env.registerFunction(`${Q}.isInteger(): bool`, isIntegerQ);
  env.registerFunction(`${Q}.asInteger(): int`, asInteger);
  env.registerFunction(`${Q}.asApproximateFloat(): double`, (q: Quantity) =>
    Number(`${q.mantissa}e${q.exponent}`),
  );
  env.registerFunction(`${Q}.compareTo(${Q}): int`, (a: Quantity, b: Quantity) => BigInt(a.cmp(b)));
  env.registerFunction(
    `${Q}.isGreaterThan(${Q}): bool`,
    (a: Quantity, b: Quantity) => a.cmp(b) > 0,
  );
  env.registerFunction(`${Q}.isLessThan(${Q}): bool`, (a: Quantity, b: Quantity) => a.cmp(b) < 0);
  env.registerFunction(`${Q}.add(${Q}): ${Q}`, (a: Quantity, b: Quantity) => addQ(a, b, 1n));
  env.registerFunction(`${Q}.add(int): ${Q}`, (a: Quantity, b: bigint) => addQ(a, qInt(b), 1n));
  env.registerFunction(`${Q}.sub(${Q}): ${Q}`, (a: Quantity, b: Quantity) => addQ(a, b, -1n));
  env.registerFunction(`${Q}.sub(int): ${Q}`, (a: Quantity, b: bigint) => addQ(a, qInt(b), -1n));
  env.registerOperator(`${Q} == ${Q}`, (a: Quantity, b: Quantity) => a.cmp(b) === 0);
}
