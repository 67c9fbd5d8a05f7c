/**
 * The guest's process table (top): sortable columns, a filter, kernel threads optionally hidden,
 * and only the rows in view in the DOM (fixed row height), so a snapshot of hundreds of processes
 * replaces the rows in place without losing the selection or the scroll position.
 */
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ProcRow } from '../../../../src-shared/features/monitor';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { PauseIcon, ResumeIcon, StopIcon } from '../../ui/icons';
import type { GuestSignal } from './monitorApi';
import { commandText, DEFAULT_SORT, filterRows, rowActions, sortRows, STATE_NAMES, toggleSort, visibleSlice, type SortKey, type SortSpec } from './procTable';
import { formatKiB, formatPct } from './units';

export const ROW_PX = 24;

const COLUMNS: { key: SortKey; label: string; className: string; title: string }[] = [
  { key: 'pid', label: 'PID', className: 'col-num col-pid', title: 'Process id' },
  { key: 'user', label: 'User', className: 'col-user', title: 'Owner' },
  { key: 'state', label: 'S', className: 'col-state', title: 'Kernel state: R running, S sleeping, D disk sleep, T stopped, Z zombie, I idle' },
  { key: 'cpuPct', label: 'CPU %', className: 'col-num col-cpu', title: 'Share of the guest CPU over the last scan' },
  { key: 'rssKb', label: 'RSS', className: 'col-num col-mem', title: 'Resident memory' },
  { key: 'vszKb', label: 'VSZ', className: 'col-num col-mem', title: 'Virtual memory size' },
  { key: 'threads', label: 'Thr', className: 'col-num col-thr', title: 'Threads' },
  { key: 'cmdline', label: 'Command', className: 'col-cmd', title: 'Command line ([name] for kernel threads)' },
  { key: 'exe', label: 'Executable', className: 'col-exe', title: 'Target of /proc/<pid>/exe' },
];

