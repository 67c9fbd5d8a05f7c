/**
 * An xterm.js view of a ConsoleBuffer (text kept outside React): on mount it writes what the
 * buffer holds, then follows its `append`/`reset` events. Used by the guest console and the
 * host terminal; what happens to keystrokes and size changes is the caller's business.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { reportError } from '../status/errorsStore';
import { copyText, readText } from './clipboard';
import type { ConsoleBuffer } from './consoleBuffer';

export const SCROLLBACK = 10_000;

export const THEME: ITheme = {
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

export const FONT = '"Cascadia Mono", "JetBrains Mono", "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace';

export interface XtermViewProps {
  buffer: ConsoleBuffer;
  /** What the user typed or pasted (answers xterm gives to queries in replayed output are
   *  dropped; `replaying` says stored output is still being written). */
  onInput(data: string, replaying: boolean): void;
  /** The terminal's size after each fit (also the first one). */
  onResize?(cols: number, rows: number): void;
  /** Whether Paste in the context menu is enabled. */
  canPaste: boolean;
  /** Focus the terminal on mount. */
  autoFocus: boolean;
  /** Attributes of the host element (data-testid, data-*). */
  attrs?: Record<string, string>;
}

export function XtermView(props: XtermViewProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;
  const [menu, setMenu] = useState<{ x: number; y: number; hasSelection: boolean } | null>(null);
  const { buffer } = props;

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
    let reported = { cols: -1, rows: -1 };
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
      if (term.cols !== reported.cols || term.rows !== reported.rows) {
        reported = { cols: term.cols, rows: term.rows };
        propsRef.current.onResize?.(term.cols, term.rows);
      }
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
    // position, device attributes); those answers are stale and must not reach the program.
    let replaying = 0;
    const replay = (text: string) => {
      replaying++;
      term.write(text, () => {
        replaying--;
      });
    };
    replay(buffer.tail(SCROLLBACK + term.rows));
    const unfollow = buffer.subscribe((e) => {
      if (e.type === 'append') term.write(e.data);
      else {
        term.reset();
        replay(buffer.tail(SCROLLBACK + term.rows));
      }
    });

    const onData = term.onData((data) => {
      if (replaying > 0 && data.startsWith('\x1b')) return; // an answer to a replayed query
      propsRef.current.onInput(data, replaying > 0);
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
    if (propsRef.current.autoFocus) term.focus();

    return () => {
      cancelAnimationFrame(frame);
      cancelAnimationFrame(settle);
      viewport?.removeEventListener('scroll', onViewportScroll);
      onScroll.dispose();
      ro.disconnect();
      unfollow();
      onData.dispose();
      termRef.current = null;
      disposeLater(term);
    };
  }, [buffer]);

  const closeMenu = () => setMenu(null);

  return (
    <>
      <div
        className="terminal-host"
        {...props.attrs}
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
            disabled={!props.canPaste}
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
    </>
  );
}

/**
 * xterm 5.5 schedules work it does not cancel on dispose (a timeout after `open`, an animation
 * frame after `reset`) and that work then throws on the disposed renderer ("reading
 * 'dimensions'"). Dispose after those have run: after the next frame, or in a second at most.
 */
function disposeLater(term: Terminal): void {
  let done = false;
  const dispose = () => {
    if (done) return;
    done = true;
    term.dispose();
  };
  requestAnimationFrame(() => setTimeout(dispose, 0));
  setTimeout(dispose, 1000);
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
