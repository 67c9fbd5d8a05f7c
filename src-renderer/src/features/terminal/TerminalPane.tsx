/**
 * The guest serial console of one session (xterm.js). Content comes from the session's
 * ConsoleBuffer (outside React): on mount it writes what the buffer holds, then follows it.
 * Keystrokes go to `console.write` while the VM runs; otherwise a hint says why nothing happens.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { SessionState } from '../../../../src-shared/contract';
import { getApi } from '../../platform/apiRef';
import { InfoIcon } from '../../ui/icons';
import { reportError } from '../status/errorsStore';
import { useSessions } from '../sessions/sessionsStore';
import { copyText, readText } from './clipboard';
import { consoles } from './consoleStore';
import { WriteQueue } from './writeQueue';

export const SCROLLBACK = 10_000;

const THEME: ITheme = {
  background: '#181818',
  foreground: '#cccccc',
  cursor: '#aeafad',
  cursorAccent: '#181818',
  selectionBackground: '#264f78',
  black: '#000000',
  red: '#cd3131',
  green: '#0dbc79',
  yellow: '#e5e510',
  blue: '#2472c8',
  magenta: '#bc3fbc',
  cyan: '#11a8cd',
  white: '#e5e5e5',
  brightBlack: '#666666',
  brightRed: '#f14c4c',
  brightGreen: '#23d18b',
  brightYellow: '#f5f543',
  brightBlue: '#3b8eea',
  brightMagenta: '#d670d6',
  brightCyan: '#29b8db',
  brightWhite: '#e5e5e5',
};

const FONT = '"Cascadia Mono", "JetBrains Mono", "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace';

/** States in which QEMU's serial port takes input. */
function acceptsInput(state: SessionState | undefined): boolean {
  return state === 'running' || state === 'paused' || state === 'starting';
}

