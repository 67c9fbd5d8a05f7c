/** Centre: the selected session's toolbar and its tabs (Terminal, Screen, Host, Files, Processes, Monitor, Overview). */
import { FilesPane } from '../features/files/FilesPane';
import { MonitorIcon, MonitorPane } from '../features/monitor';
import { HostTerminalPane } from '../features/hostterm/HostTerminalPane';
import { ProcessesPane } from '../features/processes/ProcessesPane';
import { ScreenIcon, ScreenPane } from '../features/screen';
import { OverviewPane } from '../features/sessions/OverviewPane';
import { SessionToolbar } from '../features/sessions/SessionToolbar';
import { selectedSession, useSessions } from '../features/sessions/sessionsStore';
import { TerminalPane } from '../features/terminal/TerminalPane';
import { FolderIcon, HostIcon, InfoIcon, ProcessesIcon, TerminalIcon } from '../ui/icons';
import { useConnection } from '../platform/connectionStore';
import { useLayout, type CentreTab } from './layoutStore';

const TABS: { id: CentreTab; label: string; Icon: typeof TerminalIcon }[] = [
  { id: 'terminal', label: 'Terminal', Icon: TerminalIcon },
  { id: 'screen', label: 'Screen', Icon: ScreenIcon },
  { id: 'host', label: 'Host', Icon: HostIcon },
  { id: 'files', label: 'Files', Icon: FolderIcon },
  { id: 'processes', label: 'Processes', Icon: ProcessesIcon },
  { id: 'monitor', label: 'Monitor', Icon: MonitorIcon },
  { id: 'overview', label: 'Overview', Icon: InfoIcon },
];

export function Workspace() {
  const s = useSessions(selectedSession);
  const loaded = useSessions((st) => st.loaded);
  const tab = useLayout((l) => l.tab);
  const conn = useConnection();
  const setTab = useLayout((l) => l.setTab);

  if (!s) {
    return (
      <div className="workspace-empty">
        <div className="welcome">
          <div className="welcome-title">Benchtop</div>
          <div className="welcome-text">
            {loaded
              ? 'Create a session in the explorer (New session) to boot an emulated board, then start it with F5.'
              : conn.phase === 'disconnected'
                ? `Cannot reach the Benchtop server (${conn.reason ?? 'no answer'}); retrying…` +
                  (conn.reason?.includes('token') ? ' Open the address that `benchtop serve` printed: it carries the token.' : '')
                : 'Connecting to the core…'}
          </div>
        </div>
      </div>
    );
  }

  return (
    <div className="editor">
      <SessionToolbar />
      <div className="tab-strip" role="tablist" aria-label="Session views">
        {TABS.map(({ id, label, Icon }) => (
          <button
            key={id}
            role="tab"
            aria-selected={tab === id}
            className={`tab${tab === id ? ' active' : ''}`}
            data-testid={`tab-${id}`}
            onClick={() => setTab(id)}
          >
            <Icon size={14} />
            {label}
          </button>
        ))}
      </div>
      <div className="tab-body" role="tabpanel">
        {tab === 'terminal' && <TerminalPane key={s.id} sessionId={s.id} />}
        {tab === 'screen' && <ScreenPane key={s.id} session={s} />}
        {tab === 'host' && <HostTerminalPane key={s.id} sessionId={s.id} />}
        {tab === 'files' && <FilesPane key={s.id} session={s} />}
        {tab === 'processes' && <ProcessesPane key={s.id} session={s} />}
        {tab === 'monitor' && <MonitorPane key={s.id} session={s} />}
        {tab === 'overview' && <OverviewPane session={s} />}
      </div>
    </div>
  );
}
