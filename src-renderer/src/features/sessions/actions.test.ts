import { describe, expect, it } from 'vitest';
import type { SessionState } from '../../../../src-shared/contract';
import { actionForKey, canRun, type SessionAction } from './actions';

const key = (k: string, mods: Partial<{ shift: boolean; ctrl: boolean; alt: boolean }> = {}) => ({
  key: k,
  shiftKey: !!mods.shift,
  ctrlKey: !!mods.ctrl,
  altKey: !!mods.alt,
  metaKey: false,
});

describe('session actions', () => {
  it('are valid exactly in the documented states', () => {
    const table: Record<SessionAction, SessionState[]> = {
      start: ['created', 'stopped', 'crashed'],
      pause: ['running'],
      resume: ['paused'],
      reset: ['running', 'paused'],
      stop: ['starting', 'running', 'paused'],
    };
    const all: SessionState[] = ['created', 'starting', 'running', 'paused', 'stopping', 'stopped', 'crashed'];
    for (const [action, states] of Object.entries(table) as [SessionAction, SessionState[]][]) {
      for (const st of all) expect(canRun(action, st), `${action} in ${st}`).toBe(states.includes(st));
    }
    expect(canRun('start', undefined)).toBe(false);
  });

  it('maps shortcuts to the action valid in the state', () => {
    expect(actionForKey(key('F5'), 'created')).toBe('start');
    expect(actionForKey(key('F5'), 'crashed')).toBe('start');
    expect(actionForKey(key('F5'), 'paused')).toBe('resume');
    expect(actionForKey(key('F5'), 'running')).toBeNull();
    expect(actionForKey(key('F5', { shift: true }), 'running')).toBe('stop');
    expect(actionForKey(key('F5', { shift: true }), 'stopped')).toBeNull();
    expect(actionForKey(key('F6'), 'running')).toBe('pause');
    expect(actionForKey(key('F6'), 'paused')).toBeNull();
    expect(actionForKey(key('F5', { shift: true, ctrl: true }), 'paused')).toBe('reset');
    expect(actionForKey(key('F5', { alt: true }), 'created')).toBeNull();
    expect(actionForKey(key('a'), 'created')).toBeNull();
  });
});
