// Server-side printing of custom resources: Name, then the version's additionalPrinterColumns
// (Age when it has none), each cell the first value its JSONPath selects.
// k8s: staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/tableconvertor
import type { PrinterColumn } from '../../api/crd';
import type { KObject } from '../../api/types';
import { evalJsonPath, parseJsonPath } from '../../lib/jsonpath';
import { translateTimestampSince } from '../tables/age';
import { NAME_COLUMN, type Printer } from '../tables/types';

const DEFAULT_COLUMNS: PrinterColumn[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

function cell(value: unknown, type: string, now: number): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'date')
    return typeof value === 'string' ? translateTimestampSince(value, now) : null;
  if (type === 'string') return typeof value === 'string' ? value : JSON.stringify(value);
  if (type === 'integer') return typeof value === 'number' ? Math.trunc(value) : null;
  if (type === 'number') return typeof value === 'number' ? value : null;
  if (type === 'boolean') return typeof value === 'boolean' ? value : null;
  return value;
}

export function customResourcePrinter(columns: PrinterColumn[] | undefined): Printer {
  const cols = columns?.length ? columns : DEFAULT_COLUMNS;
  const paths = cols.map((c) => {
    try {
      return parseJsonPath(c.jsonPath);
    } catch {
      return undefined;
    }
  });
  return {
    columns: [
      NAME_COLUMN,
      ...cols.map((c) => ({
        name: c.name,
        // Dates are printed as ages, which are strings to the client.
        type: c.type === 'date' ? 'date' : c.type,
        format: c.format ?? '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      })),
    ],
    cells(obj: KObject, now: number) {
      return [
        obj.metadata.name ?? '',
        ...cols.map((c, i) => {
          const p = paths[i];
          const found = p ? evalJsonPath(p, obj) : [];
          return cell(found[0], c.type, now);
        }),
      ];
    },
  };
}
