/**
 * A shell on the host (node-pty in the core), opened in the session's folder with the ARM cross
 * toolchain in its environment: the compile half of the compile → push → run loop. Works in
 * any session state (it does not need the VM). Text lives in the registry, outside React.
 */
import { useEffect } from 'react';
import { getApi } from '../../platform/apiRef';
import { InfoIcon, ResetIcon } from '../../ui/icons';
import { XtermView } from '../terminal/XtermView';
import { EMPTY_VIEW, exitText, hostTerms, useHostTerms } from './hostTermStore';
import { RunOnTarget } from './RunOnTarget';
import './hostterm.css';

export function HostTerminalPane({ sessionId }: { sessionId: string }) {
  const view = useHostTerms((st) => st.bySession[sessionId] ?? EMPTY_VIEW);
  const buffer = view.termId ? hostTerms.buffer(sessionId) : null;
  const ended = !!view.exit || view.lost;

  useEffect(() => {
    // One shell per session, reopened if it ended while the pane was away.
    void hostTerms.ensure(getApi(), sessionId);
  }, [sessionId]);

  const restart = () => void hostTerms.ensure(getApi(), sessionId);

  return (
    <div className="terminal-pane host-terminal-pane">
      <div className="host-header" data-testid="host-bar">
        <div className="host-header-row">
          <span className="host-bar-title" title={view.shell ?? undefined}>
            Host shell
          </span>
          <span className="host-bar-cwd" title={`${view.cwd ?? ''}\nThe session's folder on the host: builds land here`} data-testid="host-cwd">
            <bdi>{view.cwd ?? '…'}</bdi>
          </span>
          <RunOnTarget sessionId={sessionId} />
        </div>
        <div className="host-header-note">
          <code>$CC</code> is the ARM cross compiler and <code>$CFLAGS</code> has <code>-static</code> (the guest has no C library to
          share): <code>$CC $CFLAGS hello.c -o hello</code>, then Run on target.
        </div>
      </div>
      {ended && (
        <div className="terminal-bar terminal-hint" data-testid="host-ended">
          <InfoIcon size={14} />
          <span className="terminal-bar-title">
            {view.lost
              ? 'This shell is gone (the server restarted).'
              : `The shell ended (${exitText(view.exit!)}).`}{' '}
            Press Enter or Restart to open a new one in the same folder.
          </span>
          <button className="btn btn-small host-restart" data-testid="host-restart" onClick={restart} disabled={view.opening}>
            <ResetIcon size={12} />
            Restart
          </button>
        </div>
      )}
      {buffer ? (
        <XtermView
          key={view.termId}
          buffer={buffer}
          canPaste={!ended}
          autoFocus
          attrs={{ 'data-testid': 'host-terminal', 'data-session-id': sessionId, 'data-term-id': view.termId ?? '' }}
          onInput={(data) => {
            if (hostTerms.isLive(sessionId)) hostTerms.write(sessionId, data);
            else if (data.includes('\r')) restart();
          }}
          onResize={(cols, rows) => hostTerms.resize(getApi(), sessionId, cols, rows)}
        />
      ) : (
        <div className="host-placeholder" data-testid="host-terminal-placeholder">
          {view.error ? (
            <>
              <span className="error-text">Cannot open a host shell: {view.error}</span>
              <button className="btn btn-small" onClick={restart} disabled={view.opening}>
                Retry
              </button>
            </>
          ) : (
            <span className="muted">Opening a shell on the host…</span>
          )}
        </div>
      )}
    </div>
  );
}
