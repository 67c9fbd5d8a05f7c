/** The selection's details: one event's time (ms), key or text editable; several events summarised. */
import { useEffect, useState } from 'react';
import { formatDurationUs, msTextToUs, usToMsText } from './timeline/geometry';
import type { RecordedEvent, Timeline } from './timeline/model';
import { escapeConsole, isQKeyCode, unescapeConsole } from './timeline/text';

/** A text field that commits on Enter or leaving it, and shows the model's value otherwise. */
function CommitField(props: { value: string; testId: string; label: string; valid: (s: string) => boolean; onCommit: (s: string) => void; mono?: boolean; wide?: boolean }) {
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  const ok = props.valid(text);
  const commit = () => {
    if (ok && text !== props.value) props.onCommit(text);
    else setText(props.value);
  };
  return (
    <label className={`insp-field${props.wide ? ' wide' : ''}`}>
      <span className="insp-label">{props.label}</span>
      <input
        className={`input input-small${props.mono ? ' tl-mono' : ''}`}
        data-testid={props.testId}
        value={text}
        aria-invalid={!ok}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          else if (e.key === 'Escape') setText(props.value);
        }}
        onBlur={commit}
      />
    </label>
  );
}

export function Inspector(props: { timeline: Timeline; cursorUs: number; onInsertKey: () => void; onInsertConsole: () => void; onReveal: (tUs: number) => void }) {
  const tl = props.timeline;
  const sel = tl.selection;
  const events = sel.size ? tl.doc.events.filter((e) => sel.has(e.id)) : [];

  return (
    <section className="insp" data-testid="timeline-inspector" data-selected={sel.size} aria-label="Selection">
      <div className="rec-subhead">
        <span className="pane-title">Selection</span>
        <span className="muted">{sel.size === 0 ? 'none' : sel.size === 1 ? '1 event' : `${sel.size.toLocaleString('en')} events`}</span>
      </div>
      {events.length === 0 && (
        <div className="insp-body">
          <p className="muted insp-help">
            Click an event to select it; Shift/Ctrl-click adds, Shift-drag selects a range (Ctrl-drag adds one). Drag the selection in time; the arrows nudge it by a grid step (Shift: ten).
          </p>
          <div className="insp-actions">
            <span className="muted">Cursor {formatDurationUs(props.cursorUs)}</span>
            <button className="btn btn-small" data-testid="timeline-insert-key" onClick={props.onInsertKey} title="Insert a key press and release at the cursor (K)">
              Insert key…
            </button>
            <button className="btn btn-small" data-testid="timeline-insert-console" onClick={props.onInsertConsole} title="Insert console text at the cursor (double-click the console lane)">
              Insert console text…
            </button>
          </div>
        </div>
      )}
      {events.length === 1 && <OneEvent tl={tl} e={events[0]!} onReveal={props.onReveal} />}
      {events.length > 1 && <ManyEvents tl={tl} events={events} />}
    </section>
  );
}

function OneEvent({ tl, e, onReveal }: { tl: Timeline; e: RecordedEvent; onReveal: (tUs: number) => void }) {
  return (
    <div className="insp-body" data-testid="inspector-event" data-event-id={e.id} data-kind={e.kind}>
      <div className="insp-grid">
        <div className="insp-field">
          <span className="insp-label">Kind</span>
          <span className="insp-value">
            {e.kind === 'key' ? (e.down ? 'key press' : 'key release') : e.kind === 'console' ? 'console text' : 'marker (not replayed)'}
            <span className="muted"> · {e.id}</span>
          </span>
        </div>
        <CommitField label="Time (ms)" testId="inspector-time" value={usToMsText(e.t)} valid={(s) => msTextToUs(s) !== null} onCommit={(s) => tl.setTime(e.id, msTextToUs(s)!)} />
        {e.kind === 'key' && (
          <>
            <CommitField label="Key (QKeyCode)" testId="inspector-key" value={e.key} mono valid={isQKeyCode} onCommit={(s) => tl.setFields(e.id, { key: s })} />
            <label className="insp-field">
              <span className="insp-label">Direction</span>
              <select className="input input-small" data-testid="inspector-down" value={e.down ? 'down' : 'up'} onChange={(ev) => tl.setFields(e.id, { down: ev.target.value === 'down' })}>
                <option value="down">press</option>
                <option value="up">release</option>
              </select>
            </label>
          </>
        )}
        {e.kind === 'console' && (
          <CommitField
            label="Text (\r Enter, \e Esc, \xNN)"
            testId="inspector-text"
            wide
            mono
            value={escapeConsole(e.data)}
            valid={(s) => {
              const d = unescapeConsole(s);
              return d.length > 0 && d.length <= 4096;
            }}
            onCommit={(s) => tl.setFields(e.id, { data: unescapeConsole(s) })}
          />
        )}
        {e.kind === 'marker' && <CommitField label="Marker text" testId="inspector-text" wide value={e.text} valid={(s) => s.length <= 4096} onCommit={(s) => tl.setFields(e.id, { text: s })} />}
      </div>
      <div className="insp-actions">
        <button className="btn btn-small" onClick={() => onReveal(e.t)}>
          Show
        </button>
        <button className="btn btn-small" data-testid="inspector-delete" onClick={() => tl.deleteSelected()}>
          Delete
        </button>
      </div>
    </div>
  );
}

function ManyEvents({ tl, events }: { tl: Timeline; events: RecordedEvent[] }) {
  const counts = { key: 0, console: 0, marker: 0 };
  for (const e of events) counts[e.kind]++;
  const from = events[0]!.t;
  const to = events[events.length - 1]!.t;
  return (
    <div className="insp-body" data-testid="inspector-many">
      <div className="insp-facts">
        <span>
          {counts.key.toLocaleString('en')} key · {counts.console.toLocaleString('en')} console · {counts.marker.toLocaleString('en')} marker
        </span>
        <span className="muted" data-testid="inspector-range">
          {formatDurationUs(from)} – {formatDurationUs(to)} (span {formatDurationUs(to - from)})
        </span>
      </div>
      <div className="insp-actions">
        <button className="btn btn-small" data-testid="inspector-snap" disabled={tl.gridUs === 0} title={tl.gridUs ? 'Round the selected times to the grid' : 'Pick a grid first'} onClick={() => tl.snapSelected()}>
          Snap to grid
        </button>
        <button className="btn btn-small" data-testid="inspector-delete" onClick={() => tl.deleteSelected()}>
          Delete {events.length.toLocaleString('en')}
        </button>
      </div>
    </div>
  );
}
