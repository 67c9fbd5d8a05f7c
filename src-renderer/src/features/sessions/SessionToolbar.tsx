/** Title and lifecycle buttons of the selected session. State comes from the server only. */
import type { ComponentType } from 'react';
import { getApi } from '../../platform/apiRef';
import { useConnection } from '../../platform/connectionStore';
import { PauseIcon, PlayIcon, ResetIcon, ResumeIcon, StopIcon } from '../../ui/icons';
import { DeterminismBadge } from '../determinism';
import { RecordButton } from '../recordings';
import { ACTION_ORDER, ACTIONS, canRun, type SessionAction } from './actions';
import { runAction } from './commands';
import { selectedSession, useSessions } from './sessionsStore';
import { StateBadge } from './StateBadge';

const ICONS: Record<SessionAction, ComponentType<{ size?: number }>> = {
  start: PlayIcon,
  pause: PauseIcon,
  resume: ResumeIcon,
  reset: ResetIcon,
  stop: StopIcon,
};

export function SessionToolbar() {
  const s = useSessions(selectedSession);
  const busy = useSessions((st) => (s ? st.busy[s.id] : undefined));
  const connected = useConnection((c) => c.phase === 'connected');
  if (!s) return null;
  return (
    <div className="toolbar" role="toolbar" aria-label="Session actions">
      <div className="toolbar-title">
        <span className="toolbar-name" title={s.id}>
          {s.name}
        </span>
        <StateBadge state={s.state} testId="session-state" />
        <DeterminismBadge session={s} />
      </div>
      <div className="toolbar-buttons">
        {ACTION_ORDER.map((a) => {
          const Icon = ICONS[a];
          const inFlight = busy?.includes(a) ?? false;
          const valid = canRun(a, s.state);
          const why = !connected ? ' — not connected' : !valid ? ` — not while ${s.state}` : '';
          return (
            <button
              key={a}
              className={`tool-button action-${a}${inFlight ? ' busy' : ''}`}
              data-testid={`action-${a}`}
              disabled={!valid || inFlight || !connected}
              title={`${ACTIONS[a].label} (${ACTIONS[a].shortcut})${why}`}
              aria-keyshortcuts={ACTIONS[a].shortcut}
              onClick={() => void runAction(getApi(), s.id, a)}
            >
              <Icon size={14} />
              <span>{ACTIONS[a].label}</span>
            </button>
          );
        })}
        <RecordButton session={s} />
      </div>
    </div>
  );
}
