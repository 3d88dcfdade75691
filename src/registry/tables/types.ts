// meta.k8s.io/v1 Table shapes, the Printer contract, and the defensive readers every printer shares.
import type { KObject } from '../../api/types';

export interface ColumnDefinition {
  name: string;
  /** OpenAPI type of the cells: "string", "integer", "number", "boolean" or "date". */
  type: string;
  /** "name" marks the column kubectl treats as the object's name; "" otherwise. */
  format: string;
  description: string;
  /** 0 = always shown; 1 = shown by kubectl only with `-o wide`. */
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: Record<string, unknown>;
}

export interface Printer {
  columns: ColumnDefinition[];
  /** One cell per column, wide columns included: the server always prints wide, kubectl hides them. */
  cells(obj: KObject, now: number): unknown[];
  /** Row conditions, as upstream marks finished pods (`Completed`). */
  conditions?(obj: KObject): TableRowCondition[] | undefined;
}

export function column(
  name: string,
  description: string,
  opts: Partial<ColumnDefinition> = {},
): ColumnDefinition {
  return {
    name,
    type: opts.type ?? 'string',
    format: opts.format ?? '',
    description,
    priority: opts.priority ?? 0,
  };
}

export const NAME_COLUMN = column('Name', 'Name of the object, unique within its namespace.', {
  format: 'name',
});
export const AGE_COLUMN = column('Age', 'Time since the object was created.');

// Objects arrive as plain JSON from storage or clients, so every read tolerates a missing or mistyped field.

export type Rec = Record<string, unknown>;

export function rec(v: unknown): Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {};
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function recs(v: unknown): Rec[] {
  return arr(v).map(rec);
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function int(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback;
}

/** A map's size; string maps such as ConfigMap.data or Secret.data. */
export function size(v: unknown): number {
  return Object.keys(rec(v)).length;
}

/** k8s: labels.FormatLabels — sorted `k=v` pairs, `<none>` when empty. */
export function formatLabels(v: unknown): string {
  const m = rec(v);
  const keys = Object.keys(m).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${str(m[k])}`).join(',');
}

/**
 * k8s: metav1.LabelSelectorAsSelector(...).String() — requirements sorted by key, set values sorted.
 * Returns "" for an empty or missing selector (it selects everything or nothing, and prints as nothing),
 * and undefined when an operator is unknown (upstream's conversion error).
 */
export function selectorString(v: unknown): string | undefined {
  const sel = rec(v);
  const reqs: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(rec(sel.matchLabels)))
    reqs.push({ key, text: `${key}=${str(value)}` });
  for (const e of recs(sel.matchExpressions)) {
    const key = str(e.key);
    const values = arr(e.values).map(str).sort();
    switch (e.operator) {
      case 'In':
        reqs.push({ key, text: `${key} in (${values.join(',')})` });
        break;
      case 'NotIn':
        reqs.push({ key, text: `${key} notin (${values.join(',')})` });
        break;
      case 'Exists':
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  // A stable sort keeps matchLabels ahead of expressions on the same key, as Go's insertion order does.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** k8s: metav1.FormatLabelSelector — like selectorString, but `<none>` when empty and `<error>` when invalid. */
export function formatLabelSelector(v: unknown): string {
  if (v === undefined || v === null) return '<none>';
  const s = selectorString(v);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

/** Comma-joined container names and images of a pod spec, for the wide Containers/Images columns. */
export function containerCells(podSpec: unknown): [string, string] {
  const containers = recs(rec(podSpec).containers);
  return [
    containers.map((c) => str(c.name)).join(','),
    containers.map((c) => str(c.image)).join(','),
  ];
}
