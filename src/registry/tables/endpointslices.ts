// EndpointSlice rows: address type, then up to three ports and addresses; k8s: pkg/printers/internalversion/printers.go printEndpointSlice (release-1.32).
import { translateTimestampSince } from './age';
import { AGE_COLUMN, NAME_COLUMN, arr, column, recs, str, type Printer } from './types';

const SHOWN = 3;

const columns = [
  NAME_COLUMN,
  column('AddressType', 'IPv4, IPv6 or FQDN.'),
  column('Ports', 'Port numbers served by the endpoints.'),
  column('Endpoints', 'Endpoint addresses.'),
  AGE_COLUMN,
];

/** The first few items, then "+ N more...", or `<unset>` for none. */
function firstFew(items: string[]): string {
  if (items.length === 0) return '<unset>';
  const text = items.slice(0, SHOWN).join(',');
  return items.length > SHOWN ? `${text} + ${items.length - SHOWN} more...` : text;
}

export const endpointSlicePrinter: Printer = {
  columns,
  cells(slice, now) {
    // A port with no number means "all ports"; upstream then shows its name, or "*".
    const ports = recs(slice.ports).map((p) =>
      typeof p.port === 'number' ? String(p.port) : typeof p.name === 'string' ? p.name : '*',
    );
    const addresses = recs(slice.endpoints).flatMap((e) => arr(e.addresses).map(str));
    return [
      slice.metadata.name ?? '',
      str(slice.addressType),
      firstFew(ports),
      firstFew(addresses),
      translateTimestampSince(slice.metadata.creationTimestamp, now),
    ];
  },
};
