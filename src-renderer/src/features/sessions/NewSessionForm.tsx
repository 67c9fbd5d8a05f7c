/** Inline form at the top of the explorer: optional name + board, from `boards.list`, + input device. */
import { useEffect, useRef, useState } from 'react';
import type { InputDevice } from '../../../../src-shared/features/recording';
import { getApi } from '../../platform/apiRef';
import { createSession } from './commands';
import { useSessions } from './sessionsStore';

export function NewSessionForm({ onDone }: { onDone: () => void }) {
  const boards = useSessions((s) => s.boards);
  const [name, setName] = useState('');
  const [board, setBoard] = useState('');
  const [inputDevice, setInputDevice] = useState<InputDevice>('keypad');
  const [deterministic, setDeterministic] = useState(false);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    nameRef.current?.focus();
  }, []);
  useEffect(() => {
    if (!boards.some((b) => b.id === board) && boards[0]) setBoard(boards[0].id);
  }, [boards, board]);

  const chosen = boards.find((b) => b.id === board);

  const submit = async () => {
    if (!board || busy) return;
    setBusy(true);
    const created = await createSession(getApi(), { name, board, inputDevice, deterministic });
    setBusy(false);
    if (created) onDone();
  };

  return (
    <form
      className="new-session"
      data-testid="new-session-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onDone();
      }}
    >
      <label className="field">
        <span className="field-label">Name</span>
        <input
          ref={nameRef}
          className="input"
          data-testid="new-session-name"
          placeholder="optional, e.g. boot-test"
          maxLength={80}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <label className="field">
        <span className="field-label">Board</span>
        <select
          className="input"
          data-testid="new-session-board"
          value={board}
          disabled={boards.length === 0}
          onChange={(e) => setBoard(e.target.value)}
        >
          {boards.length === 0 && <option value="">Loading boards…</option>}
          {boards.map((b) => (
            <option key={b.id} value={b.id}>
              {b.title}
            </option>
          ))}
        </select>
      </label>
      {chosen && (
        <div className="field-hint" title={chosen.description}>
          <code>-M {chosen.machine}</code> · {chosen.description}
        </div>
      )}
      <label className="field">
        <span className="field-label">Keys</span>
        <select
          className="input"
          data-testid="new-session-input"
          value={inputDevice}
          onChange={(e) => setInputDevice(e.target.value as InputDevice)}
        >
          <option value="keypad" disabled={deterministic}>
            Board keypad (default)
          </option>
          <option value="usb-kbd">USB keyboard (usb-kbd)</option>
        </select>
      </label>
      <div className="field-hint" data-testid="new-session-input-hint">
        {inputDevice === 'keypad'
          ? 'The board’s own keypad: letters, . / Space Enter Backspace arrows only — no digits, Esc, Tab or Ctrl.'
          : 'Every key, digits included, through a USB keyboard on the board’s OHCI; the keypad then gets no keys.'}
      </div>
      <label className="new-session-rr">
        <input
          type="checkbox"
          data-testid="new-session-deterministic"
          checked={deterministic}
          onChange={(e) => {
            setDeterministic(e.target.checked);
            if (e.target.checked) setInputDevice('usb-kbd');
          }}
        />
        <span>Deterministic (QEMU record/replay)</span>
      </label>
      {deterministic && (
        <div className="field-hint" data-testid="new-session-rr-hint">
          Every run is recorded and can be reproduced exactly. Costs: ~15 % slower boot, ~270 MB of log an hour, no guest agent, console typing paced to 1 byte / 15 ms, USB keyboard only, SD card changes dropped.
        </div>
      )}
      <div className="form-buttons">
        <button type="button" className="btn" onClick={onDone} data-testid="new-session-cancel">
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" data-testid="new-session-create" disabled={!board || busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
      </div>
    </form>
  );
}
