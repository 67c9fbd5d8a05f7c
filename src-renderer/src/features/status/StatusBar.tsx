/** Bottom status bar: connection, selected session and its state, board, gdb port, uptime. */
import { useConnection } from '../../platform/connectionStore';
import { formatDuration } from '../../ui/format';
import { BugIcon, ChipIcon, ClockIcon, PlugIcon } from '../../ui/icons';
import { useNow } from '../../ui/useNow';
import { isLive } from '../sessions/actions';
import { selectedSession, useSessions } from '../sessions/sessionsStore';
import { StateDot } from '../sessions/StateBadge';
import { useImage } from './imageStore';

export function StatusBar({ onReconnect }: { onReconnect: () => void }) {
  const conn = useConnection();
  const s = useSessions(selectedSession);
  const building = useImage((st) => Object.values(st.progress).find((p) => !p.done));
  const ticking = (s && isLive(s.state)) || conn.phase === 'disconnected';
  const now = useNow(1000, ticking);

  const retryIn = conn.retryAt ? Math.max(0, Math.ceil((conn.retryAt - now) / 1000)) : null;
  const connTitle =
    conn.phase === 'disconnected'
      ? `Disconnected from the Benchtop server: ${conn.reason ?? 'unknown reason'}. Click to retry now.`
      : conn.frontDoor === 'electron'
        ? 'Connected to the core through Electron IPC'
        : 'Connected to the Benchtop server over WebSocket';

  return (
    <footer className={`status-bar phase-${conn.phase}`} data-testid="status-bar">
      <button
        className="status-item status-button"
        title={connTitle}
        onClick={conn.phase === 'disconnected' ? onReconnect : undefined}
      >
        <PlugIcon size={13} />
        <span data-testid="connection-state" data-state={conn.phase}>
          {conn.phase}
        </span>
        {conn.phase === 'disconnected' && retryIn !== null && <span className="status-dim">retry in {retryIn}s</span>}
      </button>
      {s && (
        <>
          <span className="status-item" title={`Selected session: ${s.name} (${s.id})`} data-testid="status-session">
            <StateDot state={s.state} />
            <span className="status-ellipsis">{s.name}</span>
            <span className="status-dim">{s.state}</span>
          </span>
          <span className="status-item" title="Board" data-testid="status-board">
            <ChipIcon size={13} />
            {s.board}
          </span>
          {s.gdbPort !== null && (
            <span className="status-item" title="QEMU gdbstub (gdb-multiarch: target remote …)" data-testid="status-gdb">
              <BugIcon size={13} />
              gdb 127.0.0.1:{s.gdbPort}
            </span>
          )}
          {isLive(s.state) && s.startedAt !== null && (
            <span className="status-item" title="Uptime of the VM" data-testid="status-uptime">
              <ClockIcon size={13} />
              {formatDuration(now - s.startedAt)}
            </span>
          )}
        </>
      )}
      <span className="status-spacer" />
      {building && (
        <span className="status-item" title={`Building the guest image for ${building.board}`} data-testid="status-image">
          <span className="spinner" aria-hidden="true" />
          image {building.board}: {building.step}
          {building.message ? ` — ${building.message}` : ''}
        </span>
      )}
      <span className="status-item status-dim" title="How this window reaches the core">
        {conn.frontDoor === 'electron' ? 'Electron' : 'WebSocket'}
      </span>
    </footer>
  );
}
