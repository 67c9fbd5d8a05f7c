/**
 * Whether the target agent of a session can be used, and if not, why (for the Files, Processes
 * and Run on target controls). Fed by the agent status from the contract (see wireAgent).
 */
import { create } from 'zustand';
import type { SessionState, SessionSummary } from '../../../../src-shared/contract';
import type { AgentLinkState as ContractLinkState, AgentStatus } from '../../../../src-shared/features/agent';

/** The contract's link states, plus 'unknown' before the first answer. */
export type AgentLinkState = ContractLinkState | 'unknown';

export interface AgentStatusView {
  state: AgentLinkState;
  /** e.g. the agent's version, or why the link went down. */
  detail: string | null;
}

export interface AgentStatusState {
  bySession: Record<string, AgentStatusView>;
  set(sessionId: string, v: AgentStatusView): void;
  forget(sessionId: string): void;
}

export const useAgentStatus = create<AgentStatusState>((set) => ({
  bySession: {},
  set: (sessionId, v) => set((st) => ({ bySession: { ...st.bySession, [sessionId]: v } })),
  forget: (sessionId) =>
    set((st) => {
      const { [sessionId]: _gone, ...rest } = st.bySession;
      return { bySession: rest };
    }),
}));

export type Readiness = { ok: true; reason: null } | { ok: false; reason: string };

/** Pure: can the agent be used for a session in this state with this link status? */
export function agentReadiness(state: SessionState | undefined, agent: AgentStatusView | undefined): Readiness {
  if (state === 'paused') return { ok: false, reason: 'The VM is paused: resume it (F5) to use the target agent.' };
  if (state !== 'running') {
    return {
      ok: false,
      reason:
        state === 'starting'
          ? 'The VM is booting; the target agent connects once the guest is up.'
          : 'The VM is not running. Start the session (F5): the guest’s files and processes are reached through its agent.',
    };
  }
  switch (agent?.state ?? 'unknown') {
    case 'connected':
      return { ok: true, reason: null };
    case 'connecting':
    case 'none':
    case 'unknown':
      return { ok: false, reason: `Waiting for the target agent to connect…${agent?.detail ? ` (${agent.detail})` : ''}` };
    case 'closed':
      return { ok: false, reason: `The target agent is not connected${agent?.detail ? `: ${agent.detail}` : '.'}` };
  }
}

export function useAgentReady(session: Pick<SessionSummary, 'id' | 'state'>): Readiness {
  const agent = useAgentStatus((st) => st.bySession[session.id]);
  return agentReadiness(session.state, agent);
}

/** The status as the pane shows it. */
export function statusView(s: AgentStatus): AgentStatusView {
  switch (s.state) {
    case 'connected':
      return { state: 'connected', detail: s.capabilities.agent ?? null };
    case 'closed':
      return { state: 'closed', detail: s.lastReset };
    default:
      return { state: s.state, detail: s.resets > 0 && s.lastReset ? `last reset: ${s.lastReset}` : null };
  }
}
