/**
 * The Monitor tab: live (or recorded) guest CPU, memory, IRQ rates and QEMU's own host cost as
 * stacked charts on one time axis, the guest's process table below them, and the hypervisor's
 * views and a memory dump as sibling views.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode, type RefObject } from 'react';
import { useStore } from 'zustand';
import type { SessionSummary } from '../../../../src-shared/contract';
import { formatClockMs, formatDateTime, formatShort } from '../../ui/format';
import { InfoIcon } from '../../ui/icons';
import { Splitter } from '../../ui/Splitter';
import { useNow } from '../../ui/useNow';
import { getApi } from '../../platform/apiRef';
import { isLive } from '../sessions/actions';
import { ChartsView } from './ChartsView';
import { InspectorPanel } from './InspectorPanel';
import { busiestIrqLines, irqLabel } from './irqLines';
import { MemoryPanel } from './MemoryPanel';
import { monitorApiFrom, type MonitorApi } from './monitorApi';
import { MonitorSession, RATES_HZ } from './monitorSession';
import { TopTable } from './TopTable';
import { formatHz } from './units';
import { SPANS, type Span, type ViewMode } from './viewWindow';
import './monitor.css';

type SubView = 'resources' | 'inspector' | 'memory';

/** Samples over which "busiest" IRQ lines are judged (a minute at 10 Hz). */
const BUSIEST_WINDOW = 600;

export function MonitorPane({ session, api: givenApi }: { session: SessionSummary; api?: MonitorApi }) {
  const id = session.id;
  const api = useMemo(() => givenApi ?? monitorApiFrom(getApi()), [givenApi]);
  const sessionLive = isLive(session.state);
  // One per session shown; later state changes reach it through setSessionLive, not a new one.
  const monitor = useMemo(() => new MonitorSession(api, id, { sessionLive }), [api, id]);
  const [sub, setSub] = useState<SubView>('resources');

  useEffect(() => {
    monitor.open();
    return () => monitor.close();
  }, [monitor]);
  useEffect(() => monitor.setSessionLive(sessionLive), [monitor, sessionLive]);

  const qemuUp = session.state === 'running' || session.state === 'paused';
  const qemuNote = 'QEMU is not running: start the session (F5) to ask the hypervisor.';

  const tabs = (
    <div className="mon-subtabs" role="tablist" aria-label="Monitor views">
      {(
        [
          ['resources', 'Resources'],
          ['inspector', 'Hypervisor'],
          ['memory', 'Memory'],
        ] as const
      ).map(([v, label]) => (
        <button
          key={v}
          role="tab"
          aria-selected={sub === v}
          className={`mon-subtab${sub === v ? ' active' : ''}`}
          data-testid={`monitor-subtab-${v}`}
          onClick={() => setSub(v)}
        >
          {label}
        </button>
      ))}
    </div>
  );

  return (
    <div className="monitor-pane" data-testid="monitor-pane" data-session-id={id}>
      {sub === 'resources' && <ResourcesView monitor={monitor} session={session} tabs={tabs} />}
      {sub === 'inspector' && <InspectorPanel tabs={tabs} api={api} sessionId={id} available={qemuUp} unavailableReason={qemuNote} />}
      {sub === 'memory' && <MemoryPanel tabs={tabs} api={api} sessionId={id} available={qemuUp} unavailableReason={qemuNote} />}
    </div>
  );
}

