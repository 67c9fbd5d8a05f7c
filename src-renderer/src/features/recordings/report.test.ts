import { describe, expect, it } from 'vitest';
import type { ReplayReport } from './recordingsApi';
import { reportRows, statFigures } from './report';

const report = (): ReplayReport => ({
  replay: { replayId: 'p00000001', recordingId: 'r00000001', rev: 1, sessionId: 's1', iteration: 1, of: 1, speed: 1, state: 'done', startedAt: 1, endedAt: 2, injected: 3, total: 4, error: null },
  events: [
    { eventId: 'e1', kind: 'key', label: 'a ↓', scheduledUs: 0, injectedUs: 150, guestUs: 900 },
    { eventId: 'e2', kind: 'key', label: 'a ↑', scheduledUs: 80_000, injectedUs: 82_001, guestUs: null },
    { eventId: 'e3', kind: 'console', label: 'ls⏎', scheduledUs: 100_000, injectedUs: 97_500, guestUs: null },
    { eventId: 'e4', kind: 'console', label: 'x', scheduledUs: 120_000, injectedUs: null, guestUs: null },
    { eventId: 'e5', kind: 'marker', label: 'ready', scheduledUs: 130_000, injectedUs: null, guestUs: null },
  ],
  markers: [],
  stats: { injectErrUsP50: 150, injectErrUsP99: 2501, guestErrUsP99: null, compensationUs: 310 },
});

describe('replay report rows', () => {
  it('shows ms with 2 decimals and flags errors over 2 ms', () => {
    const rows = reportRows(report());
    expect(rows.map((r) => [r.scheduledMs, r.injectedMs, r.guestMs, r.errorMs, r.late, r.missed])).toEqual([
      ['0.00', '0.15', '0.90', '+0.15', false, false],
      ['80.00', '82.00', '—', '+2.00', true, false],
      ['100.00', '97.50', '—', '−2.50', true, false],
      ['120.00', '—', '—', '—', false, true],
      ['130.00', '—', '—', '—', false, false],
    ]);
  });

  it('formats the stats, unknown ones as a dash', () => {
    expect(statFigures(report()).map((f) => f.value)).toEqual(['0.15 ms', '2.50 ms', '—', '0.31 ms', '—', 'QMP round trip']);
  });

  it('shows the host CPU the hypervisor stole during the replay, when the report has it', () => {
    const r = report();
    r.stats.hostStealPct = 10.46;
    expect(statFigures(r).find((f) => f.key === 'steal')!.value).toBe('10.5 %');
  });

  it('says where the keys’ injection times come from', () => {
    const clock = (tracedKeys: number | undefined) => {
      const r = report();
      r.stats.tracedKeys = tracedKeys;
      return statFigures(r).find((f) => f.key === 'clock')!.value;
    };
    expect(clock(2)).toBe('QEMU trace');
    expect(clock(1)).toBe('QEMU trace for 1 of 2');
    expect(clock(0)).toBe('QMP round trip');
    expect(clock(undefined)).toBe('QMP round trip'); // a report stored before QEMU's trace was read
    const r = report();
    r.stats.tracedKeys = 2;
    r.stats.keyPath = 'vnc';
    expect(statFigures(r).find((f) => f.key === 'clock')!.value).toBe('QEMU trace · sent via VNC');
  });
});