export function TopTable(props: {
  rows: readonly ProcRow[];
  /** Signals can be sent (live session, newest snapshot). */
  actionsEnabled: boolean;
  /** Why not, for the buttons' titles. */
  actionsNote: string | null;
  onSignal: (pid: number, signal: GuestSignal) => void;
}) {
  const { rows, actionsEnabled } = props;
  const [sort, setSort] = useState<SortSpec>(DEFAULT_SORT);
  const [filter, setFilter] = useState('');
  const [hideKernel, setHideKernel] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  const [confirmKill, setConfirmKill] = useState<ProcRow | null>(null);
  const [scroll, setScroll] = useState({ top: 0, height: 300 });
  const wrapRef = useRef<HTMLDivElement>(null);

  const shown = useMemo(() => sortRows(filterRows(rows, filter, hideKernel), sort), [rows, filter, hideKernel, sort]);
  const { first, end } = visibleSlice(scroll.top, scroll.height, ROW_PX, shown.length);

  useLayoutEffect(() => {
    const el = wrapRef.current!;
    const measure = () => setScroll({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const kernelCount = rows.filter((r) => r.kernelThread).length;

  return (
    <div className="mon-table-area">
      <div className="mon-table-bar">
        <input
          className="input input-small mon-filter"
          data-testid="monitor-proc-filter"
          aria-label="Filter processes"
          placeholder="Filter: name, command, pid, user"
          spellCheck={false}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <label className="mon-check" title="Hide threads of the kernel (no user memory)">
          <input type="checkbox" data-testid="monitor-hide-kernel" checked={hideKernel} onChange={(e) => setHideKernel(e.target.checked)} />
          Hide kernel threads{kernelCount ? ` (${kernelCount})` : ''}
        </label>
        <span className="mon-count" data-testid="monitor-proc-count">
          {shown.length === rows.length ? `${rows.length} processes` : `${shown.length} of ${rows.length} processes`}
        </span>
      </div>
      <div
        ref={wrapRef}
        className="mon-table-wrap"
        data-testid="monitor-procs"
        onScroll={(e) => setScroll({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}
      >
        <table className="mon-table">
          <thead>
            <tr>
              {COLUMNS.map((c) => {
                const active = sort.key === c.key;
                return (
                  <th
                    key={c.key}
                    className={c.className}
                    title={c.title}
                    aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                  >
                    <button className="mon-sort" data-testid="monitor-proc-header" data-sort-key={c.key} onClick={() => setSort((s) => toggleSort(s, c.key))}>
                      {c.label}
                      <span className="mon-sort-mark">{active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}</span>
                    </button>
                  </th>
                );
              })}
              <th className="col-actions" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {first > 0 && <tr className="mon-spacer" style={{ height: first * ROW_PX }} />}
            {shown.slice(first, end).map((r) => {
              const can = rowActions(r);
              const why = actionsEnabled ? undefined : (props.actionsNote ?? undefined);
              return (
                <tr
                  key={r.pid}
                  className={`mon-row${r.pid === selected ? ' selected' : ''}${r.kernelThread ? ' kernel' : ''}`}
                  data-testid="monitor-proc-row"
                  data-pid={r.pid}
                  data-state={r.state}
                  aria-selected={r.pid === selected}
                  onClick={() => setSelected(r.pid)}
                >
                  <td className="col-num col-pid">{r.pid}</td>
                  <td className="col-user" title={`${r.user} (uid ${r.uid})`}>
                    {r.user}
                  </td>
                  <td className={`col-state state-${r.state}`} title={STATE_NAMES[r.state] ?? r.state}>
                    {r.state}
                  </td>
                  <td className="col-num col-cpu">{formatPct(r.cpuPct)}</td>
                  <td className="col-num col-mem">{r.kernelThread ? '—' : formatKiB(r.rssKb)}</td>
                  <td className="col-num col-mem">{r.kernelThread ? '—' : formatKiB(r.vszKb)}</td>
                  <td className="col-num col-thr">{r.threads}</td>
                  <td className="col-cmd" title={commandText(r)}>
                    <code>{commandText(r)}</code>
                  </td>
                  <td className="col-exe" title={r.exe}>
                    {r.exe || '—'}
                  </td>
                  <td className="col-actions">
                    <button
                      className="icon-button"
                      title={why ?? 'Suspend (SIGSTOP)'}
                      aria-label={`Suspend ${r.pid}`}
                      data-testid="monitor-proc-suspend"
                      disabled={!actionsEnabled || !can.suspend}
                      onClick={(e) => {
                        e.stopPropagation();
                        props.onSignal(r.pid, 'SIGSTOP');
                      }}
                    >
                      <PauseIcon size={12} />
                    </button>
                    <button
                      className="icon-button"
                      title={why ?? 'Resume (SIGCONT)'}
                      aria-label={`Resume ${r.pid}`}
                      data-testid="monitor-proc-resume"
                      disabled={!actionsEnabled || !can.resume}
                      onClick={(e) => {
                        e.stopPropagation();
                        props.onSignal(r.pid, 'SIGCONT');
                      }}
                    >
                      <ResumeIcon size={12} />
                    </button>
                    <button
                      className="icon-button mon-kill"
                      title={why ?? 'Kill (SIGKILL)'}
                      aria-label={`Kill ${r.pid}`}
                      data-testid="monitor-proc-kill"
                      disabled={!actionsEnabled || !can.kill}
                      onClick={(e) => {
                        e.stopPropagation();
                        setConfirmKill(r);
                      }}
                    >
                      <StopIcon size={11} />
                    </button>
                  </td>
                </tr>
              );
            })}
            {end < shown.length && <tr className="mon-spacer" style={{ height: (shown.length - end) * ROW_PX }} />}
          </tbody>
        </table>
        {rows.length > 0 && shown.length === 0 && <div className="empty-note">No process matches “{filter}”.</div>}
      </div>
      {confirmKill && (
        <ConfirmDialog
          title={`Kill process ${confirmKill.pid}`}
          confirmLabel="Kill"
          danger
          onCancel={() => setConfirmKill(null)}
          onConfirm={() => {
            props.onSignal(confirmKill.pid, 'SIGKILL');
            setConfirmKill(null);
          }}
        >
          Send SIGKILL to <code>{confirmKill.pid}</code> <code>{commandText(confirmKill)}</code>? It ends at once, without cleaning up.
        </ConfirmDialog>
      )}
    </div>
  );
}
