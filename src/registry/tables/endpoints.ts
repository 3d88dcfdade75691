// Endpoints rows: up to three ip:port pairs, then a count of the rest; k8s: pkg/printers/internalversion/printers.go printEndpoints, formatEndpoints (release-1.32).
import { translateTimestampSince } from './age';
import { AGE_COLUMN, NAME_COLUMN, column, int, recs, str, type Printer } from './types';

const SHOWN = 3;

const columns = [NAME_COLUMN, column('Endpoints', 'Ready addresses with their ports.'), AGE_COLUMN];

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function formatEndpoints(subsets: unknown): string {
  const list = recs(subsets);
  if (list.length === 0) return '<none>';
  const shown: string[] = [];
  let total = 0;
  for (const subset of list) {
    const ips = recs(subset.addresses).map((a) => str(a.ip));
    const ports = recs(subset.ports);
    // Headless services may have addresses and no ports: show bare IPs.
    const entries =
      ports.length === 0 ? [ips] : ports.map((p) => ips.map((ip) => hostPort(ip, int(p.port))));
    for (const group of entries) {
      total += group.length;
      for (const e of group) if (shown.length < SHOWN) shown.push(e);
    }
  }
  const text = shown.join(',');
  return total > SHOWN ? `${text} + ${total - SHOWN} more...` : text;
}

export const endpointsPrinter: Printer = {
  columns,
  cells(ep, now) {
    return [
      ep.metadata.name ?? '',
      formatEndpoints(ep.subsets),
      translateTimestampSince(ep.metadata.creationTimestamp, now),
    ];
  },
};
