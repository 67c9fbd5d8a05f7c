/**
 * The Compare view: replays of a recording (or of different recordings) overlaid at their time
 * zero — guest CPU, memory, IRQ rate and QEMU's host CPU with each replay's events and markers —
 * and a per-segment timing table against the first finished replay, with PNG and CSV export.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { getApi } from '../../platform/apiRef';
import { CloseIcon, DownloadIcon, RefreshIcon } from '../../ui/icons';
import { IRQ_TOTAL } from './chartData';
import { CompareChartSet } from './compareCharts';
import { compareApiFrom, loadReplays, type ReplayLoad } from './compareData';
import { compareTable } from './compareTable';
import { CompareTable } from './CompareTable';
import { chartReplay, fullRange, irqChoices, irqTitle, legendText, replayColor, replayName, tableInputs } from './compareView';
import { compareCsv } from './csv';
import { downloadBlob, exportBaseName } from './download';
import { canvasToPng, composeChartsCanvas } from './exportPng';
import '../monitor/monitor.css'; // the charts share the Monitor's uPlot look (.monitor-chart)
import './compare.css';

export interface ComparePaneProps {
  /** In the order picked; the first that finished is the baseline. */
  replayIds: string[];
  onClose(): void;
}

function Charts({ loads, irqLine, setCharts }: { loads: ReplayLoad[]; irqLine: { line: string; title: string }; setCharts(c: CompareChartSet | null): void }) {
  const hostRef = useRef<HTMLDivElement>(null);
  const setRef = useRef<CompareChartSet | null>(null);
  const irqRef = useRef(irqLine);
  irqRef.current = irqLine;

  useEffect(() => {
    const host = hostRef.current!;
    const set = new CompareChartSet(host, loads.map(chartReplay), fullRange(loads), irqRef.current);
    setRef.current = set;
    setCharts(set);
    // The content box: the host's padding is not the charts'.
    const fit = () => {
      const style = getComputedStyle(host);
      const padX = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
      const padY = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
      set.resize(host.clientWidth - padX, host.clientHeight - padY);
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(host);
    return () => {
      ro.disconnect();
      set.destroy();
      setRef.current = null;
      setCharts(null);
    };
  }, [loads, setCharts]);

  useEffect(() => setRef.current?.setIrqLine(irqLine.line, irqLine.title), [irqLine.line, irqLine.title]);

  return <div ref={hostRef} className="cmp-charts" data-testid="compare-charts" />;
}

function ReplayLegend({ loads }: { loads: ReplayLoad[] }) {
  return (
    <ul className="cmp-legend">
      {loads.map((l, i) => {
        const notes: string[] = [];
        if (l.status === 'error') notes.push(`could not load: ${l.error}`);
        else {
          if (l.excluded) notes.push(`${l.excluded} — excluded from Δ`);
          if (l.monitorNote) notes.push(l.monitorNote);
        }
        const state = l.status === 'error' ? 'error' : l.report.replay.state;
        return (
          <li key={l.replayId} className="cmp-legend-item" data-testid="compare-replay" data-replay-id={l.replayId} data-state={state} data-excluded={l.status === 'error' || l.excluded !== null}>
            <span className="cmp-swatch" style={{ background: replayColor(i) }} />
            <span className="cmp-legend-text" title={l.replayId}>
              {legendText(l, i)}
            </span>
            {notes.map((n) => (
              <span key={n} className="cmp-note" data-testid="compare-note">
                {n}
              </span>
            ))}
          </li>
        );
      })}
    </ul>
  );
}

export function ComparePane({ replayIds, onClose }: ComparePaneProps) {
  const key = replayIds.join(',');
  const tooFew = replayIds.length < 2;
  const [loaded, setLoaded] = useState<{ key: string; loads: ReplayLoad[] } | null>(null);
  const [irqPick, setIrqPick] = useState(IRQ_TOTAL);
  const [charts, setCharts] = useState<CompareChartSet | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  // Bumped when a compared replay changes state (a running one finished): load again.
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (tooFew) return;
    let current = true;
    void loadReplays(compareApiFrom(getApi()), key.split(',')).then((loads) => {
      if (current) setLoaded({ key, loads });
    });
    return () => {
      current = false;
    };
  }, [key, tooFew, generation]);

  const loads = loaded?.key === key ? loaded.loads : null;
  const loadsRef = useRef(loads);
  loadsRef.current = loads;
  useEffect(() => {
    if (tooFew) return;
    const ids = new Set(key.split(','));
    return getApi().on('replay.changed', (info) => {
      if (!ids.has(info.replayId)) return;
      const shown = loadsRef.current?.find((l) => l.replayId === info.replayId);
      // Progress of a running replay comes as events too; only a new state changes the comparison.
      if (shown?.status === 'loaded' && shown.report.replay.state === info.state) return;
      setGeneration((g) => g + 1);
    });
  }, [key, tooFew]);
  const table = useMemo(() => (loads ? compareTable(tableInputs(loads)) : null), [loads]);
  const irqs = useMemo(() => (loads ? irqChoices(loads) : []), [loads]);
  const irqChoice = irqs.find((c) => c.id === irqPick) ?? irqs[0];
  const irqLine = useMemo(() => ({ line: irqChoice?.id ?? IRQ_TOTAL, title: irqTitle(irqChoice) }), [irqChoice]);
  const baseName = exportBaseName(replayIds);

  const exportPng = async () => {
    if (!charts || !loads) return;
    try {
      const canvas = composeChartsCanvas(
        charts.snapshot(),
        loads.map((l, i) => ({ color: replayColor(i), text: legendText(l, i) })),
        'Benchtop · compare replays (x: seconds since each replay’s time zero)',
      );
      downloadBlob(await canvasToPng(canvas), `${baseName}.png`);
      setExportError(null);
    } catch (e) {
      setExportError(e instanceof Error ? e.message : String(e));
    }
  };
  const exportCsv = () => {
    if (!table || !loads) return;
    const columns = loads.map((l, i) => ({ title: `${replayName(i)} ${l.replayId}${l.status === 'error' ? ' (not loaded)' : l.excluded ? ` (${l.report.replay.state})` : ''}` }));
    downloadBlob(new Blob([compareCsv(table, columns)], { type: 'text/csv;charset=utf-8' }), `${baseName}.csv`);
  };

  const state = tooFew ? 'too-few' : loads ? 'ready' : 'loading';
  return (
    <div className="compare-pane" data-testid="compare-pane" data-replays={key} data-state={state}>
      <div className="toolbar cmp-bar">
        <div className="toolbar-title">
          <span className="cmp-title">Compare replays</span>
          <span className="cmp-sub">{replayIds.length} picked · x = seconds since each replay’s time zero</span>
        </div>
        <div className="cmp-actions">
          {state === 'ready' && (
            <>
              <label className="cmp-field">
                IRQ
                <select className="input cmp-select" data-testid="compare-irq" value={irqChoice?.id ?? IRQ_TOTAL} onChange={(e) => setIrqPick(e.target.value)}>
                  {irqs.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.label}
                    </option>
                  ))}
                </select>
              </label>
              <button className="btn btn-small" data-testid="compare-reset-zoom" onClick={() => charts?.resetZoom()} title="Show the whole runs again (or double-click a chart); drag across a chart to zoom">
                <RefreshIcon size={13} /> Reset zoom
              </button>
            </>
          )}
          <button className="btn btn-small" data-testid="compare-export-png" disabled={!charts} onClick={() => void exportPng()} title="Save the charts as a PNG">
            <DownloadIcon size={13} /> PNG
          </button>
          <button className="btn btn-small" data-testid="compare-export-csv" disabled={!table} onClick={exportCsv} title="Save the table as CSV">
            <DownloadIcon size={13} /> CSV
          </button>
          <button className="icon-button" data-testid="compare-close" onClick={onClose} title="Close the comparison" aria-label="Close the comparison">
            <CloseIcon size={14} />
          </button>
        </div>
      </div>
      {state === 'too-few' && (
        <div className="cmp-message" data-testid="compare-too-few">
          pick at least two replays
        </div>
      )}
      {state === 'loading' && (
        <div className="cmp-message" data-testid="compare-loading">
          Loading {replayIds.length} replays and their monitor samples…
        </div>
      )}
      {loads && table && (
        <>
          <ReplayLegend loads={loads} />
          {exportError && (
            <div className="cmp-note cmp-export-error" data-testid="compare-export-error">
              {exportError}
            </div>
          )}
          <Charts loads={loads} irqLine={irqLine} setCharts={setCharts} />
          <div className="cmp-table-wrap">
            <CompareTable table={table} loads={loads} />
          </div>
        </>
      )}
    </div>
  );
}
