/** The shell: explorer | (workspace / bottom panel), status bar, error toasts. */
import { useRef } from 'react';
import { ComparePane, useCompare } from '../features/compare';
import { LogPanel } from '../features/log/LogPanel';
import { RecordingEditor, useRecordings, useRecordingsFeed } from '../features/recordings';
import { SessionExplorer } from '../features/sessions/SessionExplorer';
import { ErrorBanner } from '../features/status/ErrorBanner';
import { StatusBar } from '../features/status/StatusBar';
import { Splitter } from '../ui/Splitter';
import { useLayout } from './layoutStore';
import { useLifecycleShortcuts } from './useShortcuts';
import { Workspace } from './Workspace';

export function App({ onReconnect }: { onReconnect: () => void }) {
  useLifecycleShortcuts();
  useRecordingsFeed();
  // A recording picked in the explorer replaces the session workspace until a session is picked.
  const openRecording = useRecordings((r) => r.openId);
  // Compare (opened from a recording's replays) covers the centre until closed.
  const comparing = useCompare((c) => c.replayIds);
  const sidebarWidth = useLayout((l) => l.sidebarWidth);
  const panelHeight = useLayout((l) => l.panelHeight);
  const panelOpen = useLayout((l) => l.panelOpen);
  const dragStart = useRef(0);
  const columnRef = useRef<HTMLDivElement>(null);

  return (
    <div className="shell">
      <div className="shell-main">
        <aside className="sidebar" style={{ width: sidebarWidth }}>
          <SessionExplorer />
        </aside>
        <Splitter
          direction="vertical"
          label="Resize the explorer"
          onDragStart={() => (dragStart.current = useLayout.getState().sidebarWidth)}
          onDrag={(d) => useLayout.getState().setSidebarWidth(dragStart.current + d)}
        />
        <div className="column" ref={columnRef}>
          <main className="workspace">
            {comparing ? (
              <ComparePane key={comparing.join(',')} replayIds={comparing} onClose={() => useCompare.getState().close()} />
            ) : openRecording ? (
              <RecordingEditor key={openRecording} recordingId={openRecording} />
            ) : (
              <Workspace />
            )}
          </main>
          {panelOpen && (
            <Splitter
              direction="horizontal"
              label="Resize the panel"
              onDragStart={() => (dragStart.current = useLayout.getState().panelHeight)}
              onDrag={(d) => {
                const max = (columnRef.current?.clientHeight ?? 600) - 120;
                useLayout.getState().setPanelHeight(Math.min(max, dragStart.current - d));
              }}
            />
          )}
          <section className={`bottom-panel${panelOpen ? '' : ' collapsed'}`} style={panelOpen ? { height: panelHeight } : undefined}>
            <LogPanel />
          </section>
        </div>
      </div>
      <StatusBar onReconnect={onReconnect} />
      <ErrorBanner />
    </div>
  );
}
