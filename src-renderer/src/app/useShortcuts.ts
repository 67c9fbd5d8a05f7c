/**
 * Lifecycle shortcuts, window-wide and ahead of the terminal (capture phase), so F5 never reaches
 * the guest as an escape sequence nor reloads the page.
 */
import { useEffect } from 'react';
import { getApi } from '../platform/apiRef';
import { useConnection } from '../platform/connectionStore';
import { actionForKey, isLifecycleKey } from '../features/sessions/actions';
import { runAction } from '../features/sessions/commands';
import { selectedSession, useSessions } from '../features/sessions/sessionsStore';

export function useLifecycleShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isLifecycleKey(e)) return;
      e.preventDefault();
      e.stopPropagation();
      if (e.repeat || document.querySelector('[aria-modal="true"]')) return;
      if (useConnection.getState().phase !== 'connected') return;
      const s = selectedSession(useSessions.getState());
      const action = actionForKey(e, s?.state);
      if (s && action) void runAction(getApi(), s.id, action);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
}