export function TerminalPane({ sessionId }: { sessionId: string }) {
  const hostRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const state = useSessions((st) => st.byId[sessionId]?.state);
  const writable = acceptsInput(state);
  const writableRef = useRef(writable);
  writableRef.current = writable;
  const [nudge, setNudge] = useState(0);
  const [menu, setMenu] = useState<{ x: number; y: number; hasSelection: boolean } | null>(null);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const term = new Terminal({
      scrollback: SCROLLBACK,
      fontFamily: FONT,
      fontSize: 13,
      lineHeight: 1.15,
      cursorBlink: true,
      theme: THEME,
      allowProposedApi: false,
      rightClickSelectsWord: false,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host);
    termRef.current = term;

    // Whether the view follows the output (is at the bottom). Tracked as the user scrolls, not
    // read at resize time: when the pane grows, the browser clamps the viewport's scrollTop
    // before the ResizeObserver reports, and xterm takes that clamp for a user scroll up.
    let following = true;
    let fitted = { w: -1, h: -1 };
    const atBottom = () => term.buffer.active.viewportY >= term.buffer.active.baseY;
    const viewport = host.querySelector('.xterm-viewport');
    const onViewportScroll = () => {
      // Registered after xterm's own listener, so the buffer already reflects this scroll.
      if (host.clientWidth === fitted.w && host.clientHeight === fitted.h) following = atBottom();
    };
    viewport?.addEventListener('scroll', onViewportScroll);
    const onScroll = term.onScroll(() => {
      following = atBottom();
    });

    let frame = 0;
    let settle = 0;
    const fitNow = () => {
      if (host.clientWidth === 0 || host.clientHeight === 0) return; // hidden; the next resize fits
      try {
        fit.fit();
      } catch {
        return; // detached
      }
      fitted = { w: host.clientWidth, h: host.clientHeight };
      if (following) {
        term.scrollToBottom();
        cancelAnimationFrame(settle);
        settle = requestAnimationFrame(() => {
          if (following) term.scrollToBottom();
        });
      }
    };
    const refit = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(fitNow);
    };
    fitNow();
    const ro = new ResizeObserver(refit);
    ro.observe(host);

    // Stored content first, then live: both in the same tick, so nothing falls in between.
    // While old output is replayed, xterm answers the terminal queries it contains (cursor
    // position, device attributes); those answers are stale and must not reach the guest.
    let replaying = 0;
    const replay = (text: string) => {
      replaying++;
      term.write(text, () => {
        replaying--;
      });
    };
    const buf = consoles.get(sessionId);
    replay(buf.tail(SCROLLBACK + term.rows));
    const unfollow = buf.subscribe((e) => {
      if (e.type === 'append') term.write(e.data);
      else {
        term.reset();
        replay(buf.tail(SCROLLBACK + term.rows));
      }
    });

    const writer = new WriteQueue(
      (data) => getApi().console.write({ id: sessionId, data }),
      (err) => reportError('Console input', err),
    );
    const onData = term.onData((data) => {
      if (replaying > 0 && data.startsWith('\x1b')) return; // an answer to a replayed query
      if (writableRef.current) writer.push(data);
      else if (replaying === 0) setNudge((n) => n + 1);
    });

    term.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey || e.altKey || e.metaKey) return true;
      if (e.code === 'KeyC') {
        // Ctrl+Shift+C: copy (and keep Chromium's inspect shortcut out of the way)
        e.preventDefault();
        const sel = term.getSelection();
        if (sel) copyText(sel).catch((err: unknown) => reportError('Copy', err));
        return false;
      }
      if (e.code === 'KeyV') {
        // Ctrl+Shift+V: let the browser's paste event reach xterm (no clipboard permission needed)
        return false;
      }
      return true;
    });

    if (acceptsInput(useSessions.getState().byId[sessionId]?.state)) term.focus();

    return () => {
      cancelAnimationFrame(frame);
      cancelAnimationFrame(settle);
      viewport?.removeEventListener('scroll', onViewportScroll);
      onScroll.dispose();
      ro.disconnect();
      unfollow();
      onData.dispose();
      termRef.current = null;
      term.dispose();
    };
  }, [sessionId]);

  const closeMenu = () => setMenu(null);

  return (
    <div className="terminal-pane">
      {/* Always one line high, so the terminal does not resize when the state changes. */}
      <div
        key={nudge}
        className={`terminal-bar${writable ? '' : ' terminal-hint'}${nudge ? ' nudge' : ''}`}
        data-testid={writable ? 'terminal-bar' : 'terminal-hint'}
      >
        {writable ? (
          <>
            <span className="terminal-bar-title">Guest console · serial0</span>
            <span className="terminal-bar-keys">Ctrl+Shift+C copy · Ctrl+Shift+V paste · right-click for more</span>
          </>
        ) : (
          <>
            <InfoIcon size={14} />
            <span className="terminal-bar-title">
              {state === 'created'
                ? 'This session has not been started yet. Start it (F5) to boot the board and use its console.'
                : `The VM is not running (${state ?? 'unknown'}): this is the saved console transcript; typing goes nowhere. Start the session (F5) to use the console again.`}
            </span>
          </>
        )}
      </div>
      <div
        className="terminal-host"
        data-testid="terminal"
        data-session-id={sessionId}
        ref={hostRef}
        onContextMenu={(e) => {
          e.preventDefault();
          const term = termRef.current;
          setMenu({ x: e.clientX, y: e.clientY, hasSelection: !!term?.hasSelection() });
        }}
      />
      {menu && (
        <ContextMenu x={menu.x} y={menu.y} onClose={closeMenu}>
          <MenuItem
            label="Copy"
            shortcut="Ctrl+Shift+C"
            disabled={!menu.hasSelection}
            onClick={() => {
              const sel = termRef.current?.getSelection();
              if (sel) copyText(sel).catch((err: unknown) => reportError('Copy', err));
              closeMenu();
            }}
          />
          <MenuItem
            label="Paste"
            shortcut="Ctrl+Shift+V"
            disabled={!writable}
            onClick={() => {
              closeMenu();
              readText()
                .then((text) => termRef.current?.paste(text))
                .catch((err: unknown) => reportError('Paste', err));
            }}
          />
          <div className="menu-separator" />
          <MenuItem
            label="Select all"
            onClick={() => {
              termRef.current?.selectAll();
              closeMenu();
            }}
          />
        </ContextMenu>
      )}
    </div>
  );
}

function ContextMenu(props: { x: number; y: number; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState({ left: props.x, top: props.y });
  useEffect(() => {
    const el = ref.current;
    if (el) {
      const r = el.getBoundingClientRect();
      setPos({
        left: Math.min(props.x, window.innerWidth - r.width - 4),
        top: Math.min(props.y, window.innerHeight - r.height - 4),
      });
    }
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) props.onClose();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') props.onClose();
    };
    window.addEventListener('mousedown', onDown, true);
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('blur', props.onClose);
    return () => {
      window.removeEventListener('mousedown', onDown, true);
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('blur', props.onClose);
    };
  }, []);
  return (
    <div ref={ref} className="context-menu" role="menu" style={pos} data-testid="terminal-menu">
      {props.children}
    </div>
  );
}

function MenuItem(props: { label: string; shortcut?: string; disabled?: boolean; onClick: () => void }) {
  return (
    <button className="menu-item" role="menuitem" disabled={props.disabled} onClick={props.onClick}>
      <span>{props.label}</span>
      {props.shortcut && <span className="menu-shortcut">{props.shortcut}</span>}
    </button>
  );
}
