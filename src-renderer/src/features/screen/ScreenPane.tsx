/**
 * Screen tab: the board's LCD, live, and Guest input mode. The LCD is drawn on a canvas at an
 * integer scale with smoothing off, so the 240×320 framebuffer's text stays sharp at any pane
 * size. Clicking it sends the physical keys (KeyboardEvent.code) to the session's input
 * device through `input.key`, one press and one release each; Ctrl+Alt+G or a click outside
 * leaves (Esc is a key the guest may want).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SessionSummary } from '../../../../src-shared/contract';
import type { ScreenFrame } from '../../../../src-shared/features/input';
import { getApi } from '../../platform/apiRef';
import { reportError } from '../status/errorsStore';
import { LeaveChordGate, isLeaveChord, keyLabel, missingSummary, qkeyOf } from './keymap';
import { ScreenPoller, type ScreenStats } from './screenPoller';
import { ScreenIcon } from './ScreenIcon';
import './screen.css';

declare global {
  interface Window {
    __benchtopScreen?: ScreenStats & { sessionId: string; keysSent: number };
  }
}

function b64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Largest whole-number scale at which w×h fits in the box (at least 1). */
export function integerScale(w: number, h: number, boxW: number, boxH: number): number {
  if (w <= 0 || h <= 0) return 1;
  return Math.max(1, Math.floor(Math.min(boxW / w, boxH / h)));
}

