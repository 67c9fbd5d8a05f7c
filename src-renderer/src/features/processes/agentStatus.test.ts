import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../../../src-shared/features/agent';
import { agentReadiness, statusView } from './agentStatus';

const status = (patch: Partial<AgentStatus>): AgentStatus => ({
  sessionId: 's',
  state: 'connected',
  capabilities: { agent: 'benchtop-agent 0.1' },
  connectedAt: 1,
  resets: 0,
  lastReset: null,
  stats: { framesSent: 0, framesReceived: 0, retransmits: 0, timeouts: 0, bytesSkipped: 0 },
  ...patch,
});

describe('agent readiness', () => {
  it('needs a running VM and a connected agent, and says why not', () => {
    expect(agentReadiness('running', { state: 'connected', detail: null })).toEqual({ ok: true, reason: null });
    expect(agentReadiness('created', { state: 'connected', detail: null }).reason).toMatch(/not running.*F5/);
    expect(agentReadiness('stopped', undefined).reason).toMatch(/not running/);
    expect(agentReadiness('paused', { state: 'connected', detail: null }).reason).toMatch(/paused/);
    expect(agentReadiness('starting', undefined).reason).toMatch(/booting/);
    expect(agentReadiness('running', undefined).reason).toMatch(/Waiting for the target agent/);
    expect(agentReadiness('running', { state: 'connecting', detail: null }).reason).toMatch(/Waiting/);
    expect(agentReadiness('running', { state: 'closed', detail: 'cannot connect to the agent socket' }).reason).toBe(
      'The target agent is not connected: cannot connect to the agent socket',
    );
  });

  it('statusView keeps what the user needs', () => {
    expect(statusView(status({}))).toEqual({ state: 'connected', detail: 'benchtop-agent 0.1' });
    expect(statusView(status({ state: 'closed', lastReset: 'socket closed' }))).toEqual({ state: 'closed', detail: 'socket closed' });
    expect(statusView(status({ state: 'connecting', resets: 2, lastReset: 'agent link reset' }))).toEqual({ state: 'connecting', detail: 'last reset: agent link reset' });
    expect(statusView(status({ state: 'none' }))).toEqual({ state: 'none', detail: null });
  });
});
