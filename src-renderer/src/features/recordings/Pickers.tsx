/** Small popovers of the Timeline: the key picker (`k`, double-click in the key lane) and console text. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { DEFAULT_KEY_HOLD_US } from './timeline/model';
import { isQKeyCode, matchKeys, unescapeConsole } from './timeline/text';
import { formatDurationUs } from './timeline/geometry';

export interface PopoverAt {
  tUs: number;
  clientX: number;
  clientY: number;
}

function Popover(props: { at: PopoverAt; width: number; testId: string; label: string; onClose: () => void; children: React.ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const close = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) props.onClose();
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [props]);
  // Kept inside the window whatever the point clicked.
  const left = Math.max(8, Math.min(window.innerWidth - props.width - 8, props.at.clientX - 20));
  const top = Math.max(8, Math.min(window.innerHeight - 320, props.at.clientY + 12));
  return (
    <div
      ref={ref}
      className="tl-popover"
      style={{ left, top, width: props.width }}
      role="dialog"
      aria-label={props.label}
      data-testid={props.testId}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Escape') props.onClose();
      }}
    >
      <div className="tl-popover-title">
        {props.label} <span className="muted">at {formatDurationUs(props.at.tUs)}</span>
      </div>
      {props.children}
    </div>
  );
}

export function KeyPicker(props: { at: PopoverAt; onInsert: (key: string, holdUs: number) => void; onClose: () => void }) {
  const [filter, setFilter] = useState('');
  const [holdMs, setHoldMs] = useState(String(DEFAULT_KEY_HOLD_US / 1000));
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => inputRef.current?.focus(), []);
  const typed = filter.trim().toLowerCase();
  const options = useMemo(() => {
    const m = matchKeys(typed);
    // A valid code not in the list can be typed in full.
    return isQKeyCode(typed) && !m.includes(typed) ? [typed, ...m] : m;
  }, [typed]);
  const hold = Number(holdMs);
  const holdOk = Number.isFinite(hold) && hold > 0 && hold <= 60_000;
  const pick = (key: string | undefined) => {
    if (key && holdOk) props.onInsert(key, Math.round(hold * 1000));
  };
  return (
    <Popover at={props.at} width={260} testId="key-picker" label="Insert key" onClose={props.onClose}>
      <div className="tl-popover-row">
        <input
          ref={inputRef}
          className="input input-small"
          data-testid="key-picker-input"
          placeholder="QEMU key: a, ret, shift, kp_1…"
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => Math.max(0, Math.min(options.length - 1, a + (e.key === 'ArrowDown' ? 1 : -1))));
            } else if (e.key === 'Enter') pick(options[active]);
          }}
        />
        <label className="tl-hold" title="How long the key is held (press → release)">
          <input className="input input-small" data-testid="key-picker-hold" value={holdMs} onChange={(e) => setHoldMs(e.target.value)} aria-invalid={!holdOk} />
          ms
        </label>
      </div>
      <div className="tl-key-grid" role="listbox" aria-label="Keys">
        {options.slice(0, 60).map((k, i) => (
          <button key={k} role="option" aria-selected={i === active} className={`tl-key${i === active ? ' active' : ''}`} data-testid="key-picker-option" data-key={k} onClick={() => pick(k)}>
            {k}
          </button>
        ))}
        {options.length === 0 && <span className="muted">Not a QEMU key code (a–z, 0–9, _).</span>}
      </div>
    </Popover>
  );
}

export function ConsoleInsert(props: { at: PopoverAt; onInsert: (data: string) => void; onClose: () => void }) {
  const [text, setText] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => inputRef.current?.focus(), []);
  const data = unescapeConsole(text);
  const ok = data.length > 0 && data.length <= 4096;
  return (
    <Popover at={props.at} width={320} testId="console-insert" label="Insert console text" onClose={props.onClose}>
      <input
        ref={inputRef}
        className="input input-small tl-mono"
        data-testid="console-insert-input"
        placeholder="ls -l\r   (\r Enter, \n, \t, \e Esc, \x03 Ctrl+C)"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && ok) props.onInsert(data);
        }}
      />
      <div className="form-buttons">
        <button className="btn btn-small" onClick={props.onClose}>
          Cancel
        </button>
        <button className="btn btn-small btn-primary" data-testid="console-insert-ok" disabled={!ok} onClick={() => props.onInsert(data)}>
          Insert
        </button>
      </div>
    </Popover>
  );
}
