/**
 * Subscriptions of the agent panes from app start (app/controller.ts): the agent's link status
 * per session, process output and exits (kept whether or not the Processes pane is open), and
 * clean-up when a session goes away or stops.
 */
import type { SessionSummary } from '../../../../src-shared/contract';
import type { Api } from '../../../../src-shared/transport';
import type { ControllerPlatform } from '../../app/controller';
import { files } from '../files/filesBackend';
import { isLive } from '../sessions/actions';
import { useSessions } from '../sessions/sessionsStore';
import { statusView, useAgentStatus } from './agentStatus';
import { procEnd, refreshProcs } from './procBackend';
import { procs } from './procStore';

type AgentApi = Pick<Api, 'agent' | 'on'>;

export class AgentWire {
  private inflight = new Set<string>();

  constructor(private readonly api: AgentApi) {}

  /** Ask for a session's agent status unless known or already asked. */
  fetchStatus(sessionId: string, force = false): void {
    if (this.inflight.has(sessionId)) return;
    if (!force && useAgentStatus.getState().bySession[sessionId]) return;
    this.inflight.add(sessionId);
    this.api.agent
      .status({ id: sessionId })
      .then((s) => useAgentStatus.getState().set(sessionId, statusView(s)))
      .catch(() => {
        // not running any more, or the connection dropped: the events and the next change tell
      })
      .finally(() => this.inflight.delete(sessionId));
  }

  /** Sessions changed: learn the status of running ones, forget it for stopped ones. */
  onSessions(byId: Record<string, SessionSummary>, prev: Record<string, SessionSummary>): void {
    for (const s of Object.values(byId)) {
      const before = prev[s.id]?.state;
      if (s.state === before) {
        if (s.state === 'running') this.fetchStatus(s.id);
        continue;
      }
      if (s.state === 'running') this.fetchStatus(s.id, true);
      else if (!isLive(s.state)) {
        useAgentStatus.getState().forget(s.id);
        procs.markAllLost(s.id);
      }
    }
  }

  start(platform: Pick<ControllerPlatform, 'onConnected' | 'onDisconnected'>): (() => void)[] {
    const { api } = this;
    return [
      api.on('agent.status', (s) => useAgentStatus.getState().set(s.sessionId, statusView(s))),
      api.on('proc.output', (p) => procs.onOutput(p.sessionId, p.pid, p.stream, p.data)),
      api.on('proc.exit', (p) => procs.onExit(p.sessionId, p.pid, procEnd(p.how, p.code))),
      api.on('session.removed', ({ id }) => {
        useAgentStatus.getState().forget(id);
        procs.forget(id);
        files.forget(id);
      }),
      // What we knew may be stale after a disconnect: ask again once the sessions are reloaded.
      platform.onDisconnected(() => {
        for (const id of Object.keys(useAgentStatus.getState().bySession)) useAgentStatus.getState().forget(id);
      }),
      platform.onConnected(() => {
        for (const s of Object.values(useSessions.getState().byId)) {
          if (s.state === 'running') {
            this.fetchStatus(s.id, true);
            refreshProcs(s.id).catch(() => {});
          }
        }
      }),
      useSessions.subscribe((st, prev) => {
        if (st.byId !== prev.byId) this.onSessions(st.byId, prev.byId);
      }),
    ];
  }
}

export function wireAgent(api: AgentApi, platform: Pick<ControllerPlatform, 'onConnected' | 'onDisconnected'>): (() => void)[] {
  return new AgentWire(api).start(platform);
}