export function ScreenPane({ session }: { session: SessionSummary }) {
  const live = session.state === 'running' || session.state === 'paused';
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const [box, setBox] = useState({ w: 0, h: 0 });
  const [stats, setStats] = useState({ fps: 0, grabMs: 0 });
  const [error, setError] = useState<string | null>(null);
  const [guest, setGuest] = useState(false);
  const [keys, setKeys] = useState<{ device: string; deliverable: string[] } | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  const held = useRef(new Set<string>());
  const gate = useRef(new LeaveChordGate());
  const sent = useRef(0);
  const flashTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // Which keys this session's device delivers (the legend, the flash).
  useEffect(() => {
    let cancelled = false;
    getApi()
      .input.keys({ id: session.id })
      .then((k) => !cancelled && setKeys(k))
      .catch((e: unknown) => reportError('Screen: input keys', e));
    return () => {
      cancelled = true;
    };
  }, [session.id, session.inputDevice]);

  // Fit: the pane's size decides the integer scale.
  useEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setBox({ w: el.clientWidth, h: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Room for the frame's outline (16 px) and the hint line under it (~28 px).
  const scale = size ? integerScale(size.w, size.h, box.w - 16, box.h - 44) : 1;
  const scaleRef = useRef(scale);
  scaleRef.current = scale;
  const lastFrame = useRef<ImageBitmap | null>(null);

  const draw = useCallback((bmp: ImageBitmap) => {
    const c = canvasRef.current;
    if (!c) return;
    const s = scaleRef.current;
    const dpr = Math.max(1, Math.round(window.devicePixelRatio || 1));
    const w = bmp.width * s * dpr;
    const h = bmp.height * s * dpr;
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.imageSmoothingEnabled = false; // nearest neighbour: each LCD pixel a crisp square
    ctx.drawImage(bmp, 0, 0, w, h);
  }, []);

  // Redraw the last frame when the scale changes (the canvas is resized, which clears it).
  useEffect(() => {
    if (lastFrame.current) draw(lastFrame.current);
  }, [scale, draw]);

  // Poll while this pane is shown, the page is visible and the VM runs; one frame when paused.
  useEffect(() => {
    let disposed = false; // a grab that answers after the pane closed is not shown nor counted
    const pub = () => (window.__benchtopScreen = { ...poller.stats, grabMs: poller.stats.grabMs.slice(), sessionId: session.id, keysSent: sent.current });
    const poller = new ScreenPoller({
      grab: () => getApi().screen.grab({ id: session.id }),
      onFrame: (f: ScreenFrame, changed: boolean) => {
        if (disposed) return;
        setError(null);
        setSize((cur) => (cur && cur.w === f.width && cur.h === f.height ? cur : { w: f.width, h: f.height }));
        const g = poller.stats.grabMs;
        setStats({ fps: poller.stats.fps, grabMs: g.length ? g[g.length - 1]! : 0 });
        pub();
        if (!changed) return;
        void createImageBitmap(new Blob([b64ToBytes(f.base64)], { type: 'image/png' })).then((bmp) => {
          lastFrame.current?.close();
          lastFrame.current = bmp;
          draw(bmp);
        });
      },
      onError: (m) => {
        if (disposed) return;
        setError(m);
        pub();
      },
    });
    const sync = () => {
      if (session.state === 'running' && document.visibilityState === 'visible') poller.start();
      else {
        poller.stop();
        setStats((s) => ({ ...s, fps: 0 }));
        if (session.state === 'paused') void poller.once();
      }
    };
    sync();
    document.addEventListener('visibilitychange', sync);
    return () => {
      disposed = true;
      document.removeEventListener('visibilitychange', sync);
      poller.stop();
    };
  }, [session.id, session.state, draw]);

  const releaseAll = useCallback(() => {
    for (const k of held.current) void getApi().input.key({ id: session.id, key: k, down: false }).catch(() => undefined);
    held.current.clear();
  }, [session.id]);

  const leave = useCallback(() => {
    gate.current.reset();
    releaseAll();
    setGuest(false);
  }, [releaseAll]);

  const showFlash = (text: string) => {
    setFlash(text);
    if (flashTimer.current) clearTimeout(flashTimer.current);
    flashTimer.current = setTimeout(() => setFlash(null), 1800);
  };

  const onKey = (e: React.KeyboardEvent, down: boolean) => {
    if (!guest) return;
    // Everything typed here is for the guest: no page scrolling, no focus moves, no browser keys.
    e.preventDefault();
    e.stopPropagation();
    if (down && e.repeat) return; // the guest's input layer repeats a held key itself
    const q = qkeyOf(e.code);
    if (!q) {
      if (down && isLeaveChord(e)) (e.currentTarget as HTMLElement).blur();
      else if (down) showFlash(`${e.code || e.key}: QEMU has no key code for it`);
      return;
    }
    const events = down ? gate.current.down(q, isLeaveChord(e)) : gate.current.up(q);
    if (events === 'leave') {
      (e.currentTarget as HTMLElement).blur();
      return;
    }
    for (const ev of events) {
      if (ev.down) held.current.add(ev.key);
      else if (!held.current.delete(ev.key)) continue; // a release whose press went elsewhere
      if (ev.down && keys && !keys.deliverable.includes(ev.key)) {
        showFlash(`${keyLabel(ev.key)} is not on the ${keys.device === 'keypad' ? 'board keypad' : keys.device}: the guest will not see it`);
      }
      sent.current++;
      if (window.__benchtopScreen) window.__benchtopScreen.keysSent = sent.current;
      getApi()
        .input.key({ id: session.id, key: ev.key, down: ev.down })
        .catch((err: unknown) => reportError(`Send ${keyLabel(ev.key)} to the guest`, err));
    }
  };

  useEffect(() => () => releaseAll(), [releaseAll]);
  useEffect(() => {
    if (session.state !== 'running' && guest) leave();
  }, [session.state, guest, leave]);

  const missing = keys ? missingSummary(keys.deliverable) : '';
  return (
    <div className="screen-pane" data-testid="screen-pane" data-session-id={session.id}>
      <div className="screen-bar">
        <span className="screen-bar-title">
          <ScreenIcon size={14} /> LCD {size ? `${size.w}×${size.h}` : ''} {size && scale > 1 ? `· ${scale}×` : ''}
        </span>
        <span className="screen-fps" data-testid="screen-fps" data-fps={stats.fps}>
          {live ? `${stats.fps} fps · grab ${stats.grabMs.toFixed(0)} ms` : ''}
        </span>
        <span className="screen-device" data-testid="screen-device" title="Chosen when the session was created">
          Input: {keys ? (keys.device === 'keypad' ? `board keypad (${keys.deliverable.length} keys)` : 'USB keyboard (QEMU usb-kbd)') : '…'}
        </span>
        {missing && (
          <span className="screen-missing" data-testid="screen-missing" title={`Delivered: ${keys!.deliverable.map(keyLabel).join(' ')}`}>
            not delivered: {missing}
          </span>
        )}
      </div>
      <div className="screen-box" ref={boxRef}>
        {!live && (
          <div className="empty-note" data-testid="screen-unavailable">
            The screen shows while the session runs ({session.state} now).
          </div>
        )}
        {live && (
          <div className={`screen-frame${guest ? ' guest' : ''}`}>
            <canvas
              ref={canvasRef}
              className="screen-canvas"
              data-testid="screen-canvas"
              data-guest-input={guest ? 'on' : 'off'}
              tabIndex={0}
              aria-label={guest ? 'Board screen: typing goes to the guest' : 'Board screen: click to type into the guest'}
              style={size ? { width: size.w * scale, height: size.h * scale } : undefined}
              onMouseDown={(e) => {
                e.currentTarget.focus();
                setGuest(true);
              }}
              onFocus={() => setGuest(true)}
              onBlur={leave}
              onKeyDown={(e) => onKey(e, true)}
              onKeyUp={(e) => onKey(e, false)}
            />
            <div className={`screen-hint${guest ? ' on' : ''}`} data-testid="screen-hint">
              {guest ? 'Typing goes to the guest (tty1) · leave: Ctrl+Alt+G or click outside' : 'Click the screen to type into the guest'}
            </div>
            {flash && (
              <div className="screen-flash" data-testid="screen-flash" role="status">
                {flash}
              </div>
            )}
          </div>
        )}
        {live && error && (
          <div className="screen-error" data-testid="screen-error">
            {error}
          </div>
        )}
      </div>
    </div>
  );
}
