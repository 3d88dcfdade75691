// Server-side printing: picks a resource's printer and renders objects as a meta.k8s.io/v1 Table.
import type { KObject } from '../../api/types';
import { definitionByGroupResource } from '../registry';
import { defaultPrinter } from './default';
import type { Printer, TableRow } from './types';

export type { ColumnDefinition, Printer, TableRow, TableRowCondition } from './types';

/** The printer for a group ("" for core) and plural resource; unknown ones get Name and Created At. */
export function printerFor(group: string, resource: string): Printer {
  return definitionByGroupResource(group, resource)?.printer ?? defaultPrinter;
}

export interface BuildTableOptions {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  /** Milliseconds since the epoch; ages are computed against it. */
  now: number;
  /** `?includeObject=`: kubectl sends none, and the API default is Metadata. */
  includeObject?: 'None' | 'Metadata' | 'Object';
  /** False for watch events after the first, which kubectl accepts without column definitions. */
  includeColumns?: boolean;
  /** Stamped on `Object` rows whose objects lack them (list items are stored without kind). */
  apiVersion?: string;
  kind?: string;
}

function rowObject(obj: KObject, opts: BuildTableOptions): Record<string, unknown> | undefined {
  const mode = opts.includeObject ?? 'Metadata';
  if (mode === 'None') return undefined;
  if (mode === 'Object') {
    const { apiVersion, kind, ...rest } = obj;
    return { apiVersion: apiVersion ?? opts.apiVersion, kind: kind ?? opts.kind, ...rest };
  }
  // kubectl needs namespace and labels from here for -A and --show-labels; managedFields is only noise.
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
}

/** Renders objects as a Table with one row each, every column included (kubectl hides wide ones itself). */
export function buildTable(
  printer: Printer,
  objects: KObject[],
  opts: BuildTableOptions,
): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;

  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: printer.cells(obj, opts.now) };
    const conditions = printer.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    const object = rowObject(obj, opts);
    if (object) row.object = object;
    return row;
  });

  const table: Record<string, unknown> = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata };
  if (opts.includeColumns !== false) table.columnDefinitions = printer.columns;
  table.rows = rows;
  return table;
}
