/** The per-segment table: a value column per replay, a Δ column after each finished replay but the baseline. */
import { Fragment } from 'react';
import type { ReplayLoad } from './compareData';
import { formatDelta, formatValue, unitText, type CompareTableData, type Delta, type TableRow } from './compareTable';
import { replayColor, replayName } from './compareView';

const deltaDir = (d: Delta | null) => (d && d.highlight ? (d.abs > 0 ? 'up' : 'down') : undefined);

function Row({ row, table }: { row: TableRow; table: CompareTableData }) {
  return (
    <tr data-testid="compare-row" data-segment={row.key} className={`cmp-row cmp-row-${row.kind}`}>
      <th scope="row" className="cmp-seg" title={row.label}>
        {row.label}
        {row.unit !== 'ms' && <span className="cmp-unit"> ({unitText(row.unit)})</span>}
      </th>
      {row.values.map((v, i) => {
        const d = row.deltas[i] ?? null;
        const dir = deltaDir(d);
        return (
          <Fragment key={i}>
            <td className="cmp-num" data-delta={dir}>
              {formatValue(v, row.digits)}
            </td>
            {table.deltaColumns[i] && (
              <td className="cmp-num cmp-delta" data-delta={dir}>
                {formatDelta(d, row.digits)}
              </td>
            )}
          </Fragment>
        );
      })}
    </tr>
  );
}

function Group({ title, span }: { title: string; span: number }) {
  return (
    <tr className="cmp-group">
      <th colSpan={span} scope="rowgroup">
        {title}
      </th>
    </tr>
  );
}

export function CompareTable({ table, loads }: { table: CompareTableData; loads: readonly ReplayLoad[] }) {
  const span = 1 + loads.length + table.deltaColumns.filter(Boolean).length;
  const chain = table.rows.filter((r) => r.kind === 'chain');
  const responses = table.rows.filter((r) => r.kind === 'response');
  return (
    <table className="cmp-table" data-testid="compare-table" data-mode={table.mode} data-baseline={table.baseline ?? ''}>
      <thead>
        <tr>
          <th className="cmp-seg">Segment (ms)</th>
          {loads.map((l, i) => {
            const excluded = l.status === 'error' ? 'not loaded' : l.excluded;
            return (
              <Fragment key={l.replayId}>
                <th className="cmp-num" title={l.replayId}>
                  <span className="cmp-swatch" style={{ background: replayColor(i) }} />
                  {replayName(i)}
                  <div className="cmp-col-note">{i === table.baseline ? 'baseline' : excluded ? 'excluded from Δ' : l.replayId}</div>
                </th>
                {table.deltaColumns[i] && (
                  <th className="cmp-num cmp-delta">
                    Δ {replayName(i).replace('replay ', 'r')}
                    <div className="cmp-col-note">vs {table.baseline === null ? '—' : replayName(table.baseline).replace('replay ', 'r')}</div>
                  </th>
                )}
              </Fragment>
            );
          })}
        </tr>
      </thead>
      <tbody>
        <Group title={table.mode === 'markers' ? 'Between guest markers' : 'Between console events and every 10th key (no guest markers)'} span={span} />
        {chain.map((r) => (
          <Row key={r.key} row={r} table={table} />
        ))}
        {responses.length > 0 && <Group title="Input → response (to the first guest marker after it)" span={span} />}
        {responses.map((r) => (
          <Row key={r.key} row={r} table={table} />
        ))}
        <Group title="Summary" span={span} />
        {table.summary.map((r) => (
          <Row key={r.key} row={r} table={table} />
        ))}
      </tbody>
    </table>
  );
}
