/** The Compare table as CSV (RFC 4180: CRLF rows, fields quoted when they hold `"`, `,`, CR or LF). Pure. */
import type { CompareTableData, TableRow } from './compareTable';
import { unitText } from './compareTable';

export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows of fields → the file's text; every row ends with CRLF (the RFC allows the last to). */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

/** How a replay's column is titled: "replay 2 p0000abcd (failed)". */
export interface CsvColumn {
  title: string;
}

/** Plain numbers (no unit, no thousands separator) so a spreadsheet reads them as numbers. */
const num = (v: number | null, digits = 1) => (v === null || !Number.isFinite(v) ? '' : v.toFixed(digits));

/**
 * segment, kind, unit, then per replay its value, and after every replay with a Δ column (finished,
 * not the baseline) its Δ and Δ % against the baseline (empty where a segment is missing).
 */
export function compareCsvRows(table: CompareTableData, columns: readonly CsvColumn[]): string[][] {
  const header = ['segment', 'kind', 'unit'];
  columns.forEach((c, i) => {
    header.push(c.title);
    if (table.deltaColumns[i]) header.push(`Δ ${c.title}`, `Δ % ${c.title}`);
  });
  const line = (row: TableRow) => {
    const out = [row.label, row.kind, unitText(row.unit)];
    row.values.forEach((v, i) => {
      out.push(num(v, row.digits));
      if (!table.deltaColumns[i]) return;
      const d = row.deltas[i];
      out.push(num(d ? d.abs : null, row.digits), num(d && d.rel !== null ? d.rel * 100 : null));
    });
    return out;
  };
  return [header, ...table.rows.map(line), ...table.summary.map(line)];
}

export function compareCsv(table: CompareTableData, columns: readonly CsvColumn[]): string {
  return toCsv(compareCsvRows(table, columns));
}
