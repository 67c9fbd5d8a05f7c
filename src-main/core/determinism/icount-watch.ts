/**
 * Tells a replay that diverged from its recording by a frozen instruction count. QEMU 7.2 does
 * not say so itself when the guest waits for an event the log does not have: `query-replay`'s
 * icount just stops moving while the VM's status stays `running` (docs/deterministic-mode.md).
 * A paused VM stands still on purpose and is never called diverged.
 */
export class IcountWatch {
  private icount: number | null = null;
  private movedAt: number | null = null;

  constructor(private readonly frozenMs: number) {}

  /** The last instruction count seen. */
  get last(): number | null {
    return this.icount;
  }

  /** One poll: true when the count has stood still for `frozenMs` of running time. */
  observe(icount: number | null, running: boolean, now: number): boolean {
    if (this.movedAt === null || !running || (icount !== null && icount !== this.icount)) {
      if (icount !== null) this.icount = icount;
      this.movedAt = now;
      return false;
    }
    return now - this.movedAt >= this.frozenMs;
  }
}