function ResourcesView({ monitor, session, tabs }: { monitor: MonitorSession; session: SessionSummary; tabs: ReactNode }) {
  const view = useStore(monitor.store);
  const [mode, setMode] = useState<ViewMode>({ kind: 'follow', span: 60 });
  const [irqPicked, setIrqPicked] = useState<string[] | null>(null);
  const [tableShare, setTableShare] = useState(0.3);
  const bodyRef = useRef<HTMLDivElement>(null);

  // A recording is looked at whole; a live run follows the newest minute.
  useEffect(() => {
    setMode({ kind: 'follow', span: view.live ? 60 : 'all' });
  }, [view.live, view.run]);

  // Busiest IRQ lines, re-judged every few seconds while nothing is picked by hand.
  const tick = useNow(5000, view.live && irqPicked === null);
  const [busiest, setBusiest] = useState<string[]>([]);
  useEffect(() => {
    const next = busiestIrqLines(monitor.buffer.irqMeans(BUSIEST_WINDOW));
    setBusiest((prev) => (prev.join() === next.join() ? prev : next));
  }, [monitor, tick, view.irqIds, view.loading]);
  const irqShown = irqPicked ?? busiest;
  const label = useMemo(() => (irqId: string) => irqLabel(irqId, view.irqLines), [view.irqLines]);

  const pinned = view.pinnedAt !== null;
  const marker = view.pinnedAt ?? (view.live ? null : (view.table?.t ?? null));
  const canSignal = view.live && !pinned && session.state === 'running';
  const signalNote = !view.live ? 'A recorded run: its processes are history' : pinned ? 'Showing an earlier snapshot: go back to the newest to act' : session.state !== 'running' ? 'The VM is not running' : null;

  return (
    <div className="mon-resources">
      <MonitorBar tabs={tabs} monitor={monitor} mode={mode} setMode={setMode} irqIds={view.irqIds} irqShown={irqShown} irqPicked={irqPicked} setIrqPicked={setIrqPicked} label={label} />
      {view.stateError && view.live && (
        <div className="mon-note" data-testid="monitor-unavailable">
          <InfoIcon size={14} />
          <span>No live samples: {view.stateError}</span>
        </div>
      )}
      {view.seriesError && (
        <div className="mon-error" role="alert" data-testid="monitor-error">
          Cannot load the samples of run {view.run ?? '?'}: {view.seriesError}
        </div>
      )}
      <div className="mon-body" ref={bodyRef}>
        <div className="mon-charts-area" style={{ flexBasis: `${(1 - tableShare) * 100}%` }}>
          <ChartsView
            monitor={monitor}
            mode={mode}
            irqIds={irqShown}
            irqLabel={label}
            marker={marker}
            onMode={setMode}
            onPick={(ms) => void monitor.loadTable(ms)}
          />
        </div>
        <Scrubber monitor={monitor} />
        <TableSplitter bodyRef={bodyRef} share={tableShare} setShare={setTableShare} />
        <div className="mon-table-pane" style={{ flexBasis: `${tableShare * 100}%` }}>
          {view.tableError && (
            <div className="mon-error" role="alert" data-testid="monitor-table-error">
              Cannot load the process table: {view.tableError}
            </div>
          )}
          <TopTable
            rows={view.table?.procs ?? []}
            actionsEnabled={canSignal}
            actionsNote={signalNote}
            onSignal={(pid, sig) => {
              void monitor.signal(pid, sig).then((ok) => {
                // The next scan shows the change; ask at once so the state letter does not lag.
                if (ok && monitor.view.live && monitor.view.pinnedAt === null) void monitor.loadTable(null);
              });
            }}
          />
        </div>
      </div>
    </div>
  );
}

