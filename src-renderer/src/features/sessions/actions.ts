/** Which lifecycle action is valid in which state, and its keyboard shortcut. Pure data. */
import type { SessionState } from '../../../../src-shared/contract';

export type SessionAction = 'start' | 'pause' | 'resume' | 'reset' | 'stop';

export interface ActionSpec {
  label: string;
  validIn: readonly SessionState[];
  /** Human-readable shortcut for tooltips. */
  shortcut: string;
}

export const ACTIONS: Record<SessionAction, ActionSpec> = {
  start: { label: 'Start', validIn: ['created', 'stopped', 'crashed'], shortcut: 'F5' },
  pause: { label: 'Pause', validIn: ['running'], shortcut: 'F6' },
  resume: { label: 'Resume', validIn: ['paused'], shortcut: 'F5' },
  reset: { label: 'Reset', validIn: ['running', 'paused'], shortcut: 'Ctrl+Shift+F5' },
  stop: { label: 'Stop', validIn: ['starting', 'running', 'paused'], shortcut: 'Shift+F5' },
};

export const ACTION_ORDER: readonly SessionAction[] = ['start', 'pause', 'resume', 'reset', 'stop'];

export function canRun(action: SessionAction, state: SessionState | undefined): boolean {
  return state !== undefined && ACTIONS[action].validIn.includes(state);
}

export interface KeyLike {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** Lifecycle shortcuts: F5 start/resume, Shift+F5 stop, F6 pause, Ctrl+Shift+F5 reset. */
export function isLifecycleKey(e: KeyLike): boolean {
  return (e.key === 'F5' || e.key === 'F6') && !e.altKey && !e.metaKey;
}

/** The action a key press asks for in this state, or null (the key is then still swallowed). */
export function actionForKey(e: KeyLike, state: SessionState | undefined): SessionAction | null {
  if (!isLifecycleKey(e)) return null;
  let wanted: SessionAction | null = null;
  if (e.key === 'F5' && e.ctrlKey && e.shiftKey) wanted = 'reset';
  else if (e.key === 'F5' && e.shiftKey && !e.ctrlKey) wanted = 'stop';
  else if (e.key === 'F5' && !e.shiftKey && !e.ctrlKey) wanted = state === 'paused' ? 'resume' : 'start';
  else if (e.key === 'F6' && !e.shiftKey && !e.ctrlKey) wanted = 'pause';
  return wanted && canRun(wanted, state) ? wanted : null;
}

/** Badge colour class per state. */
export const STATE_TONE: Record<SessionState, 'idle' | 'busy' | 'ok' | 'warn' | 'bad'> = {
  created: 'idle',
  starting: 'busy',
  running: 'ok',
  paused: 'warn',
  stopping: 'busy',
  stopped: 'idle',
  crashed: 'bad',
};

export function isLive(state: SessionState | undefined): boolean {
  return state === 'starting' || state === 'running' || state === 'paused' || state === 'stopping';
}
