/**
 * Polls the LCD (`screen.grab`) while the Screen pane is visible: one grab in flight at most,
 * the next one started no sooner than `intervalMs` after the previous one started (10 frames/s
 * by default: a screendump costs QEMU ~10 ms of a host core that the guest shares). The
 * measured figures go to `window.__benchtopScreen` for tests and benches.
 */
import type { ScreenFrame } from '../../../../src-shared/features/input';

export interface ScreenStats {
  /** Frames received over the last second. */
  fps: number;
  /** Round trip of the last grabs (request → PNG received), ms, newest last (at most 200). */
  grabMs: number[];
  frames: number;
  /** Frames whose PNG differed from the one before. */
  changed: number;
  width: number;
  height: number;
  lastError: string | null;
}

export interface PollerDeps {
  grab: () => Promise<ScreenFrame>;
  onFrame: (f: ScreenFrame, changed: boolean) => void;
  onError?: (message: string) => void;
  now?: () => number;
  /** setTimeout stand-in (tests). */
  schedule?: (fn: () => void, ms: number) => unknown;
  cancel?: (handle: unknown) => void;
  intervalMs?: number;
}

export class ScreenPoller {
  readonly stats: ScreenStats = { fps: 0, grabMs: [], frames: 0, changed: 0, width: 0, height: 0, lastError: null };
  private running = false;
  private inFlight = false;
  private timer: unknown = null;
  private last = '';
  private readonly arrivals: number[] = [];
  private readonly now: () => number;
  private readonly schedule: (fn: () => void, ms: number) => unknown;
  private readonly cancel: (h: unknown) => void;
  private readonly intervalMs: number;

  constructor(private readonly deps: PollerDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.schedule = deps.schedule ?? ((fn, ms) => setTimeout(fn, ms));
    this.cancel = deps.cancel ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.intervalMs = deps.intervalMs ?? 100;
  }

  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (!this.inFlight) this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.cancel(this.timer);
    this.timer = null;
    this.stats.fps = 0;
  }

  /** One grab now (a paused session: its screen does not change, one frame is enough). */
  async once(): Promise<void> {
    if (this.inFlight) return;
    await this.grabOne();
  }

  private tick(): void {
    this.timer = null;
    if (!this.running || this.inFlight) return;
    const t0 = this.now();
    void this.grabOne().then(() => {
      if (!this.running || this.timer !== null) return;
      this.timer = this.schedule(() => this.tick(), Math.max(0, t0 + this.intervalMs - this.now()));
    });
  }

  private async grabOne(): Promise<void> {
    this.inFlight = true;
    const t0 = this.now();
    try {
      const f = await this.deps.grab();
      const t1 = this.now();
      const s = this.stats;
      s.grabMs.push(t1 - t0);
      if (s.grabMs.length > 200) s.grabMs.shift();
      s.frames++;
      this.arrivals.push(t1);
      while (this.arrivals.length && this.arrivals[0]! < t1 - 1000) this.arrivals.shift();
      s.fps = this.running ? this.arrivals.length : 0; // a single grab (paused VM) is not a frame rate
      s.width = f.width;
      s.height = f.height;
      s.lastError = null;
      const changed = f.base64 !== this.last;
      if (changed) s.changed++;
      this.last = f.base64;
      this.deps.onFrame(f, changed);
    } catch (e) {
      this.stats.lastError = e instanceof Error ? e.message : String(e);
      this.deps.onError?.(this.stats.lastError);
    } finally {
      this.inFlight = false;
    }
  }
}