function MonitorBar(props: {
  tabs: ReactNode;
  monitor: MonitorSession;
  mode: ViewMode;
  setMode: (m: ViewMode) => void;
  irqIds: string[];
  irqShown: string[];
  irqPicked: string[] | null;
  setIrqPicked: (ids: string[] | null) => void;
  label: (id: string) => string;
}) {
  const { monitor, mode, setMode } = props;
  const view = useStore(monitor.store);
  const following = mode.kind === 'follow';
  const rate = view.state?.rateHz;
  const rateOptions = rate !== undefined && !RATES_HZ.includes(rate as (typeof RATES_HZ)[number]) ? [...RATES_HZ, rate].sort((a, b) => a - b) : [...RATES_HZ];

  return (
    <div className="mon-bar">
      {props.tabs}
      <label className="mon-field" title="Follow the session live, or look at a recorded run">
        <select
          className="input input-small mon-run"
          data-testid="monitor-run"
          value={view.live ? 'live' : String(view.run ?? '')}
          onChange={(e) => monitor.selectRun(e.target.value === 'live' ? null : Number(e.target.value))}
        >
          <option value="live">Live{view.live && view.run ? ` (run ${view.run})` : ''}</option>
          {[...view.runs].reverse().map((r) => (
            <option key={r.run} value={r.run}>
              Run {r.run} · {formatShort(r.from)} · {r.samples.toLocaleString('en')} samples
            </option>
          ))}
          {!view.live && view.run !== null && !view.runs.some((r) => r.run === view.run) && <option value={view.run}>Run {view.run}</option>}
        </select>
      </label>
      <label className="mon-field" title="Samples per second (monitor.configure)">
        <span>Rate</span>
        <select
          className="input input-small mon-rate"
          data-testid="monitor-rate"
          disabled={!view.live || !view.state}
          value={rate ?? ''}
          onChange={(e) => void monitor.configure(Number(e.target.value))}
        >
          {rate === undefined && <option value="">—</option>}
          {rateOptions.map((hz) => (
            <option key={hz} value={hz}>
              {formatHz(hz)}
            </option>
          ))}
        </select>
      </label>
      <label className="mon-field">
        <span>Span</span>
        <select
          className="input input-small mon-span"
          data-testid="monitor-span"
          value={String(mode.span)}
          onChange={(e) => setMode({ kind: 'follow', span: (e.target.value === 'all' ? 'all' : Number(e.target.value)) as Span })}
        >
          {SPANS.map((s) => (
            <option key={String(s.value)} value={String(s.value)}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <button
        className={`btn btn-small${following ? '' : ' btn-primary'}`}
        data-testid="monitor-follow"
        data-following={following}
        disabled={following}
        title={following ? 'Drag across a chart to zoom, wheel to zoom, Shift+wheel to pan' : 'Back to the sliding window (or double-click a chart)'}
        onClick={() => setMode({ kind: 'follow', span: mode.span })}
      >
        {following ? (view.live ? 'Following' : 'Whole window') : view.live ? 'Reset · Follow' : 'Reset zoom'}
      </button>
      <IrqPicker ids={props.irqIds} shown={props.irqShown} picked={props.irqPicked} setPicked={props.setIrqPicked} label={props.label} />
      <span className="mon-spacer-flex" />
      <StateLine monitor={monitor} />
    </div>
  );
}

function StateLine({ monitor }: { monitor: MonitorSession }) {
  const view = useStore(monitor.store);
  // The count moves with every sample; once a second is enough for the eye.
  useNow(1000, view.live);
  const s = view.state;
  const count = monitor.samplesCount();
  const tone = view.live ? (s?.active ? 'ok' : 'warn') : 'idle';
  const text = view.loading
    ? 'Loading…'
    : !view.live
      ? 'Recorded'
      : s
        ? s.active
          ? `Active, ${formatHz(s.rateHz)}`
          : `Inactive${s.reason ? `: ${s.reason}` : ''}`
        : 'No monitor state';
  return (
    <span className={`mon-state tone-${tone}`} data-testid="monitor-state" data-active={!!s?.active && view.live} title={s?.reason ?? undefined}>
      <span className="state-dot" />
      <span className="mon-state-text">{text}</span>
      <span className="mon-state-meta" data-testid="monitor-samples">
        {count.toLocaleString('en')} samples
      </span>
    </span>
  );
}

function IrqPicker(props: { ids: string[]; shown: string[]; picked: string[] | null; setPicked: (ids: string[] | null) => void; label: (id: string) => string }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  const toggle = (id: string) => {
    const base = props.picked ?? props.shown;
    props.setPicked(base.includes(id) ? base.filter((x) => x !== id) : [...base, id]);
  };
  return (
    <div className="mon-irq-picker" ref={ref}>
      <button className="btn btn-small" data-testid="monitor-irq-picker" aria-expanded={open} onClick={() => setOpen((o) => !o)} disabled={props.ids.length === 0}>
        IRQ: {props.picked === null ? `busiest ${props.shown.length}` : `${props.picked.length} picked`} ▾
      </button>
      {open && (
        <div className="mon-irq-menu" role="menu">
          <label className="mon-irq-option">
            <input type="radio" checked={props.picked === null} onChange={() => props.setPicked(null)} data-testid="monitor-irq-auto" />
            The busiest, automatically
          </label>
          <div className="mon-irq-list">
            {props.ids.map((id) => (
              <label key={id} className="mon-irq-option" data-testid="monitor-irq-option" data-irq={id}>
                <input type="checkbox" checked={props.shown.includes(id)} onChange={() => toggle(id)} />
                <span title={props.label(id)}>{props.label(id)}</span>
              </label>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

function Scrubber({ monitor }: { monitor: MonitorSession }) {
  const view = useStore(monitor.store);
  const times = view.procTimes;
  const at = view.pinnedAt ?? view.table?.t ?? times.at(-1) ?? null;
  let index = times.length - 1;
  if (at !== null) {
    // The last snapshot at or before the table's time.
    let lo = 0;
    let hi = times.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! <= at) {
        index = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
  }
  const newest = view.pinnedAt === null;
  return (
    <div className="mon-scrubber">
      <span className="pane-title">Processes</span>
      <input
        type="range"
        className="mon-scrub"
        data-testid="monitor-scrubber"
        aria-label="Time of the process table"
        min={0}
        max={Math.max(0, times.length - 1)}
        step={1}
        value={Math.max(0, index)}
        disabled={times.length < 2}
        onChange={(e) => {
          const t = times[Number(e.target.value)];
          if (t !== undefined) void monitor.loadTable(t);
        }}
      />
      <span className="mon-scrub-time" data-testid="monitor-scrub-time" title={view.table ? formatDateTime(view.table.t) : undefined}>
        {view.table ? formatClockMs(view.table.t) : '—'}
        {times.length ? ` · snapshot ${Math.max(0, index) + 1} of ${times.length}` : ''}
        {newest && view.live ? ' · newest' : ''}
      </span>
      <button className="btn btn-small" data-testid="monitor-table-live" disabled={newest} onClick={() => void monitor.loadTable(null)} title="Show the newest process table again">
        {view.live ? 'Back to live' : 'Last snapshot'}
      </button>
      <span className="mon-hint">Click a chart to see the processes at that time</span>
    </div>
  );
}

function TableSplitter(props: { bodyRef: RefObject<HTMLDivElement | null>; share: number; setShare: (s: number) => void }) {
  const start = useRef(props.share);
  return (
    <Splitter
      direction="horizontal"
      label="Resize the charts and the process table"
      onDragStart={() => {
        start.current = props.share;
      }}
      onDrag={(dy) => {
        const h = props.bodyRef.current?.clientHeight ?? 0;
        if (h > 0) props.setShare(Math.min(0.75, Math.max(0.15, start.current - dy / h)));
      }}
    />
  );
}
