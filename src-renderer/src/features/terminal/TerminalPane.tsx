/**
 * The guest serial console of one session (xterm.js). Content comes from the session's
 * ConsoleBuffer (outside React): on mount it writes what the buffer holds, then follows it.
 * Keystrokes go to `console.write` while the VM runs; otherwise a hint says why nothing happens.
 */
import { useMemo, useRef, useState } from 'react';
import type { SessionState } from '../../../../src-shared/contract';
import { getApi } from '../../platform/apiRef';
import { InfoIcon } from '../../ui/icons';
import { reportError } from '../status/errorsStore';
import { useSessions } from '../sessions/sessionsStore';
import { consoles } from './consoleStore';
import { WriteQueue } from './writeQueue';
import { XtermView } from './XtermView';

/** States in which QEMU's serial port takes input. */
function acceptsInput(state: SessionState | undefined): boolean {
  return state === 'running' || state === 'paused' || state === 'starting';
}

export function TerminalPane({ sessionId }: { sessionId: string }) {
  const state = useSessions((st) => st.byId[sessionId]?.state);
  const rr = useSessions((st) => st.byId[sessionId]?.determinism.mode ?? 'off');
  // A reproduction takes no input: QEMU replays the recorded bytes and ignores any other.
  const writable = acceptsInput(state) && rr !== 'replay';
  const writableRef = useRef(writable);
  writableRef.current = writable;
  const [nudge, setNudge] = useState(0);
  const buffer = consoles.get(sessionId);
  const writer = useMemo(
    () =>
      new WriteQueue(
        (data) => getApi().console.write({ id: sessionId, data }),
        (err) => reportError('Console input', err),
      ),
    [sessionId],
  );

  return (
    <div className="terminal-pane">
      {/* Always one line high, so the terminal does not resize when the state changes. */}
      <div
        key={nudge}
        className={`terminal-bar${writable ? '' : ' terminal-hint'}${nudge ? ' nudge' : ''}`}
        data-testid={writable ? 'terminal-bar' : 'terminal-hint'}
      >
        {writable ? (
          <>
            <span className="terminal-bar-title">Guest console · serial0</span>
            {rr === 'record' && (
              <span className="terminal-bar-rr" data-testid="terminal-rr-record" title="While QEMU records, faster input would overflow the UART and be lost">
                recording · typing is paced to 1 byte / 15 ms
              </span>
            )}
            <span className="terminal-bar-keys">Ctrl+Shift+C copy · Ctrl+Shift+V paste · right-click for more</span>
          </>
        ) : (
          <>
            <InfoIcon size={14} />
            <span className="terminal-bar-title">
              {rr === 'replay'
                ? 'This session reproduces a recorded run exactly: the console shows the replay, and typing goes nowhere.'
                : state === 'created'
                ? 'This session has not been started yet. Start it (F5) to boot the board and use its console.'
                : `The VM is not running (${state ?? 'unknown'}): this is the saved console transcript; typing goes nowhere. Start the session (F5) to use the console again.`}
            </span>
          </>
        )}
      </div>
      <XtermView
        buffer={buffer}
        canPaste={writable}
        autoFocus={writable}
        attrs={{ 'data-testid': 'terminal', 'data-session-id': sessionId }}
        onInput={(data, replaying) => {
          if (writableRef.current) writer.push(data);
          else if (!replaying) setNudge((n) => n + 1);
        }}
      />
    </div>
  );
}
