// IPv4 CIDR ranges: parsing, membership, and address arithmetic.

export interface Cidr {
  text: string;
  base: number;
  size: number;
  contains(ip: string): boolean;
}

export function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255))
    return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function ipToString(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function parseCidr(text: string): Cidr {
  const [ip, bitsText] = text.split('/');
  const addr = ipToNumber(ip);
  const bits = Number(bitsText);
  if (addr === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30)
    throw new Error(`invalid CIDR ${JSON.stringify(text)}`);
  const size = 2 ** (32 - bits);
  const base = addr - (addr % size);
  return {
    text,
    base,
    size,
    contains(other: string) {
      const n = ipToNumber(other);
      return n !== undefined && n > base && n < base + size - 1;
    },
  };
}
