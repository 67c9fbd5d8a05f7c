/** Bottom panel: lifecycle history of the selected session (`sessions.history`). */
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useLayout } from '../../app/layoutStore';
import { formatClockMs, formatDateTime } from '../../ui/format';
import { ChevronDownIcon, ChevronUpIcon } from '../../ui/icons';
import { useSessions } from '../sessions/sessionsStore';
import { useHistory } from './historyStore';

const KIND_TONE: Record<string, string> = {
  created: 'idle',
  start: 'busy',
  running: 'ok',
  pause: 'warn',
  paused: 'warn',
  resume: 'ok',
  reset: 'warn',
  stop: 'busy',
  stopping: 'busy',
  stopped: 'idle',
  crashed: 'bad',
  error: 'bad',
  'qmp-event': 'info',
  reproduces: 'idle',
  reproduced: 'ok',
  warning: 'warn',
};

export function LogPanel() {
  const id = useSessions((st) => st.selectedId);
  const name = useSessions((st) => (st.selectedId ? st.byId[st.selectedId]?.name : undefined));
  const events = useHistory((st) => (id ? st.bySession[id] : undefined));
  const loading = useHistory((st) => (id ? (st.loading[id] ?? false) : false));
  const error = useHistory((st) => (id ? st.error[id] : undefined));
  const open = useLayout((l) => l.panelOpen);
  const togglePanel = useLayout((l) => l.togglePanel);
  const [filter, setFilter] = useState('');
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    if (!events || !f) return events ?? [];
    return events.filter((e) => e.kind.toLowerCase().includes(f) || e.detail.toLowerCase().includes(f));
  }, [events, filter]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [shown, open]);

  useLayoutEffect(() => {
    stick.current = true;
  }, [id]);

  return (
    <div className="panel" data-testid="log-panel">
      <div className="panel-header">
        <div className="panel-tabs">
          <span className="panel-tab active">Log</span>
          {name && <span className="panel-subtitle">{name} · lifecycle</span>}
          {loading && <span className="panel-subtitle muted">loading…</span>}
        </div>
        <div className="panel-actions">
          {open && (
            <input
              className="input input-small"
              placeholder="Filter"
              aria-label="Filter the log"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
          )}
          <button
            className="icon-button"
            title={open ? 'Hide panel' : 'Show panel'}
            aria-label={open ? 'Hide panel' : 'Show panel'}
            onClick={togglePanel}
          >
            {open ? <ChevronDownIcon size={14} /> : <ChevronUpIcon size={14} />}
          </button>
        </div>
      </div>
      {open && (
        <div
          className="log-body"
          ref={scroller}
          onScroll={(e) => {
            const el = e.currentTarget;
            stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
          }}
        >
          {!id && <div className="empty-note">No session selected.</div>}
          {error && <div className="log-error">Could not load the history: {error}</div>}
          {id && events && events.length === 0 && <div className="empty-note">No events yet.</div>}
          {shown.map((e, i) => (
            <div className="log-row" key={`${e.at}-${i}`} data-kind={e.kind}>
              <span className="log-time" title={formatDateTime(e.at)}>
                {formatClockMs(e.at)}
              </span>
              <span className={`log-kind tone-${KIND_TONE[e.kind] ?? 'info'}`}>{e.kind}</span>
              <span className="log-detail" title={e.detail}>
                {e.detail}
              </span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
