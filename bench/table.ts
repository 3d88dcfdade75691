// Plain-text tables for the benchmark output.

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

export const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');
export const rate = (v: number) =>
  Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '-';
export const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && b > 0 && Number.isFinite(a)
    ? `${(a / b).toFixed(2)}x`
    : '-';
